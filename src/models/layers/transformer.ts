/**
 * A pre-norm transformer block (as in GPT-2): `h = x + attention(layerNorm(x))`, then
 * `y = h + feedForward(layerNorm(h))`, where the feed-forward net is `relu(z·W1 + b1)·W2 + b2`
 * applied at every position. With a dropout rate, `applyTraining` drops after the attention and
 * after the feed-forward net, each with its own key split from the one given.
 *
 * @module layers/transformer
 */
import {
  type AnyTensor,
  add,
  type DType,
  matmul,
  relu,
  type Shape,
  type Tensor,
  zeros,
} from '../../tensor/index.js'
import { checkMasks, type Dropping, type Layer, type LayerConfig } from '../layer.js'
import { type Key, split, uniform } from '../random/index.js'
import { type AttentionParams, attention } from './attention.js'
import { expectShape, positiveInteger } from './checks.js'
import { dropout } from './dropout.js'
import { type LayerNormParams, layerNorm } from './norm.js'

/**
 * The parameters of the position-wise feed-forward net of a block.
 * @example
 * import { type FeedForwardParams, zeros } from 'nabla'
 * const p: FeedForwardParams<4, 16, 'float32'> = { w1: zeros([4, 16]), b1: zeros([16]), w2: zeros([16, 4]), b2: zeros([4]) }
 */
export type FeedForwardParams<
  E extends number = number,
  F extends number = number,
  D extends DType = DType,
> = {
  readonly w1: Tensor<[E, F], D>
  readonly b1: Tensor<[F], D>
  readonly w2: Tensor<[F, E], D>
  readonly b2: Tensor<[E], D>
}

/**
 * The parameters of `transformerBlock`.
 * @example
 * import { key, transformerBlock, type TransformerBlockParams } from 'nabla'
 * const p: TransformerBlockParams<8, 2, 32, 'float32'> =
 *   transformerBlock({ length: 4, dim: 8, heads: 2, hidden: 32 }).init(key(0))
 */
export type TransformerBlockParams<
  E extends number = number,
  H extends number = number,
  F extends number = number,
  D extends DType = DType,
> = {
  readonly norm1: LayerNormParams<E, D>
  readonly attention: AttentionParams<E, H, D>
  readonly norm2: LayerNormParams<E, D>
  readonly feedForward: FeedForwardParams<E, F, D>
}

/**
 * Options of `transformerBlock`.
 * @example
 * import { transformerBlock } from 'nabla'
 * transformerBlock({ length: 8, dim: 32, heads: 4, hidden: 64, causal: true, dropout: 0.1 })
 */
export interface TransformerBlockOptions<
  T extends number,
  E extends number,
  H extends number,
  F extends number,
  D extends DType,
> {
  readonly length: T
  readonly dim: E
  readonly heads: H
  /** Width of the feed-forward net. */
  readonly hidden: F
  /** Causal self-attention (default false). */
  readonly causal?: boolean
  /** Dropout rate of `applyTraining` (default 0). */
  readonly dropout?: number
  readonly dtype?: D
}

/**
 * The configuration of a `transformerBlock`.
 * @example
 * import { transformerBlock } from 'nabla'
 * transformerBlock({ length: 8, dim: 32, heads: 4, hidden: 64 }).config.kind // 'transformerBlock'
 */
export interface TransformerBlockConfig extends LayerConfig {
  readonly kind: 'transformerBlock'
  readonly length: number
  readonly dim: number
  readonly heads: number
  readonly hidden: number
  readonly causal: boolean
  readonly dropout: number
  readonly dtype: DType
}

/**
 * A transformer block: the `Layer` contract, plus `applyTraining` with a key for dropout, and the
 * `Dropping` contract (two masks per step, after the attention and after the feed-forward net).
 * @example
 * import { type TransformerBlock, transformerBlock } from 'nabla'
 * const block: TransformerBlock<8, 32, 4, 64, 'float32'> =
 *   transformerBlock({ length: 8, dim: 32, heads: 4, hidden: 64 })
 */
export interface TransformerBlock<
  T extends number,
  E extends number,
  H extends number,
  F extends number,
  D extends DType,
> extends Layer<TransformerBlockParams<E, H, F, D>, [T, E], [T, E], D>,
    Dropping<TransformerBlockParams<E, H, F, D>, [T, E], [T, E], D> {
  readonly applyTraining: <B extends number>(
    params: TransformerBlockParams<E, H, F, D>,
    x: Tensor<[B, T, E], D>,
    key: Key,
  ) => Tensor<[B, T, E], D>
}

/**
 * A pre-norm transformer block over `[B, length, dim]`.
 * @example
 * import { key, normal, transformerBlock } from 'nabla'
 * const block = transformerBlock({ length: 5, dim: 8, heads: 2, hidden: 16, causal: true })
 * const y = block.apply(block.init(key(0)), normal(key(1), [3, 5, 8])) // Tensor<[3, 5, 8]>
 */
