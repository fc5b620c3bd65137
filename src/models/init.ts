/**
 * Weight initialisers: functions of an explicit PRNG key, so the same key always gives the same
 * weights. Each takes a key and a weight shape `[..., fanIn, fanOut]` (a dense layer's `[in, out]`;
 * leading axes, as in convolution kernels, multiply both fans) and returns a fresh tensor.
 *
 * | initialiser      | distribution                         | scale                         |
 * | ---------------- | ------------------------------------ | ----------------------------- |
 * | `glorotUniform`  | U(−a, a)                             | a = √(6 / (fanIn + fanOut))   |
 * | `glorotNormal`   | N(0, σ²)                             | σ = √(2 / (fanIn + fanOut))   |
 * | `heUniform`      | U(−a, a)                             | a = √(6 / fanIn)              |
 * | `heNormal`       | N(0, σ²)                             | σ = √(2 / fanIn)              |
 * | `ngUniform`      | U(−ε, ε) (symmetry breaking)         | ε = √6 / √(L_in + L_out)      |
 *
 * Glorot & Bengio (2010) for tanh/sigmoid layers; He et al. (2015) for ReLU layers; Andrew Ng's
 * machine-learning course breaks the symmetry of a network with ε = √6/√(L_in + L_out), which is
 * Glorot's uniform bound (the course's exercise rounds it to 0.12; pass `epsilon` to fix it).
 * The normal variants are plain, untruncated normals.
 *
 * @module init
 */
import { ArgumentError, type DType, formatShape, type Shape, type Tensor, zeros } from '../tensor/index.js'
import type { Mutable } from '../tensor/internal.js'
import { type Key, normal, uniform } from './random/index.js'

/**
 * The dtype option of an initialiser (default float32).
 * @example
 * import { glorotUniform, key } from 'nabla'
 * glorotUniform(key(0), [3, 2], { dtype: 'float64' })
 */
export interface InitOptions<D extends DType> {
  readonly dtype?: D
}

/**
 * An initialiser: key and shape in, a fresh weight tensor out.
 * @example
 * import { heNormal, type Initializer } from 'nabla'
 * const init: Initializer = heNormal
 */
export type Initializer = <const S extends Shape, D extends DType = 'float32'>(
  k: Key,
  shape: S,
  options?: InitOptions<D>,
) => Tensor<Mutable<S>, D>

/**
 * The fans of a weight shape `[..., fanIn, fanOut]`.
 * @example
 * import { fans } from 'nabla'
 * const { fanIn, fanOut } = fans([784, 128])
 */
export interface Fans {
  readonly fanIn: number
  readonly fanOut: number
}

/**
 * The fans of a weight shape: `[in, out]` gives `{ fanIn: in, fanOut: out }`; leading axes (a
 * receptive field) multiply both. Rank below 2 or a zero fan is an `ArgumentError`.
 * @example
 * import { fans } from 'nabla'
 * fans([784, 128]) // { fanIn: 784, fanOut: 128 }
 * fans([3, 3, 16, 32]) // { fanIn: 144, fanOut: 288 }
 */
export const fans = (shape: Shape, op = 'fans'): Fans => {
  if (!Array.isArray(shape) || shape.length < 2)
    throw new ArgumentError(
      op,
      `shape must be [..., fanIn, fanOut] with rank ≥ 2, got ${Array.isArray(shape) ? formatShape(shape) : String(shape)}`,
    )
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1)
  const fanIn = shape[shape.length - 2]! * receptive
  const fanOut = shape[shape.length - 1]! * receptive
  if (!(fanIn > 0 && fanOut > 0))
    throw new ArgumentError(op, `shape ${formatShape(shape)} has a zero fan: nothing to scale by`)
  return { fanIn, fanOut }
}

const uniformWith =
  (op: string, bound: (f: Fans) => number): Initializer =>
  (k, shape, options) => {
    const a = bound(fans(shape, op))
    return uniform(k, shape, {
      min: -a,
      max: a,
      ...(options?.dtype === undefined ? {} : { dtype: options.dtype }),
    })
  }

const normalWith =
  (op: string, std: (f: Fans) => number): Initializer =>
  (k, shape, options) =>
    normal(k, shape, {
      std: std(fans(shape, op)),
      ...(options?.dtype === undefined ? {} : { dtype: options.dtype }),
    })

