/**
 * `softmax`: e^(x − max) / Σ e^(x − max) along one axis, as a primitive with its own vjp rule
 * `y ⊙ (c − Σ c ⊙ y)` (PyTorch's `_softmax_backward_data`). The rule is written with `softmax`
 * itself through its output, so second derivatives are the analytic ones — no rounding residue of a
 * composite `exp(x − m − log Σ e^(x−m))` where the exact answer is 0 or the softmax saturates.
 * Rows are computed in float64 and shifted by their maximum (0 when it is not finite), so ±1000
 * logits are exact. Shared with `logSoftmax`: `softmaxRows` and the axis params.
 *
 * @module prims/softmax
 */
import type { Arbitrary } from 'fast-check'
import { apply } from '../dispatch.js'
import { allocate, type Storage } from '../dtype.js'
import type { BatchRule, DomainCase, DomainTools, Prim } from '../prim.js'
import { definePrim } from '../prim.js'
import { sizeOf } from '../shape.js'
import { type AnyTensor, storage } from '../tensor.js'

/** The (non-negative, normalised) axis the softmax runs along. */
export interface SoftmaxParams {
  readonly axis: number
}

/**
 * Runs `row(shift, logTotal, read, write)` for every row along `axis`: `shift` is the row's finite
 * maximum (0 if none), `logTotal` is log Σ e^(x − shift); `read(j)` and `write(j, v)` address the
 * row's j-th element.
 */
export const softmaxRows = (
  x: AnyTensor,
  axis: number,
  each: (shift: number, logTotal: number, read: (j: number) => number, at: (j: number) => number) => void,
): void => {
  const data = storage(x)
  const n = x.shape[axis]!
  const inner = sizeOf(x.shape.slice(axis + 1))
  const outer = sizeOf(x.shape.slice(0, axis))
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i
      const at = (j: number) => base + j * inner
      const read = (j: number) => data[at(j)]!
      let m = Number.NEGATIVE_INFINITY
      for (let j = 0; j < n; j++) m = Math.max(m, read(j))
      const shift = Number.isFinite(m) ? m : 0
      let total = 0
      for (let j = 0; j < n; j++) total += Math.exp(read(j) - shift)
      each(shift, Math.log(total), read, at)
    }
}

/** The batching rule of softmax and logSoftmax: the same primitive, its axis one further along. */
export const batchSoftmax =
  (prim: () => Prim<SoftmaxParams>): BatchRule<SoftmaxParams> =>
  (_ops, [x], _batched, { axis }) =>
    apply(prim(), [x!], { axis: axis + 1 })

/** Rank 1–3 tensors with a non-empty softmax axis, values in [−3, 3] plus some saturating rows. */
export const softmaxDomain = (t: DomainTools): Arbitrary<DomainCase<SoftmaxParams>> =>
  t
    .shape({ minRank: 1, maxRank: 3, minDim: 1 })
    .chain((shape) =>
      t.fc.tuple(
        t.fc.oneof(t.tensor(shape, { min: -3, max: 3 }), t.tensor(shape, { min: -12, max: 12 })),
        t.fc.integer({ min: 0, max: shape.length - 1 }),
      ),
    )
    .map(([x, axis]) => ({ inputs: [x], params: { axis } }))

export const softmaxPrim: Prim<SoftmaxParams> = definePrim<SoftmaxParams>({
  name: 'softmax',
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  forward: ([x], { axis }, { dtype }) => {
    const out: Storage = allocate(dtype, x!.size)
    softmaxRows(x!, axis, (shift, logTotal, read, at) => {
      for (let j = 0; j < x!.shape[axis]!; j++) out[at(j)] = Math.exp(read(j) - shift - logTotal)
    })
    return out
  },
  vjp: (ops, ct, out, _inputs, { axis }) => [
    ops.mul(out, ops.sub(ct, ops.sum(ops.mul(ct, out), axis, { keepdims: true }))),
  ],
  domain: softmaxDomain,
  batch: batchSoftmax(() => softmaxPrim),
})
