/**
 * The structural-zero algebra of the reverse sweep (internal). A cotangent element is
 * *structurally* zero when no path from the output reaches it with a value — the branch a `where`
 * did not take — as opposed to a zero that is a value (1/∞). The sweep carries, next to each
 * cotangent, which of its elements are structural zeros (`Unreached`), and `dropNonFinite` makes
 * them strong: 0 · ∞ and 0 · NaN stay 0 there, so the gradient of `where(x > 0, sqrt(x), 0)` at
 * x = 0 is 0, not NaN.
 *
 * Laws: `intersect` (two cotangents meet at a fan-out: an element is structurally zero only when
 * it is in both) and `union` (a rule's own unselected elements add to the incoming ones) are
 * commutative and associative, with `'all'` the identity of `intersect` and `undefined` that of
 * `union`; `undefined` (nothing known) absorbs `intersect` and `'all'` absorbs `union`.
 *
 * @module structuralZeros
 */
import {
  type AnyTensor,
  allocate,
  hasValues,
  makeTensor,
  ops,
  storage,
  storageFrom,
} from '../tensor/internal.js'

/**
 * Elements of a cotangent known to be zero whatever the values upstream: a mask (1 = zero) over
 * its flat positions, `'all'`, or undefined (none known).
 */
export type Unreached = Uint8Array | 'all' | undefined

/** Elements structurally zero in both (where two cotangents are added). */
export const intersect = (a: Unreached, b: Unreached): Unreached => {
  if (a === undefined || b === undefined) return undefined
  if (a === 'all') return b
  if (b === 'all') return a
  return a.length === b.length ? a.map((v, k) => v & b[k]!) : undefined
}

/** Elements structurally zero in either. */
export const union = (a: Unreached, b: Unreached): Unreached => {
  if (a === undefined) return b
  if (b === undefined) return a
  if (a === 'all' || b === 'all') return 'all'
  return a.length === b.length ? a.map((v, k) => v | b[k]!) : undefined
}

/** Whether every element is structurally zero. */
export const allZero = (zeros: Unreached): boolean => zeros === 'all' || zeros?.every((v) => v === 1) === true

/**
 * Strong zeros: where an element of the output's cotangent is structurally zero (the branch `where`
 * did not take), the input's cotangent is 0 even where the rule computed 0 · ∞ or 0 · NaN. A zero
 * that is a value (1/∞) is not structural and keeps IEEE semantics. When every value is finite
 * this costs one scan.
 */
export const dropNonFinite = (g: AnyTensor, zeros: Unreached): AnyTensor => {
  if (zeros === undefined) return g
  // inside vmap (jacrev, hessian) g stands for a batch of cotangents and its storage is a stand-in:
  // the structural zeros are the same for every example, so zero those positions outright (they
  // hold ±0 or a non-finite value)
  if (!hasValues(g)) {
    const mask = zeros === 'all' ? allocate(g.dtype, 1).fill(1) : storageFrom(g.dtype, zeros)
    return ops.where(makeTensor(zeros === 'all' ? [] : g.shape, g.dtype, mask), 0, g)
  }
  const values = storage(g)
  let first = 0
  while (first < values.length && Number.isFinite(values[first]!)) first++
  if (first === values.length) return g
  const mask = allocate(g.dtype, values.length)
  let masked = false
  for (let k = first; k < values.length; k++)
    if ((zeros === 'all' || zeros[k] === 1) && !Number.isFinite(values[k]!)) {
      mask[k] = 1
      masked = true
    }
  return masked ? ops.where(makeTensor(g.shape, g.dtype, mask), 0, g) : g
}