/**
 * Glorot (Xavier) uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)).
 * @example
 * import { glorotUniform, key } from 'nabla'
 * const w = glorotUniform(key(0), [784, 128]) // Tensor<[784, 128]>, |w| < 0.0815
 */
export const glorotUniform: Initializer = uniformWith('glorotUniform', (f) =>
  Math.sqrt(6 / (f.fanIn + f.fanOut)),
)

/**
 * Glorot (Xavier) normal: N(0, σ²) with σ = √(2 / (fanIn + fanOut)).
 * @example
 * import { glorotNormal, key } from 'nabla'
 * const w = glorotNormal(key(0), [128, 10], { dtype: 'float64' })
 */
export const glorotNormal: Initializer = normalWith('glorotNormal', (f) =>
  Math.sqrt(2 / (f.fanIn + f.fanOut)),
)

/**
 * He (Kaiming) uniform, for ReLU layers: U(−a, a) with a = √(6 / fanIn).
 * @example
 * import { heUniform, key } from 'nabla'
 * const w = heUniform(key(0), [784, 128]) // |w| < 0.0875
 */
export const heUniform: Initializer = uniformWith('heUniform', (f) => Math.sqrt(6 / f.fanIn))

/**
 * He (Kaiming) normal, for ReLU layers: N(0, σ²) with σ = √(2 / fanIn).
 * @example
 * import { heNormal, key } from 'nabla'
 * const w = heNormal(key(0), [784, 128])
 */
export const heNormal: Initializer = normalWith('heNormal', (f) => Math.sqrt(2 / f.fanIn))

/**
 * Options of `ngUniform`: a fixed ε instead of √6/√(L_in + L_out).
 * @example
 * import { key, ngUniform } from 'nabla'
 * ngUniform(key(0), [400, 25], { epsilon: 0.12 })
 */
export interface NgOptions<D extends DType> extends InitOptions<D> {
  readonly epsilon?: number
}

/**
 * Ng's symmetry-breaking initialisation: U(−ε, ε) with ε = √6 / √(L_in + L_out), or a given ε > 0.
 * @example
 * import { key, ngUniform } from 'nabla'
 * ngUniform(key(0), [400, 25])                    // ε = √6/√425 ≈ 0.1188
 * ngUniform(key(0), [400, 25], { epsilon: 0.12 }) // the course's rounded ε
 */
export const ngUniform = <const S extends Shape, D extends DType = 'float32'>(
  k: Key,
  shape: S,
  options?: NgOptions<D>,
): Tensor<Mutable<S>, D> => {
  const f = fans(shape, 'ngUniform')
  const epsilon = options?.epsilon ?? Math.sqrt(6) / Math.sqrt(f.fanIn + f.fanOut)
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0)
    throw new ArgumentError('ngUniform', `epsilon must be a finite number > 0, got ${String(epsilon)}`)
  return uniform(k, shape, {
    min: -epsilon,
    max: epsilon,
    ...(options?.dtype === undefined ? {} : { dtype: options.dtype }),
  })
}

/**
 * All zeros (the key is ignored): how biases start.
 * @example
 * import { key, zerosInit } from 'nabla'
 * zerosInit(key(0), [10]) // [0, …, 0]
 */
export const zerosInit = <const S extends Shape, D extends DType = 'float32'>(
  _k: Key,
  shape: S,
  options?: InitOptions<D>,
): Tensor<Mutable<S>, D> =>
  zeros(shape, { dtype: (options?.dtype ?? 'float32') as D }) as unknown as Tensor<Mutable<S>, D>

/**
 * The weight initialisers by name (for configuration files and the CLI).
 * @example
 * import { initializers, key } from 'nabla'
 * initializers.heUniform(key(0), [4, 3])
 */
export const initializers = {
  glorotUniform,
  glorotNormal,
  heUniform,
  heNormal,
  ngUniform: ngUniform as Initializer,
} as const satisfies Record<string, Initializer>

/**
 * The name of a weight initialiser.
 * @example
 * import { dense } from 'nabla'
 * dense(4, 3, { initializer: 'glorotNormal' })
 */
export type InitializerName = keyof typeof initializers
