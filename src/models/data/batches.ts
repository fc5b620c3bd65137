/**
 * Minibatch index slices. `batches` is pure: it returns the row indices of every batch of one
 * epoch (an array of arrays), shuffled by a key, and cuts no data itself; `takeRows` turns a slice
 * into tensors. Use a fresh key per epoch (`foldIn(key, epoch)`) to reshuffle.
 *
 * @module batches
 */
import { ArgumentError, describe, isTensor } from '../../tensor/internal.js'
import { isKey, type Key, permutation } from '../random/index.js'
import type { Dataset } from './dataset.js'

/**
 * Options of `batches`.
 * @example
 * import { batches } from 'nabla'
 * batches(5, 2, undefined, { dropLast: true }) // [[0, 1], [2, 3]]
 */
export interface BatchOptions {
  /** Drop a last batch smaller than `batchSize` (default false: keep it). */
  readonly dropLast?: boolean
}

const rowCount = (source: unknown): number => {
  if (typeof source === 'number') {
    if (!Number.isInteger(source) || source < 0)
      throw new ArgumentError(
        'batches',
        `the number of rows must be a non-negative integer, got ${describe(source)}`,
      )
    return source
  }
  if (isTensor(source) && source.shape.length > 0) return source.shape[0]!
  if (typeof source === 'object' && source !== null && isTensor((source as Dataset).xTrain))
    return (source as Dataset).xTrain.shape[0]!
  throw new ArgumentError(
    'batches',
    `source must be a row count, a tensor with a batch axis, or a dataset, got ${describe(source)}`,
  )
}

/**
 * The row indices of each minibatch of one epoch over `source` (a row count, a tensor's first
 * axis, or a dataset's training rows). With a key the rows are a seeded permutation; without one
 * they are in order. Every row appears exactly once (unless `dropLast` drops the remainder).
 * @example
 * import { batches, foldIn, key, takeRows } from 'nabla'
 * import { loadIris } from 'nabla/node'
 * const data = loadIris()
 * const epoch = 0
 * for (const rows of batches(data, 32, foldIn(key(0), epoch))) {
 *   const x = takeRows(data.xTrain, rows) // Tensor<[number, 4]>
 *   const y = takeRows(data.yTrain, rows) // Tensor<[number]>
 * }
 * batches(5, 2) // [[0, 1], [2, 3], [4]]
 */
export const batches = (
  source: number | { readonly shape: readonly number[] } | Dataset,
  batchSize: number,
  k?: Key,
  options?: BatchOptions,
): readonly (readonly number[])[] => {
  const n = rowCount(source)
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1)
    throw new ArgumentError('batches', `batchSize must be a positive integer, got ${describe(batchSize)}`)
  if (k !== undefined && !isKey(k))
    throw new ArgumentError('batches', `key must be a PRNG key, got ${describe(k)}`)
  const order = k === undefined ? Array.from({ length: n }, (_, i) => i) : permutation(k, n)
  const out: (readonly number[])[] = []
  for (let start = 0; start < n; start += batchSize) {
    const slice = order.slice(start, start + batchSize)
    if (slice.length < batchSize && options?.dropLast === true) break
    out.push(Object.freeze(slice))
  }
  return Object.freeze(out)
}
