/**
 * Explicit, splittable, counter-based randomness (the JAX design). A `Key` is an immutable value;
 * every sampler is a pure function of its key, so the same key always gives the same numbers, on
 * every run and every platform. To draw twice, `split` the key first; never reuse a key for two
 * different purposes.
 *
 * ## Algorithm
 * - The generator is **Threefry-2x32 with 20 rounds** (Salmon et al., "Parallel random numbers:
 *   as easy as 1, 2, 3", SC 2011): a keyed bijection of a 64-bit counter. `threefry2x32` passes the
 *   Random123 known-answer vectors. All arithmetic is on 32-bit unsigned words, so results do not
 *   depend on the platform.
 * - A key is two 32-bit words `[hi, lo]`. `key(seed)` is `[high 32 bits, low 32 bits]` of the seed as
 *   a 64-bit two's-complement integer (`key(42)` is `[0, 42]`, as `jax.random.key(42)`).
 * - The i-th element of any draw (row-major) comes from the block `threefry2x32(key, [0, i])`:
 *   32 random bits are `x0 ^ x1`, 64 random bits are `x0 · 2³² + x1`. This is JAX's layout with
 *   `jax_threefry_partitionable` (the default since JAX 0.5), so `split` and float32 `uniform`
 *   match JAX bit for bit.
 * - `split(key, n)[i]` is the block `threefry2x32(key, [0, i])` itself; `foldIn(key, d)` is the block
 *   at counter `d` (so `foldIn(key, i)` equals `split(key, n)[i]`, as in JAX).
 *
 * ## Bits to floats
 * - float32 `uniform`: the top 23 of 32 bits become the mantissa of a number in [1, 2), minus 1:
 *   `u = (bits >>> 9) · 2⁻²³` in [0, 1), then `min + u · (max − min)` in float32 arithmetic.
 * - float64 `uniform`: the top 52 of 64 bits: `u = (bits >>> 12) · 2⁻⁵²` in [0, 1).
 * - Results are clamped into [min, max): rounding can never return `max`.
 * - `normal` uses the Box–Muller transform on two float64 uniforms from `split(key)`:
 *   `z = √(−2 ln(1 − u₁)) · cos(2π u₂)`, computed in float64 and rounded once to the dtype (|z| ≤ 8.5).
 * - `randint` and `permutation` draw exact uniform integers by rejection: attempt `a` for element
 *   `i` uses the 32 bits of block `[a, i]` and is rejected when it falls in the biased tail.
 *
 * @module random
 */
import {
  ArgumentError,
  allocate,
  type DType,
  DTypeError,
  describe,
  isDType,
  type Mutable,
  makeTensor,
  type Shape,
  type Storage,
  sizeOf,
  type Tensor,
  validateShape,
} from '../tensor/internal.js'

// ---------------------------------------------------------------------------------------------
// Threefry-2x32

const rotations = [13, 15, 26, 6, 17, 29, 16, 24] as const
const parity = 0x1bd11bda

/** One Threefry-2x32-20 block into `out[0]`, `out[1]` (no allocation: the hot loop). */
const block = (k0: number, k1: number, c0: number, c1: number, out: Uint32Array): void => {
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ parity) >>> 0] as const
  let x0 = (c0 + ks[0]) >>> 0
  let x1 = (c1 + ks[1]) >>> 0
  for (let group = 0; group < 5; group++) {
    for (let r = 0; r < 4; r++) {
      const rot = rotations[(group % 2) * 4 + r]!
      x0 = (x0 + x1) >>> 0
      x1 = ((x1 << rot) | (x1 >>> (32 - rot))) ^ x0
    }
    x0 = (x0 + ks[(group + 1) % 3]!) >>> 0
    x1 = (x1 + ks[(group + 2) % 3]! + group + 1) >>> 0
  }
  out[0] = x0
  out[1] = x1
}

const scratch = new Uint32Array(2)

/**
 * The Threefry-2x32 block cipher with 20 rounds: encrypts the counter `[c0, c1]` under the key
 * `[k0, k1]`. Every word is an unsigned 32-bit integer.
 * @example
 * import { threefry2x32 } from './random.js'
 * threefry2x32([0, 0], [0, 0]) // [0x6b200159, 0x99ba4efe] (Random123 known answer)
 */
export const threefry2x32 = (
  key: readonly [number, number],
  counter: readonly [number, number],
): [number, number] => {
  for (const [name, words] of [
    ['key', key],
    ['counter', counter],
  ] as const)
    if (!Array.isArray(words) || words.length !== 2 || !words.every(isWord))
      throw new ArgumentError(
        'threefry2x32',
        `${name} must be two unsigned 32-bit integers, got ${show(words)}`,
      )
  block(key[0], key[1], counter[0], counter[1], scratch)
  return [scratch[0]!, scratch[1]!]
}

