/**
 * PRNG keys (`key`, `split`, `foldIn`, `keyData`, `wrapKey`) and the raw bits drawn from them:
 * element `i` of a draw is the Threefry block of the key at counter `[0, i]` (see random/index.ts).
 *
 * @module random/keys
 */
import { ArgumentError, describe } from '../../tensor/internal.js'
import { block, isWord, scratch, show } from './threefry.js'

// ---------------------------------------------------------------------------------------------
// Keys

/**
 * A PRNG key: an immutable pair of unsigned 32-bit words. Make one with `key(seed)`.
 * @example
 * import { type Key, key } from 'nabla'
 * const k: Key = key(0) // { kind: 'nabla.Key', hi: 0, lo: 0 }
 */
export interface Key {
  readonly kind: 'nabla.Key'
  readonly hi: number
  readonly lo: number
}

const makeKey = (hi: number, lo: number): Key =>
  Object.freeze({ kind: 'nabla.Key', hi: hi >>> 0, lo: lo >>> 0 })

/**
 * Whether a value is a PRNG key.
 * @example
 * import { isKey, key } from 'nabla'
 * isKey(key(0)) // true
 * isKey([0, 0]) // false
 */
export const isKey = (value: unknown): value is Key =>
  typeof value === 'object' &&
  value !== null &&
  (value as Key).kind === 'nabla.Key' &&
  isWord((value as Key).hi) &&
  isWord((value as Key).lo)

/** The key argument of `op`, or an `ArgumentError`. */
export const checkKey = (op: string, value: unknown): Key => {
  if (!isKey(value))
    throw new ArgumentError(op, `key must be a PRNG key made by key(seed) or split(), got ${describe(value)}`)
  return value
}

/** An integer argument in [min, max], or an `ArgumentError`. */
export const checkInteger = (op: string, name: string, value: unknown, min: number, max: number): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ArgumentError(op, `${name} must be an integer in [${min}, ${max}], got ${describe(value)}`)
  return value
}

/** The two 32-bit words of a safe integer in 64-bit two's complement. */
const words64 = (value: number): [number, number] => [Math.floor(value / 2 ** 32) >>> 0, value >>> 0]

/**
 * A key from an integer seed (any safe integer; negative seeds wrap as 64-bit two's complement).
 * @example
 * import { key, keyData } from 'nabla'
 * keyData(key(42)) // [0, 42], like jax.random.key(42)
 */
export const key = (seed: number): Key => {
  const s = checkInteger('key', 'seed', seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  const [hi, lo] = words64(s)
  return makeKey(hi, lo)
}

/**
 * The two words of a key, `[hi, lo]`: what a checkpoint stores to resume a run.
 * @example
 * import { key, keyData } from 'nabla'
 * keyData(key(-1)) // [4294967295, 4294967295]
 */
export const keyData = (k: Key): [number, number] => {
  const checked = checkKey('keyData', k)
  return [checked.hi, checked.lo]
}

/**
 * A key from its two words (the inverse of `keyData`).
 * @example
 * import { key, keyData, wrapKey } from 'nabla'
 * wrapKey(keyData(key(7))) // equal to key(7)
 */
export const wrapKey = (words: readonly [number, number]): Key => {
  if (!Array.isArray(words) || words.length !== 2 || !words.every(isWord))
    throw new ArgumentError('wrapKey', `words must be two unsigned 32-bit integers, got ${show(words)}`)
  return makeKey(words[0], words[1])
}

/**
 * A tuple of `N` keys for literal `N` up to 32, so `const [a, b] = split(k)` needs no checks.
 * @example
 * import { type Keys, key, split } from 'nabla'
 * const keys: Keys<3> = split(key(0), 3) // readonly [Key, Key, Key]
 */
export type Keys<N extends number, Acc extends Key[] = []> = number extends N
  ? readonly Key[]
  : Acc['length'] extends N
    ? Readonly<Acc>
    : Acc['length'] extends 32
      ? readonly Key[]
      : Keys<N, [...Acc, Key]>

/**
 * `n` new independent keys (default 2). Use one and pass the others on; do not use `k` again.
 * @example
 * import { key, normal, split } from 'nabla'
 * const [k1, k2] = split(key(0))
 * const w = normal(k1, [3, 4])
 * const [a, b, c] = split(k2, 3)
 */
export const split = <N extends number = 2>(k: Key, n?: N): Keys<N> => {
  const parent = checkKey('split', k)
  const count = checkInteger('split', 'n', n ?? 2, 0, 2 ** 32 - 1)
  const keys: Key[] = []
  for (let i = 0; i < count; i++) {
    block(parent.hi, parent.lo, 0, i, scratch)
    keys.push(makeKey(scratch[0]!, scratch[1]!))
  }
  return Object.freeze(keys) as unknown as Keys<N>
}

/**
 * A new key derived from `k` and an integer (a step number, a layer index, a class label):
 * `foldIn(k, d)` is the Threefry block of `k` at counter `d`.
 * @example
 * import { foldIn, key } from 'nabla'
 * const stepKey = foldIn(key(0), 17)
 */
export const foldIn = (k: Key, data: number): Key => {
  const parent = checkKey('foldIn', k)
  const d = checkInteger('foldIn', 'data', data, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  const [hi, lo] = words64(d)
  block(parent.hi, parent.lo, hi, lo, scratch)
  return makeKey(scratch[0]!, scratch[1]!)
}

// ---------------------------------------------------------------------------------------------
// Raw bits

/**
 * `n` random 32-bit words: word `i` is `x0 ^ x1` of the block at counter `[0, i]` (as JAX).
 * @example
 * import { key, randomBits } from 'nabla'
 * randomBits(key(0), 4) // a Uint32Array of 4 words
 */
export const randomBits = (k: Key, n: number): Uint32Array => {
  const parent = checkKey('randomBits', k)
  const count = checkInteger('randomBits', 'n', n, 0, 2 ** 31 - 1)
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    block(parent.hi, parent.lo, 0, i, scratch)
    out[i] = scratch[0]! ^ scratch[1]!
  }
  return out
}

/** Float64 uniforms in [0, 1) with 52 random bits each (the top 52 of `x0 · 2³² + x1`). */
export const uniform52 = (k: Key, n: number): Float64Array => {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    block(k.hi, k.lo, 0, i, scratch)
    out[i] = (scratch[0]! * 2 ** 20 + (scratch[1]! >>> 12)) * 2 ** -52
  }
  return out
}

/** An exact uniform integer in [0, range) for element `i` (range ≤ 2³²), by rejection. */
export const boundedInt = (k: Key, i: number, range: number): number => {
  const limit = 2 ** 32 - (2 ** 32 % range)
  for (let attempt = 0; attempt < 2 ** 32; attempt++) {
    block(k.hi, k.lo, attempt, i, scratch)
    const w = (scratch[0]! ^ scratch[1]!) >>> 0
    if (w < limit) return w % range
  }
  // Unreachable: each attempt is rejected with probability < 1/2.
  throw new ArgumentError('randint', `rejection sampling for a range of ${range} did not terminate`)
}
