/**
 * Batching rules of the convolution and pooling primitives: fold the batch into the images' N, or
 * (for batched filters) into channel groups, so one primitive call computes every example.
 *
 * @module conv/prims/batching
 */
import {
  apply,
  type BatchRule,
  batchedInput,
  makeTensor,
  type Prim,
  storageFrom,
} from '../../tensor/internal.js'

/**
 * Batching for primitives whose inputs are all `[N, ...]` images of one N (pooling, patches): the
 * batch is folded into N (shared inputs broadcast first), the primitive applied once, and unfolded.
 */
export const batchIntoImages =
  <P>(prim: () => Prim<P>): BatchRule<P> =>
  (ops, inputs, batched, params, size) => {
    const n = inputs[0]!.shape[batched[0] ? 1 : 0]!
    const folded = inputs.map((input, i) => {
      const x = batchedInput(ops, input, batched[i]!, size)
      return ops.reshape(x, [size * n, ...x.shape.slice(2)])
    })
    const out = apply(prim(), folded, params)
    return ops.reshape(out, [size, n, ...out.shape.slice(1)])
  }

/** What an operand (or the result) of a convolution-family primitive is. */
export type ConvRole = 'image' | 'filters'

/**
 * Batching for the convolution family: with shared filters and an image result, the batch folds
 * into the images' N; otherwise every example becomes its own channel groups (images
 * `[N, B·C, H, W]`, filters `[B·O, C/g, kH, kW]`, groups `B·g`) and one grouped convolution
 * computes every example.
 */
export const batchConvolution =
  <P extends { readonly groups: number }>(
    prim: () => Prim<P>,
    roles: readonly [ConvRole, ConvRole],
    result: ConvRole,
  ): BatchRule<P> =>
  (ops, inputs, batched, params, size) => {
    const filtersShared = roles.every((r, i) => r === 'image' || !batched[i])
    if (filtersShared && result === 'image') {
      const image = roles.indexOf('image')
      const n = inputs[image]!.shape[1]!
      const folded = inputs.map((x, i) => (batched[i] ? ops.reshape(x, [size * n, ...x.shape.slice(2)]) : x))
      const out = apply(prim(), folded, params)
      return ops.reshape(out, [size, n, ...out.shape.slice(1)])
    }
    if (size === 0) {
      // no examples: one example of zeros gives the result's shape
      const one = apply(
        prim(),
        inputs.map((x, i) =>
          batched[i]
            ? ops.broadcastTo(makeTensor([], x.dtype, storageFrom(x.dtype, [0])), x.shape.slice(1))
            : x,
        ),
        params,
      )
      return makeTensor([0, ...one.shape], one.dtype, storageFrom(one.dtype, []))
    }
    const grouped = inputs.map((input, i) => {
      const x = batchedInput(ops, input, batched[i]!, size)
      if (roles[i] === 'filters') return ops.reshape(x, [size * x.shape[1]!, ...x.shape.slice(2)])
      const [, n, channels, ...spatial] = x.shape
      return ops.reshape(ops.transpose(x, [1, 0, 2, 3, 4]), [n!, size * channels!, ...spatial])
    })
    const out = apply(prim(), grouped, { ...params, groups: params.groups * size })
    if (result === 'filters') return ops.reshape(out, [size, out.shape[0]! / size, ...out.shape.slice(1)])
    const [n, channels, ...spatial] = out.shape
    return ops.transpose(ops.reshape(out, [n!, size, channels! / size, ...spatial]), [1, 0, 2, 3, 4])
  }
