/**
 * Layer normalisation (Ba, Kiros and Hinton, 2016): each example's last axis is shifted to mean 0
 * and scaled to variance 1, then scaled by `gamma` and shifted by `beta` (learned, one per
 * feature). It normalises each row on its own, so a batch is the stack of its rows.
 *
 * @module layers/norm
 */
import {
  type AnyTensor,
  ArgumentError,
  add,
  type DType,
  div,
  mean,
  mul,
  ones,
  sqrt,
  square,
  sub,
  type Tensor,
  zeros,
} from '../../tensor/index.js'
import type { Layer, LayerConfig } from '../layer.js'
import type { Key } from '../random/index.js'
import { dtypeOption, expectBatch, expectShape, positiveInteger } from './checks.js'

/**
 * The parameters of `layerNorm`: a scale and a shift per feature.
 * @example
 * import { type LayerNormParams, ones, zeros } from 'nabla'
 * const p: LayerNormParams<4, 'float32'> = { gamma: ones([4]), beta: zeros([4]) }
 */
export type LayerNormParams<F extends number = number, D extends DType = DType> = {
  readonly gamma: Tensor<[F], D>
  readonly beta: Tensor<[F], D>
}

/**
 * Options of `layerNorm`.
 * @example
 * import { layerNorm } from 'nabla'
 * layerNorm([8, 16], { eps: 1e-6, dtype: 'float64' })
 */
export interface LayerNormOptions<D extends DType> {
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps?: number
  readonly dtype?: D
}

/**
 * The configuration of a `layerNorm`.
 * @example
 * import { layerNorm } from 'nabla'
 * layerNorm([16]).config // { kind: 'layerNorm', inputShape: [16], eps: 1e-5, dtype: 'float32' }
 */
export interface LayerNormConfig extends LayerConfig {
  readonly kind: 'layerNorm'
  readonly inputShape: readonly number[]
  readonly eps: number
  readonly dtype: DType
}

/**
 * The last entry of a shape tuple (`number` when not literal).
 * @example
 * import type { LastDim } from 'nabla'
 * type F = LastDim<[8, 16]> // 16
 */
export type LastDim<S extends readonly number[]> = S extends readonly [...number[], infer F extends number]
  ? F
  : number

/**
 * Layer normalisation over the last axis of each example of shape `inputShape`:
 * `gamma · (x − mean) / √(variance + eps) + beta`, with `gamma` starting at 1 and `beta` at 0.
 * @example
 * import { key, layerNorm, normal } from 'nabla'
 * const norm = layerNorm([5, 16])
 * const y = norm.apply(norm.init(key(0)), normal(key(1), [2, 5, 16])) // Tensor<[2, 5, 16]>
 */
export const layerNorm = <const In extends readonly [number, ...number[]], D extends DType = 'float32'>(
  inputShape: In,
  options?: LayerNormOptions<D>,
): Layer<LayerNormParams<LastDim<In>, D>, In, In, D> => {
  const op = 'layerNorm'
  if (!Array.isArray(inputShape) || inputShape.length === 0)
    throw new ArgumentError(
      op,
      `inputShape must be a non-empty array of sizes, got ${JSON.stringify(inputShape)}`,
    )
  inputShape.forEach((d, i) => {
    positiveInteger(op, `inputShape[${i}]`, d)
  })
  const eps = options?.eps ?? 1e-5
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps))
    throw new ArgumentError(op, `eps must be a positive finite number, got ${String(eps)}`)
  const dtype = dtypeOption(op, options?.dtype)
  const features = inputShape[inputShape.length - 1]! as LastDim<In>
  const shape = Object.freeze([...inputShape]) as unknown as In
  const config: LayerNormConfig = Object.freeze({ kind: 'layerNorm', inputShape: shape, eps, dtype })
  return Object.freeze({
    config,
    inputShape: shape,
    outputShape: shape,
    dtype,
    init: (_key: Key): LayerNormParams<LastDim<In>, D> =>
      Object.freeze({ gamma: ones([features], { dtype }), beta: zeros([features], { dtype }) }),
    apply: <B extends number>(params: LayerNormParams<LastDim<In>, D>, x: Tensor<[B, ...In], D>) => {
      expectShape(op, 'params.gamma', params.gamma, [features])
      expectShape(op, 'params.beta', params.beta, [features])
      expectBatch(op, x, shape)
      return normalize(x, params.gamma, params.beta, eps) as Tensor<[B, ...In], D>
    },
  })
}

/** `gamma · (x − mean) / √(variance + eps) + beta` over the last axis. */
const normalize = (x: AnyTensor, gamma: AnyTensor, beta: AnyTensor, eps: number): AnyTensor => {
  const centred: AnyTensor = sub(x, mean(x, -1, { keepdims: true }))
  const variance: AnyTensor = mean(square(centred), -1, { keepdims: true })
  return add(mul(div(centred, sqrt(add(variance, eps))), gamma), beta)
}
