/**
 * Samplers: `uniform`, `normal`, `bernoulli`, `randint` and `permutation`, each a pure function of
 * its key (the bits-to-floats rules are in random/index.ts).
 *
 * @module random/samplers
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
} from '../../tensor/internal.js'
import { boundedInt, checkInteger, checkKey, type Key, randomBits, split, uniform52 } from './keys.js'

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
