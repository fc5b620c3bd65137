/**
 * Embeddings: `embedding` looks tokens up in a learned table (`[vocab, dim]`), `positionEmbedding`
 * adds a learned vector per position. Tokens are integer values held in a float tensor, as labels
 * are elsewhere in nabla; a token outside `[0, vocab)` is an error naming it, never a silent zero.
 *
 * @module layers/embedding
 */
import { type AnyTensor, add, type DType, gather, type Tensor } from '../../tensor/index.js'
import type { Layer, LayerConfig } from '../layer.js'
import { type Key, normal } from '../random/index.js'
import { dtypeOption, expectBatch, expectShape, positiveInteger } from './checks.js'

/**
 * The parameters of `embedding` and `positionEmbedding`: one row per token (or position).
 * @example
 * import { type EmbeddingParams, zeros } from 'nabla'
 * const p: EmbeddingParams<10, 4, 'float32'> = { table: zeros([10, 4]) }
 */
export type EmbeddingParams<R extends number = number, E extends number = number, D extends DType = DType> = {
  readonly table: Tensor<[R, E], D>
}

/**
 * Sizes of `embedding`.
 * @example
 * import { embedding } from 'nabla'
 * embedding({ vocab: 10, dim: 32, length: 8 })
 */
export interface EmbeddingOptions<V extends number, E extends number, T extends number, D extends DType> {
  /** How many distinct tokens (tokens are 0 … vocab − 1). */
  readonly vocab: V
  /** The size of each token's vector. */
  readonly dim: E
  /** How many tokens an example has. */
  readonly length: T
  readonly dtype?: D
}

/**
 * The configuration of an `embedding` or `positionEmbedding`.
 * @example
 * import { embedding } from 'nabla'
 * embedding({ vocab: 10, dim: 4, length: 3 }).config.kind // 'embedding'
 */
export interface EmbeddingConfig extends LayerConfig {
  readonly kind: 'embedding' | 'positionEmbedding'
  readonly rows: number
  readonly dim: number
  readonly length: number
  readonly dtype: DType
}

const table = <R extends number, E extends number, D extends DType>(
  k: Key,
  rows: R,
  dim: E,
  dtype: D,
): EmbeddingParams<R, E, D> =>
  Object.freeze({ table: normal(k, [rows, dim], { dtype, std: 1 / Math.sqrt(dim) }) as Tensor<[R, E], D> })

/**
 * A token embedding: `[B, length]` tokens to `[B, length, dim]` vectors, row `t` of the table for
 * token `t`. The table starts as N(0, 1/dim). Its gradient adds up over repeated tokens.
 * @example
 * import { embedding, key, tensor } from 'nabla'
 * const embed = embedding({ vocab: 10, dim: 4, length: 3 })
 * const vectors = embed.apply(embed.init(key(0)), tensor([[1, 2, 3], [9, 9, 0]])) // Tensor<[2, 3, 4]>
 */
export const embedding = <
  const V extends number,
  const E extends number,
  const T extends number,
  D extends DType = 'float32',
>(
  options: EmbeddingOptions<V, E, T, D>,
): Layer<EmbeddingParams<V, E, D>, [T], [T, E], D> => {
  const op = 'embedding'
  const vocab = positiveInteger(op, 'vocab', options?.vocab) as V
  const dim = positiveInteger(op, 'dim', options.dim) as E
  const length = positiveInteger(op, 'length', options.length) as T
  const dtype = dtypeOption(op, options.dtype)
  const config: EmbeddingConfig = Object.freeze({ kind: 'embedding', rows: vocab, dim, length, dtype })
  return Object.freeze({
    config,
    inputShape: Object.freeze([length]) as unknown as [T],
    outputShape: Object.freeze([length, dim]) as unknown as [T, E],
    dtype,
    init: (k: Key) => table(k, vocab, dim, dtype),
    apply: <B extends number>(params: EmbeddingParams<V, E, D>, x: Tensor<[B, T], D>) => {
      expectShape(op, 'params.table', params.table, [vocab, dim])
      expectBatch(op, x, [length])
      return gather(params.table, x, 0)
    },
  })
}

/**
 * Sizes of `positionEmbedding`.
 * @example
 * import { positionEmbedding } from 'nabla'
 * positionEmbedding({ length: 8, dim: 32 })
 */
export interface PositionEmbeddingOptions<T extends number, E extends number, D extends DType> {
  readonly length: T
  readonly dim: E
  readonly dtype?: D
}

/**
 * Learned position embeddings: adds row `i` of a `[length, dim]` table to position `i` of each
 * example (`[B, length, dim]` in and out). The table starts as N(0, 1/dim).
 * @example
 * import { key, positionEmbedding, zeros } from 'nabla'
 * const positions = positionEmbedding({ length: 3, dim: 4 })
 * const y = positions.apply(positions.init(key(0)), zeros([2, 3, 4])) // Tensor<[2, 3, 4]>
 */
export const positionEmbedding = <
  const T extends number,
  const E extends number,
  D extends DType = 'float32',
>(
  options: PositionEmbeddingOptions<T, E, D>,
): Layer<EmbeddingParams<T, E, D>, [T, E], [T, E], D> => {
  const op = 'positionEmbedding'
  const length = positiveInteger(op, 'length', options?.length) as T
  const dim = positiveInteger(op, 'dim', options.dim) as E
  const dtype = dtypeOption(op, options.dtype)
  const config: EmbeddingConfig = Object.freeze({
    kind: 'positionEmbedding',
    rows: length,
    dim,
    length,
    dtype,
  })
  const shape = Object.freeze([length, dim]) as unknown as [T, E]
  return Object.freeze({
    config,
    inputShape: shape,
    outputShape: shape,
    dtype,
    init: (k: Key) => table(k, length, dim, dtype),
    apply: <B extends number>(params: EmbeddingParams<T, E, D>, x: Tensor<[B, T, E], D>) => {
      expectShape(op, 'params.table', params.table, [length, dim])
      expectBatch(op, x, [length, dim])
      const sum: AnyTensor = add(x as AnyTensor, params.table as AnyTensor)
      return sum as Tensor<[B, T, E], D>
    },
  })
}
