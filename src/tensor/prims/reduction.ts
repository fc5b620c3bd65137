/**
 * Shared shape rule of the reductions `sum`, `max` and `min`: which axes, and whether they are kept
 * as size-1 dimensions.
 *
 * @module prims/reduction
 */
import type { Arbitrary } from 'fast-check'
import { apply } from '../dispatch.js'
import { allocate } from '../dtype.js'
import { ArgumentError, formatShape } from '../errors.js'
import { kernels, type ReduceKind } from '../kernels/index.js'
import {
  type BatchRule,
  type DomainCase,
  type DomainTools,
  definePrim,
  type OutputSpec,
  type Prim,
} from '../prim.js'
import { sizeOf } from '../shape.js'
import { type AnyTensor, storage } from '../tensor.js'

/** Parameters of a reduction: normalised, sorted axes and whether to keep them. */
export interface ReduceParams {
  readonly axes: readonly number[]
  readonly keepdims: boolean
}

/** The output shape of a reduction. */
export const reducedShape = (shape: readonly number[], { axes, keepdims }: ReduceParams): number[] =>
  keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i))

/** Shape rule; `max`/`min` over an empty axis have no identity and are errors. */
export const inferReduce =
  (kind: ReduceKind) =>
  ([x]: readonly AnyTensor[], params: ReduceParams): OutputSpec => {
    if (kind !== 'sum' && params.axes.some((a) => x!.shape[a] === 0))
      throw new ArgumentError(
        kind,
        `cannot take the ${kind} over an empty axis of a tensor of shape ${formatShape(x!.shape)}`,
      )
    return { shape: reducedShape(x!.shape, params), dtype: x!.dtype }
  }

/** Forward kernel of a reduction. */
export const forwardReduce =
  (kind: ReduceKind) =>
  ([x]: readonly AnyTensor[], params: ReduceParams, { shape, dtype }: OutputSpec) => {
    const out = allocate(dtype, sizeOf(shape))
    kernels().reduce(kind, storage(x!), x!.shape, params.axes, out)
    return out
  }

/** The batching rule of a reduction: the same reduction, each axis one further along. */
export const batchReduce =
  (prim: () => Prim<ReduceParams>): BatchRule<ReduceParams> =>
  (_ops, [x], _batched, { axes, keepdims }) =>
    apply(prim(), [x!], { axes: axes.map((a) => a + 1), keepdims })

/** A tensor with random axes to reduce and a random keepdims flag (distinct values: no ties). */
export const reduceDomain =
  (minDim: number, distinct = false) =>
  (t: DomainTools): Arbitrary<DomainCase<ReduceParams>> =>
    t
      .shape({ minDim })
      .chain((shape) =>
        t.fc.tuple(
          distinct ? t.distinctTensor(shape) : t.tensor(shape, { min: -3, max: 3 }),
          t.fc.subarray(shape.map((_, i) => i)),
          t.fc.boolean(),
        ),
      )
      .map(([x, axes, keepdims]) => ({ inputs: [x], params: { axes, keepdims } }))

/**
 * `max` or `min` over some axes: the two differ only in their name. The gradient is split equally
 * among the elements that tie for the extreme value (as in JAX).
 */
export const extremumPrim = (kind: 'max' | 'min'): Prim<ReduceParams> => {
  const prim: Prim<ReduceParams> = definePrim<ReduceParams>({
    name: kind,
    infer: inferReduce(kind),
    forward: forwardReduce(kind),
    vjp: (ops, ct, out, [x], { axes }) => {
      const kept = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      const mask = ops.equal(x!, ops.reshape(out, kept))
      const ties = ops.sum(mask, axes, { keepdims: true })
      return [ops.mul(ops.div(mask, ties), ops.reshape(ct, kept))]
    },
    batch: batchReduce(() => prim),
    domain: reduceDomain(1, true),
  })
  return prim
}
