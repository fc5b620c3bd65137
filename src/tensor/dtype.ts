/**
 * Element types. float32 is the fast default; float64 exists because gradient checking needs it.
 *
 * @module dtype
 */

import { beforeLargeStorage } from '../platform/index.js'
import type { DType } from '../shapes/index.js'
import { checkBudget, formatBytes, memoryBudget } from './budget.js'
import { ResourceError } from './errors.js'

export type { DType }

/**
 * The storage array for a dtype: what `toTypedArray` returns.
 * @example
 * import { type Storage, toTypedArray, zeros } from 'nabla'
 * const values: Storage<'float64'> = toTypedArray(zeros([2], { dtype: 'float64' })) // Float64Array [0, 0]
 */
export type Storage<D extends DType = DType> = D extends 'float64'
  ? Float64Array
  : D extends 'float32'
    ? Float32Array
    : Float32Array | Float64Array

/** The default dtype of every constructor. */
export const defaultDType = 'float32' as const

/** Whether a value names a dtype. */
export const isDType = (value: unknown): value is DType => value === 'float32' || value === 'float64'

/** Bytes per element of a dtype. */
export const bytesPerElement = (dtype: DType): number => (dtype === 'float64' ? 8 : 4)

/**
 * Checks `size` elements of `dtype` against the memory budget, then runs `make`; a `RangeError`
 * from the runtime (address space or memory exhausted) becomes a `ResourceError` too.
 */
const guarded = <T>(op: string, dtype: DType, size: number, make: () => T): T => {
  const bytes = size * bytesPerElement(dtype)
  checkBudget(op, `a ${dtype} array of ${size} elements`, bytes)
  beforeLargeStorage(bytes)
  try {
    return make()
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    throw new ResourceError(
      op,
      `a ${dtype} array of ${size} elements needs ${formatBytes(bytes)}, and the runtime could not allocate them (${error.message}); it is within the memory budget of ${formatBytes(memoryBudget())}, so lower the budget (setMemoryBudget) to fail earlier`,
      bytes,
      memoryBudget(),
    )
  }
}

/**
 * Allocates zeroed storage of `size` elements, checked against the memory budget (`op` names the
 * operation in the `ResourceError`).
 */
export const allocate = <D extends DType>(dtype: D, size: number, op = 'allocate'): Storage<D> =>
  guarded(op, dtype, size, () =>
    dtype === 'float64' ? new Float64Array(size) : new Float32Array(size),
  ) as Storage<D>

/** Below this many bytes `allocateUnfilled` zero-fills (Node pools small Buffers in shared memory). */
const unfilledThreshold = 64 * 1024

type BufferLike = { allocUnsafe(size: number): Uint8Array }
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer

/**
 * Allocates storage of `size` elements WITHOUT zero-filling large arrays (a fresh 4 MB array costs
 * more to clear than an add costs to compute). Only for outputs a kernel writes in full
 * (elementwise ops): the caller must overwrite every element.
 */
export const allocateUnfilled = <D extends DType>(dtype: D, size: number, op = 'allocate'): Storage<D> => {
  const bytes = size * (dtype === 'float64' ? 8 : 4)
  if (NodeBuffer === undefined || bytes < unfilledThreshold) return allocate(dtype, size, op)
  const raw = guarded(op, dtype, size, () => NodeBuffer.allocUnsafe(bytes))
  return (
    dtype === 'float64'
      ? new Float64Array(raw.buffer, raw.byteOffset, size)
      : new Float32Array(raw.buffer, raw.byteOffset, size)
  ) as Storage<D>
}

/**
 * Storage of a dtype holding a copy of the given numbers. A typed array of the same element type is
 * copied with `slice` (a block copy); anything else element by element.
 */
export const storageFrom = <D extends DType>(dtype: D, values: ArrayLike<number>): Storage<D> => {
  if (dtype === 'float64' ? values instanceof Float64Array : values instanceof Float32Array) {
    beforeLargeStorage(values.length * bytesPerElement(dtype))
    return (values as Storage<D>).slice() as Storage<D>
  }
  if (ArrayBuffer.isView(values)) {
    const out = allocate(dtype, values.length)
    out.set(values)
    return out
  }
  return (dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values)) as Storage<D>
}