const isWord = (w: unknown): w is number =>
  typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < 2 ** 32
const show = (v: unknown): string => (Array.isArray(v) ? `[${v.map(describe).join(',')}]` : describe(v))

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

const checkKey = (op: string, value: unknown): Key => {
  if (!isKey(value))
    throw new ArgumentError(op, `key must be a PRNG key made by key(seed) or split(), got ${describe(value)}`)
  return value
}

const checkInteger = (op: string, name: string, value: unknown, min: number, max: number): number => {
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
const uniform52 = (k: Key, n: number): Float64Array => {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    block(k.hi, k.lo, 0, i, scratch)
    out[i] = (scratch[0]! * 2 ** 20 + (scratch[1]! >>> 12)) * 2 ** -52
  }
  return out
}

/** An exact uniform integer in [0, range) for element `i` (range ≤ 2³²), by rejection. */
const boundedInt = (k: Key, i: number, range: number): number => {
  const limit = 2 ** 32 - (2 ** 32 % range)
  for (let attempt = 0; attempt < 2 ** 32; attempt++) {
    block(k.hi, k.lo, attempt, i, scratch)
    const w = (scratch[0]! ^ scratch[1]!) >>> 0
    if (w < limit) return w % range
  }
  // Unreachable: each attempt is rejected with probability < 1/2.
  throw new ArgumentError('randint', `rejection sampling for a range of ${range} did not terminate`)
}

// ---------------------------------------------------------------------------------------------
// Samplers

/**
 * The dtype option of every sampler (default float32).
 * @example
 * import { key, normal } from 'nabla'
 * normal(key(0), [2], { dtype: 'float64' })
 */
export interface SampleOptions<D extends DType> {
  readonly dtype?: D
}

const dtypeOf = <D extends DType>(op: string, options: SampleOptions<D> | undefined): D => {
  const dtype = options?.dtype ?? 'float32'
  if (!isDType(dtype))
    throw new DTypeError(op, `dtype must be 'float32' or 'float64', got ${describe(dtype)}`)
  return dtype as D
}

const checkFinite = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ArgumentError(op, `${name} must be a finite number, got ${describe(value)}`)
  return value
}

const finish = <S extends Shape, D extends DType>(shape: Shape, dtype: D, data: Storage<D>) =>
  makeTensor(shape as Mutable<S>, dtype, data)

/**
 * Uniform samples in [min, max) (defaults 0 and 1). See the module header for the bit layout.
 * @example
 * import { key, uniform } from 'nabla'
 * uniform(key(0), [2, 3])                                  // Tensor<[2, 3], 'float32'> in [0, 1)
 * uniform(key(1), [4], { min: -1, max: 1, dtype: 'float64' }) // Tensor<[4], 'float64'>
 */
export const uniform = <const S extends Shape, D extends DType = 'float32'>(
  k: Key,
  shape: S,
  options?: SampleOptions<D> & { readonly min?: number; readonly max?: number },
): Tensor<Mutable<S>, D> => {
  const parent = checkKey('uniform', k)
  const s = validateShape('uniform', shape)
  const dtype = dtypeOf('uniform', options)
  const round = dtype === 'float32' ? Math.fround : (x: number) => x
  const min = round(checkFinite('uniform', 'min', options?.min ?? 0))
  const max = round(checkFinite('uniform', 'max', options?.max ?? 1))
  const span = round(max - min)
  if (!(min < max) || !Number.isFinite(span))
    throw new ArgumentError(
      'uniform',
      `needs min < max with a finite difference, got min ${min} and max ${max}`,
    )
  const n = sizeOf(s)
  const data = allocate(dtype, n)
  // the largest value below max in the dtype
  const below = dtype === 'float32' ? nextDown32(max) : nextDown64(max)
  if (dtype === 'float32') {
    const bits = randomBits(parent, n)
    for (let i = 0; i < n; i++) {
      const u = (bits[i]! >>> 9) * 2 ** -23
      const v = Math.fround(Math.fround(u * span) + min)
      data[i] = v < min ? min : v >= max ? below : v
    }
  } else {
    const u = uniform52(parent, n)
    for (let i = 0; i < n; i++) {
      const v = u[i]! * span + min
      data[i] = v < min ? min : v >= max ? below : v
    }
  }
  return finish<S, D>(s, dtype, data)
}

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)
const nextDown32 = (x: number): number => {
  f32[0] = x
  if (x === 0) return -(2 ** -149)
  u32[0] = x > 0 ? u32[0]! - 1 : u32[0]! + 1
  return f32[0]!
}
const f64 = new Float64Array(1)
const u64 = new BigUint64Array(f64.buffer)
const nextDown64 = (x: number): number => {
  f64[0] = x
  if (x === 0) return -Number.MIN_VALUE
  u64[0] = x > 0 ? u64[0]! - 1n : u64[0]! + 1n
  return f64[0]!
}

