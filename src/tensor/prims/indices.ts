/**
 * Validation of index tensors (`gather`, `scatterAdd`, `oneHot`): integers in `[0, length)`.
 *
 * @module prims/indices
 */
import { ArgumentError } from '../errors.js'
import { type AnyTensor, storage } from '../tensor.js'

/** Throws unless every element of `indices` is an integer in `[0, length)`. */
export const checkIndices = (op: string, indices: AnyTensor, length: number, what = 'indices'): void => {
  const data = storage(indices)
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!
    if (!Number.isInteger(v) || v < 0 || v >= length)
      throw new ArgumentError(op, `${what}[${i}] is ${v}, not an integer in [0, ${length})`)
  }
}
