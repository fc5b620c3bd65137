/**
 * Multi-head scaled dot-product self-attention (Vaswani et al., 2017) over a sequence of `length`
 * vectors of size `dim`, with an optional causal mask (position i sees positions ≤ i only).
 *
 * Every product is an `einsum`, so each runs on the batched matmul kernel:
 * `q = x·Wq` (`'bte,ehd->bhtd'`), scores `q·kᵀ/√d` (`'bhqd,bhkd->bhqk'`), softmax over keys, the
 * weighted values (`'bhqk,bhkd->bhqd'`) and the output projection (`'bhtd,hde->bte'`).
 *
 * @module layers/attention
 */
import { einsum } from '../../einsum/index.js'
import {
  type AnyTensor,
  ArgumentError,
  add,
  type DType,
  mul,
  softmax,
  type Tensor,
  tensor,
  zeros,
} from '../../tensor/index.js'
import type { Layer, LayerConfig } from '../layer.js'
import { type Key, split, uniform } from '../random/index.js'
import { dtypeOption, expectBatch, expectShape, positiveInteger } from './checks.js'

/**
 * The parameters of `attention`: query, key and value projections `[dim, heads, headDim]`, the
 * output projection `[heads, headDim, dim]` and its bias.
 * @example
 * import { type AttentionParams, attention, key } from 'nabla'
 * const p: AttentionParams<8, 2, 'float32'> = attention({ length: 4, dim: 8, heads: 2 }).init(key(0))
 */
export type AttentionParams<E extends number = number, H extends number = number, D extends DType = DType> = {
  readonly wq: Tensor<[E, H, number], D>
  readonly wk: Tensor<[E, H, number], D>
  readonly wv: Tensor<[E, H, number], D>
  readonly wo: Tensor<[H, number, E], D>
  readonly bo: Tensor<[E], D>
}

/**
 * Options of `attention`.
 * @example
 * import { attention } from 'nabla'
 * attention({ length: 8, dim: 32, heads: 4, causal: true })
 */
export interface AttentionOptions<T extends number, E extends number, H extends number, D extends DType> {
  /** Positions per example. */
  readonly length: T
  /** The size of each position's vector (in and out). */
  readonly dim: E
  /** Attention heads; `dim` must divide evenly among them unless `headDim` is given. */
  readonly heads: H
  /** The size of each head's queries, keys and values (default `dim / heads`). */
  readonly headDim?: number
  /** Position i attends to positions ≤ i only (default false). */
  readonly causal?: boolean
  readonly dtype?: D
}

/**
 * The configuration of an `attention` layer.
 * @example
 * import { attention } from 'nabla'
 * attention({ length: 8, dim: 32, heads: 4 }).config.headDim // 8
 */
export interface AttentionConfig extends LayerConfig {
  readonly kind: 'attention'
  readonly length: number
  readonly dim: number
  readonly heads: number
  readonly headDim: number
  readonly causal: boolean
  readonly dtype: DType
}

/** 0 where query i may see key j, −1e9 where it may not (added to the scores before softmax). */
const causalMask = (length: number, dtype: DType): AnyTensor =>
  tensor(
    Array.from({ length }, (_, i) => Array.from({ length }, (_, j) => (j <= i ? 0 : -1e9))),
    { dtype },
  )

/**
 * Multi-head self-attention: `[B, length, dim]` to `[B, length, dim]`. Projections start uniform in
 * ±1/√fanIn, the output bias at 0.
 * @example
 * import { attention, key, normal } from 'nabla'
 * const attend = attention({ length: 5, dim: 8, heads: 2, causal: true })
 * const y = attend.apply(attend.init(key(0)), normal(key(1), [3, 5, 8])) // Tensor<[3, 5, 8]>
 */
export const attention = <
  const T extends number,
  const E extends number,
  const H extends number,
  D extends DType = 'float32',
>(
  options: AttentionOptions<T, E, H, D>,
): Layer<AttentionParams<E, H, D>, [T, E], [T, E], D> => {
  const op = 'attention'
  const length = positiveInteger(op, 'length', options?.length) as T
  const dim = positiveInteger(op, 'dim', options.dim) as E
  const heads = positiveInteger(op, 'heads', options.heads) as H
  if (options.headDim === undefined && dim % heads !== 0)
    throw new ArgumentError(
      op,
      `dim ${dim} does not divide among ${heads} heads; choose heads dividing dim or give headDim`,
    )
  const headDim = positiveInteger(op, 'headDim', options.headDim ?? dim / heads)
  const causal = options.causal ?? false
  if (typeof causal !== 'boolean')
    throw new ArgumentError(op, `causal must be a boolean, got ${String(causal)}`)
  const dtype = dtypeOption(op, options.dtype)
  const mask = causal ? causalMask(length, dtype) : undefined
  const scale = 1 / Math.sqrt(headDim)
  const config: AttentionConfig = Object.freeze({
    kind: 'attention',
    length,
    dim,
    heads,
    headDim,
    causal,
    dtype,
  })
  const shape = Object.freeze([length, dim]) as unknown as [T, E]
  const projection = (k: Key, s: readonly number[], fanIn: number) =>
    uniform(k, s, { dtype, min: -1 / Math.sqrt(fanIn), max: 1 / Math.sqrt(fanIn) })
  return Object.freeze({
    config,
    inputShape: shape,
    outputShape: shape,
    dtype,
    init: (k: Key): AttentionParams<E, H, D> => {
      const [kq, kk, kv, ko] = split(k, 4)
      return Object.freeze({
        wq: projection(kq, [dim, heads, headDim], dim) as Tensor<[E, H, number], D>,
        wk: projection(kk, [dim, heads, headDim], dim) as Tensor<[E, H, number], D>,
        wv: projection(kv, [dim, heads, headDim], dim) as Tensor<[E, H, number], D>,
        wo: projection(ko, [heads, headDim, dim], heads * headDim) as Tensor<[H, number, E], D>,
        bo: zeros([dim], { dtype }) as Tensor<[E], D>,
      })
    },
    apply: <B extends number>(
      params: AttentionParams<E, H, D>,
      x: Tensor<[B, T, E], D>,
    ): Tensor<[B, T, E], D> => {
      expectShape(op, 'params.wq', params.wq, [dim, heads, headDim])
      expectShape(op, 'params.wk', params.wk, [dim, heads, headDim])
      expectShape(op, 'params.wv', params.wv, [dim, heads, headDim])
      expectShape(op, 'params.wo', params.wo, [heads, headDim, dim])
      expectShape(op, 'params.bo', params.bo, [dim])
      expectBatch(op, x, shape)
      return attend(x, params, scale, mask) as Tensor<[B, T, E], D>
    },
  })
}

/** The attention computation on untyped tensors (shapes were checked by the caller). */
const attend = (x: AnyTensor, p: AttentionParams, scale: number, mask: AnyTensor | undefined): AnyTensor => {
  const input: AnyTensor = x
  const q: AnyTensor = einsum('bte,ehd->bhtd', input, p.wq as AnyTensor)
  const k: AnyTensor = einsum('bte,ehd->bhtd', input, p.wk as AnyTensor)
  const v: AnyTensor = einsum('bte,ehd->bhtd', input, p.wv as AnyTensor)
  const scores: AnyTensor = mul(einsum('bhqd,bhkd->bhqk', q, k), scale)
  const weights: AnyTensor = softmax(mask === undefined ? scores : add(scores, mask), -1)
  const mixed: AnyTensor = einsum('bhqk,bhkd->bhqd', weights, v)
  return add(einsum('bhtd,hde->bte', mixed, p.wo as AnyTensor), p.bo as AnyTensor)
}