/**
 * Normal samples with mean `mean` (default 0) and standard deviation `std` (default 1, ≥ 0).
 * @example
 * import { key, normal } from 'nabla'
 * normal(key(0), [784, 128], { std: 0.05 }) // Tensor<[784, 128], 'float32'>
 */
export const normal = <const S extends Shape, D extends DType = 'float32'>(
  k: Key,
  shape: S,
  options?: SampleOptions<D> & { readonly mean?: number; readonly std?: number },
): Tensor<Mutable<S>, D> => {
  const parent = checkKey('normal', k)
  const s = validateShape('normal', shape)
  const dtype = dtypeOf('normal', options)
  const mean = checkFinite('normal', 'mean', options?.mean ?? 0)
  const std = checkFinite('normal', 'std', options?.std ?? 1)
  if (std < 0) throw new ArgumentError('normal', `std must be ≥ 0, got ${std}`)
  const n = sizeOf(s)
  const [k1, k2] = split(parent)
  const u1 = uniform52(k1, n)
  const u2 = uniform52(k2, n)
  const data = allocate(dtype, n)
  for (let i = 0; i < n; i++)
    data[i] = mean + std * Math.sqrt(-2 * Math.log1p(-u1[i]!)) * Math.cos(2 * Math.PI * u2[i]!)
  return finish<S, D>(s, dtype, data)
}

/**
 * Bernoulli samples: 1 with probability `p` (default 0.5, in [0, 1]), else 0, as floats.
 * Element i is 1 when its float64 uniform is below `p`, so `p = 0` never and `p = 1` always gives 1.
 * @example
 * import { bernoulli, key } from 'nabla'
 * const keep = bernoulli(key(0), [128], 0.9) // a dropout mask of 0s and 1s
 */
export const bernoulli = <const S extends Shape, D extends DType = 'float32'>(
  k: Key,
  shape: S,
  p = 0.5,
  options?: SampleOptions<D>,
): Tensor<Mutable<S>, D> => {
  const parent = checkKey('bernoulli', k)
  const s = validateShape('bernoulli', shape)
  const dtype = dtypeOf('bernoulli', options)
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new ArgumentError('bernoulli', `p must be a probability in [0, 1], got ${describe(p)}`)
  const u = uniform52(parent, sizeOf(s))
  const data = allocate(dtype, u.length)
  for (let i = 0; i < u.length; i++) data[i] = u[i]! < p ? 1 : 0
  return finish<S, D>(s, dtype, data)
}

/**
 * Uniform integers in [min, max) (min defaults to 0), exactly uniform (rejection sampling), held
 * as floats. `max − min` may be at most 2³², and for float32 the bounds must lie within ±2²⁴ so
 * every integer is representable.
 * @example
 * import { key, randint } from 'nabla'
 * randint(key(0), [5], { max: 10 }) // five labels in 0..9
 */
export const randint = <const S extends Shape, D extends DType = 'float32'>(
  k: Key,
  shape: S,
  options: SampleOptions<D> & { readonly min?: number; readonly max: number },
): Tensor<Mutable<S>, D> => {
  const parent = checkKey('randint', k)
  const s = validateShape('randint', shape)
  const dtype = dtypeOf('randint', options)
  const bound = dtype === 'float32' ? 2 ** 24 : Number.MAX_SAFE_INTEGER
  const min = checkInteger('randint', 'min', options?.min ?? 0, -bound, bound)
  const max = checkInteger('randint', 'max', options?.max, -bound, bound)
  if (!(min < max) || max - min > 2 ** 32)
    throw new ArgumentError('randint', `needs min < max ≤ min + 2^32, got min ${min} and max ${max}`)
  const n = sizeOf(s)
  const data = allocate(dtype, n)
  for (let i = 0; i < n; i++) data[i] = min + boundedInt(parent, i, max - min)
  return finish<S, D>(s, dtype, data)
}

/**
 * A uniformly random permutation of `0 … n−1` as a plain `number[]` (indices are for
 * selecting rows, not for differentiating, so no tensor). Fisher–Yates: the swap partner of
 * position `i` is an exact uniform integer in [0, i] drawn from the key's stream at element `i`.
 * @example
 * import { key, permutation } from 'nabla'
 * permutation(key(0), 5) // [3, 2, 4, 1, 0]
 */
export const permutation = (k: Key, n: number): number[] => {
  const parent = checkKey('permutation', k)
  const count = checkInteger('permutation', 'n', n, 0, 2 ** 31 - 1)
  const out = Array.from({ length: count }, (_, i) => i)
  for (let i = count - 1; i > 0; i--) {
    const j = boundedInt(parent, i, i + 1)
    const t = out[i]!
    out[i] = out[j]!
    out[j] = t
  }
  return out
}
