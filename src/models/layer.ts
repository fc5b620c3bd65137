/**
 * The `Layer` contract every layer and network implements: parameters made from a PRNG key, and a
 * pure function of those parameters and a batch. The batch dimension stays generic (`B`); `In` and
 * `Out` are the per-example shapes (`[784]` for a dense layer on flat digits, `[1, 28, 28]` for a
 * convolution on images). The dtype is chosen when the layer is built and fixed after.
 *
 * `config` is JSON-ready data that names the layer's kind and sizes: the serialisers and the CLI
 * save it beside the parameters and rebuild the layer from it (`layerFromConfig`).
 *
 * Laws: `apply` does not mutate `params` or `x`; `init(k)` is a function of `k` (same key, same
 * parameters); `apply(params, x)` for a batch equals stacking `apply(params, row)` over its rows,
 * for every layer except those whose documentation says otherwise (normalisation over the batch).
 *
 * @module layer
 */
import type { AnyTensor, DType, Tensor } from '../tensor/index.js'
import type { Key } from './random/index.js'

/**
 * JSON-ready description of a layer: its kind and whatever rebuilds it.
 * @example
 * import type { LayerConfig } from 'nabla'
 * const config: LayerConfig = { kind: 'dense', inputs: 784, outputs: 10 }
 */
export interface LayerConfig {
  readonly kind: string
  readonly [field: string]: unknown
}

/**
 * A layer: `init` makes parameters from a key, `apply` maps a batch `[B, ...In]` to `[B, ...Out]`.
 * @example
 * import { key, type Layer, tensor } from 'nabla'
 * // a layer with no parameters that passes its batch through
 * const identity: Layer<null, [3], [3]> = {
 *   config: { kind: 'identity', size: 3 },
 *   inputShape: [3],
 *   outputShape: [3],
 *   dtype: 'float32',
 *   init: () => null,
 *   apply: (_params, x) => x,
 * }
 * identity.apply(identity.init(key(0)), tensor([[1, 2, 3]])).shape // [1, 3]
 */
export interface Layer<
  P,
  In extends readonly number[],
  Out extends readonly number[],
  D extends DType = 'float32',
> {
  readonly config: LayerConfig
  /** The per-example input shape (without the batch dimension). */
  readonly inputShape: In
  /** The per-example output shape (without the batch dimension). */
  readonly outputShape: Out
  readonly dtype: D
  /** Fresh parameters from a key. */
  readonly init: (key: Key) => P
  /** The layer as a pure function of its parameters and a batch. */
  readonly apply: <B extends number>(params: P, x: Tensor<[B, ...In], D>) => Tensor<[B, ...Out], D>
}

/**
 * The parameters type of a layer (read from `init`, so it works for any layer-shaped value).
 * @example
 * import { dense, type ParamsOf } from 'nabla'
 * type P = ParamsOf<ReturnType<typeof dense<3, 2>>> // DenseParams<3, 2, 'float32'>
 */
export type ParamsOf<L> = L extends { readonly init: (key: Key) => infer P } ? P : never
/**
 * The per-example input shape of a layer.
 * @example
 * import { dense, type InputShapeOf } from 'nabla'
 * type In = InputShapeOf<ReturnType<typeof dense<3, 2>>> // [3]
 */
export type InputShapeOf<L> = L extends { readonly inputShape: infer In extends readonly number[] }
  ? In
  : never
/**
 * The per-example output shape of a layer.
 * @example
 * import { dense, type OutputShapeOf } from 'nabla'
 * type Out = OutputShapeOf<ReturnType<typeof dense<3, 2>>> // [2]
 */
export type OutputShapeOf<L> = L extends { readonly outputShape: infer Out extends readonly number[] }
  ? Out
  : never

/**
 * Any layer, whatever its parameters, shapes and dtype: what a list of layers holds. (`apply` is
 * a method here, compared bivariantly, so a layer with a literal input shape belongs.)
 * @example
 * import { type AnyLayer, dense } from 'nabla'
 * const layers: AnyLayer[] = [dense(2, 3), dense(3, 1, { dtype: 'float64' })]
 */
export interface AnyLayer {
  readonly config: LayerConfig
  readonly inputShape: readonly number[]
  readonly outputShape: readonly number[]
  readonly dtype: DType
  init(key: Key): unknown
  apply(params: any, x: Tensor<[number, ...number[]], any>): AnyTensor
}
