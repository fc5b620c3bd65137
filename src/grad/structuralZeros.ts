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
 * its flat positions, `'all'`, or undefined (none known). Inside `jit` and `vmap` a mask computed
 * from traced tensors is itself a tensor (0/1, the cotangent's shape), combined with tensor ops so
 * the compiled or batched program computes it for each call's values.
 */
export type Unreached = Uint8Array | AnyTensor | 'all' | undefined

/** A mask of values as flat bytes; a traced mask (no values while tracing) stays a tensor. */
export const settleMask = (mask: AnyTensor | undefined): Unreached =>
  mask === undefined || !hasValues(mask) ? mask : Uint8Array.from(storage(mask), (v) => (v === 0 ? 0 : 1))

/** A mask as a 0/1 tensor shaped like `like`. */
export const asMask = (mask: Uint8Array | AnyTensor, like: AnyTensor): AnyTensor =>
  mask instanceof Uint8Array ? makeTensor(like.shape, like.dtype, storageFrom(like.dtype, mask)) : mask

// two masks of one cotangent combined by a tensor op (a byte mask takes the other's shape and dtype)
const combine = (a: Uint8Array | AnyTensor, b: Uint8Array | AnyTensor, op: typeof ops.maximum): AnyTensor => {
  const like = (a instanceof Uint8Array ? b : a) as AnyTensor
  const [x, y] = [a, b].map((m) => ops.cast(asMask(m, like), like.dtype))
  return op(x!, y!)
}

/** Elements structurally zero in both (where two cotangents are added). */
export const intersect = (a: Unreached, b: Unreached): Unreached => {
  if (a === undefined || b === undefined) return undefined
  if (a === 'all') return b
  if (b === 'all') return a
  if (!(a instanceof Uint8Array && b instanceof Uint8Array)) return combine(a, b, ops.minimum)
  return a.length === b.length ? a.map((v, k) => v & b[k]!) : undefined
}

/** Elements structurally zero in either. */
export const union = (a: Unreached, b: Unreached): Unreached => {
  if (a === undefined) return b
  if (b === undefined) return a
  if (a === 'all' || b === 'all') return 'all'
  if (!(a instanceof Uint8Array && b instanceof Uint8Array)) return combine(a, b, ops.maximum)
  return a.length === b.length ? a.map((v, k) => v | b[k]!) : undefined
}

/** Whether every element is structurally zero (a traced mask is not known to be). */
export const allZero = (zeros: Unreached): boolean =>
  zeros === 'all' || (zeros instanceof Uint8Array && zeros.every((v) => v === 1))

/**
 * Strong zeros: where an element of the output's cotangent is structurally zero (the branch `where`
 * did not take), the input's cotangent is 0 even where the rule computed 0 · ∞ or 0 · NaN. A zero
 * that is a value (1/∞) is not structural and keeps IEEE semantics. When every value is finite
 * this costs one scan.
 */
export const dropNonFinite = (g: AnyTensor, unreached: Unreached): AnyTensor => {
  const zeros = unreached instanceof Uint8Array || unreached === 'all' ? unreached : settleMask(unreached)
  if (zeros === undefined) return g
  // a traced mask, or g inside vmap (jacrev, hessian) or jit standing for other values than its
  // storage holds: zero those positions outright (they hold ±0 or a non-finite value), with tensor
  // ops the compiled or batched program repeats for each call
  if (!(zeros === 'all' || zeros instanceof Uint8Array) || !hasValues(g)) {
    // (a mask has its cotangent's shape; 'all' is a scalar 1 that broadcasts)
    const mask = zeros === 'all' ? makeTensor([], g.dtype, allocate(g.dtype, 1).fill(1)) : asMask(zeros, g)
    return ops.where(ops.cast(mask, g.dtype), 0, g)
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