export const transformerBlock = <
  const T extends number,
  const E extends number,
  const H extends number,
  const F extends number,
  D extends DType = 'float32',
>(
  options: TransformerBlockOptions<T, E, H, F, D>,
): TransformerBlock<T, E, H, F, D> => {
  const op = 'transformerBlock'
  const hidden = positiveInteger(op, 'hidden', options?.hidden) as F
  const { length, dim, heads } = options
  const rate = options.dropout ?? 0
  const causal = options.causal ?? false
  const attend = attention<T, E, H, D>({
    length,
    dim,
    heads,
    causal,
    ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
  })
  const dtype = attend.dtype
  // LastDim<[T, E]> is E, but TypeScript defers it while T and E are type parameters
  const norm = layerNorm<[T, E], D>([length, dim], { dtype }) as unknown as Layer<
    LayerNormParams<E, D>,
    [T, E],
    [T, E],
    D
  >
  const drop = dropout<[T, E], D>(rate, [length, dim], { dtype })
  const config: TransformerBlockConfig = Object.freeze({
    kind: 'transformerBlock',
    length,
    dim,
    heads,
    hidden,
    causal,
    dropout: rate,
    dtype,
  })
  const run = <B extends number>(
    params: TransformerBlockParams<E, H, F, D>,
    x: Tensor<[B, T, E], D>,
    masks: readonly AnyTensor[],
  ): Tensor<[B, T, E], D> => {
    const ff = params.feedForward
    expectShape(op, 'params.feedForward.w1', ff.w1, [dim, hidden])
    expectShape(op, 'params.feedForward.b1', ff.b1, [hidden])
    expectShape(op, 'params.feedForward.w2', ff.w2, [hidden, dim])
    expectShape(op, 'params.feedForward.b2', ff.b2, [dim])
    const dropWith = (t: Tensor<[B, T, E], D>, mask: AnyTensor | undefined) =>
      mask === undefined ? t : drop.applyMasked({}, t, [mask])
    const attended = dropWith(attend.apply(params.attention, norm.apply(params.norm1, x)), masks[0])
    const h: AnyTensor = add(x as AnyTensor, attended as AnyTensor)
    const z = norm.apply(params.norm2, h as Tensor<[B, T, E], D>) as AnyTensor
    const inner: AnyTensor = relu(add(matmul(z, ff.w1 as AnyTensor), ff.b1 as AnyTensor))
    const out: AnyTensor = add(matmul(inner, ff.w2 as AnyTensor), ff.b2 as AnyTensor)
    return add(h, dropWith(out as Tensor<[B, T, E], D>, masks[1]) as AnyTensor) as Tensor<[B, T, E], D>
  }
  const maskShapes: readonly (readonly number[])[] = rate === 0 ? [] : [drop.inputShape, drop.inputShape]
  // one key per mask, split as the key-taking `applyTraining` always has
  const dropoutMasks = (key: Key, batch: number): Tensor<Shape, D>[] =>
    rate === 0 ? [] : split(key).flatMap((k) => drop.dropoutMasks(k, batch))
  const shape = attend.inputShape
  return Object.freeze({
    config,
    inputShape: shape,
    outputShape: shape,
    dtype,
    init: (k: Key): TransformerBlockParams<E, H, F, D> => {
      const [ka, k1, k2] = split(k, 3)
      const bound1 = 1 / Math.sqrt(dim)
      const bound2 = 1 / Math.sqrt(hidden)
      return Object.freeze({
        norm1: norm.init(k),
        attention: attend.init(ka),
        norm2: norm.init(k),
        feedForward: Object.freeze({
          w1: uniform(k1, [dim, hidden], { dtype, min: -bound1, max: bound1 }) as Tensor<[E, F], D>,
          b1: zeros([hidden], { dtype }) as Tensor<[F], D>,
          w2: uniform(k2, [hidden, dim], { dtype, min: -bound2, max: bound2 }) as Tensor<[F, E], D>,
          b2: zeros([dim], { dtype }) as Tensor<[E], D>,
        }),
      })
    },
    apply: <B extends number>(params: TransformerBlockParams<E, H, F, D>, x: Tensor<[B, T, E], D>) =>
      run(params, x, []),
    maskShapes,
    dropoutMasks,
    applyMasked: <B extends number>(
      params: TransformerBlockParams<E, H, F, D>,
      x: Tensor<[B, T, E], D>,
      masks: readonly AnyTensor[],
    ) => {
      checkMasks(op, maskShapes, masks, x.shape[0])
      return run(params, x, masks)
    },
    applyTraining: <B extends number>(
      params: TransformerBlockParams<E, H, F, D>,
      x: Tensor<[B, T, E], D>,
      key: Key,
    ) => run(params, x, dropoutMasks(key, x.shape[0])),
  })
}
