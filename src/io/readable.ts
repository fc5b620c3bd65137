/**
 * The one check every reader makes: inside `vmap` or `jit` a tensor has no values of its own (it
 * stands for a batch, or for every call), so reading it is an `ArgumentError` naming the reader.
 *
 * @module io/readable
 */
import { type AnyTensor, ArgumentError, formatShape, placeholderOf, storage } from '../tensor/internal.js'

/** Why a placeholder has no values to read, per transform. */
const noValues = (transform: string, t: AnyTensor): string =>
  transform === 'vmap'
    ? `it stands for every example of the batch at once (shape ${formatShape(t.shape)} per example); return it from the function and read the result`
    : transform === 'jit'
      ? 'it stands for the values of every call of the compiled function, and a value read in JavaScript would be frozen into it at the first call; compute with tensor ops, or return the tensor and read the result'
      : 'it stands for other values than it holds'

/**
 * The storage of `t` for reading; inside `vmap` or `jit` a tensor has no values of its own, which
 * is an `ArgumentError` naming `op`.
 * @example
 * import { tensor } from 'nabla'
 * import { readable } from './readable.js'
 * readable('toFlat', tensor([1, 2])) // Float32Array [1, 2]
 */
export const readable = (op: string, t: AnyTensor) => {
  const transform = placeholderOf(t)
  if (transform !== undefined)
    throw new ArgumentError(
      op,
      `cannot read the values of a tensor inside ${transform}: ${noValues(transform, t)}`,
    )
  return storage(t)
}
