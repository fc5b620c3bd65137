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
 * Runs `each(shift, logTotal, base, stride)` for every row along `axis`: `shift` is the row's finite
 * maximum (0 if none), `logTotal` is log Σ e^(x − shift), and the row's j-th element is at flat index
 * `base + j · stride` of `x`'s storage. (Plain index arithmetic, no closure per row: a row of a
 * [128, 10] batch is ten numbers, so per-row closures cost more than the row.)
 */
export const softmaxRows = (
  x: AnyTensor,
  axis: number,
  each: (shift: number, logTotal: number, base: number, stride: number) => void,
): void => {
  const data = storage(x)
  const n = x.shape[axis]!
  const inner = sizeOf(x.shape.slice(axis + 1))
  const outer = sizeOf(x.shape.slice(0, axis))
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i
      let m = Number.NEGATIVE_INFINITY
      for (let j = 0; j < n; j++) m = Math.max(m, data[base + j * inner]!)
      const shift = Number.isFinite(m) ? m : 0
      let total = 0
      for (let j = 0; j < n; j++) total += Math.exp(data[base + j * inner]! - shift)
      each(shift, Math.log(total), base, inner)
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
    const data = storage(x!)
    const n = x!.shape[axis]!
    softmaxRows(x!, axis, (shift, logTotal, base, stride) => {
      for (let j = 0, k = base; j < n; j++, k += stride) out[k] = Math.exp(data[k]! - shift - logTotal)
    })
    return out
  },
  vjp: (ops, ct, out, _inputs, { axis }) => [
    ops.mul(out, ops.sub(ct, ops.sum(ops.mul(ct, out), axis, { keepdims: true }))),
  ],
  domain: softmaxDomain,
  batch: batchSoftmax(() => softmaxPrim),
})
