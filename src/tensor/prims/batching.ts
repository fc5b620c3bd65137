/**
 * Shared pieces of batching rules (`vmap`): moving an axis, lining up batched operands for
 * broadcasting, index offsets for batched `gather`/`scatterAdd`, and the visible loop fallback.
 * A batching rule receives inputs with the batch along axis 0 (where batched) and returns the
 * output with the batch along axis 0.
 *
 * @module prims/batching
 */
import { apply } from '../dispatch.js'
import { storageFrom } from '../dtype.js'
import { ArgumentError } from '../errors.js'
import type { BatchRule, Ops, Prim } from '../prim.js'
import { type AnyTensor, makeTensor } from '../tensor.js'

/** Moves axis `from` of `x` to position `to` (the other axes keep their order). */
export const moveAxis = (ops: Ops, x: AnyTensor, from: number, to: number): AnyTensor => {
  if (from === to) return x
  const order = x.shape.map((_, i) => i).filter((i) => i !== from)
  order.splice(to, 0, from)
  return ops.transpose(x, order)
}

/**
 * Lines up the operands of a broadcasting primitive: each batched operand (batch on axis 0) gets
 * size-1 axes after its batch axis up to the largest example rank, so that NumPy broadcasting pairs
 * the same axes as it does for one example, and unbatched operands broadcast over the batch.
 */
export const alignBatched = (
  ops: Ops,
  inputs: readonly AnyTensor[],
  batched: readonly boolean[],
): AnyTensor[] => {
  const rank = Math.max(...inputs.map((x, i) => x.shape.length - (batched[i] ? 1 : 0)))
  return inputs.map((x, i) => {
    const missing = rank - (x.shape.length - 1)
    if (!batched[i] || missing === 0) return x
    return ops.reshape(x, [x.shape[0]!, ...new Array<number>(missing).fill(1), ...x.shape.slice(1)])
  })
}

/**
 * Batched indices made global: `indices` (batch on axis 0) plus `b · length` for example `b`, so
 * that the examples' index ranges do not overlap once the batch is folded into the indexed axis.
 */
export const offsetIndices = (ops: Ops, indices: AnyTensor, length: number): AnyTensor => {
  const size = indices.shape[0]!
  const offsets = makeTensor(
    [size, ...indices.shape.slice(1).map(() => 1)],
    indices.dtype,
    storageFrom(
      indices.dtype,
      Array.from({ length: size }, (_, b) => b * length),
    ),
  )
  return ops.add(indices, offsets)
}

/** Broadcasts an unbatched input over the batch (a no-op for a batched one). */
export const batchedInput = (ops: Ops, x: AnyTensor, batched: boolean, size: number): AnyTensor =>
  batched ? x : ops.broadcastTo(x, [size, ...x.shape])

let loops = 0

/**
 * How many times a batching rule fell back to looping over the examples (`batchByLoop`). The
 * registry's batching test asserts this stays 0: every primitive has a real rule.
 */
export const batchLoopCount = (): number => loops

/**
 * The generic fallback rule: applies the primitive to each example and stacks the results. Slow
 * and counted (`batchLoopCount`): a stopgap for a new primitive until it has a real rule.
 */
export const batchByLoop =
  <P>(prim: () => Prim<P>): BatchRule<P> =>
  (ops, inputs, batched, params, size) => {
    loops++
    if (size === 0)
      throw new ArgumentError(prim().name, 'cannot batch over 0 examples without a batching rule')
    const rows = Array.from({ length: size }, (_, b) =>
      apply(
        prim(),
        inputs.map((x, i) =>
          batched[i]
            ? ops.reshape(
                ops.slice(
                  x,
                  x.shape.map((_, j) => (j === 0 ? b : 0)),
                  x.shape.map((d, j) => (j === 0 ? b + 1 : d)),
                ),
                x.shape.slice(1),
              )
            : x,
        ),
        params,
      ),
    )
    return ops.stack(rows, 0)
  }

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
