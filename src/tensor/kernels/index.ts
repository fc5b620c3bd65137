/**
 * The active kernel back end. Primitives call `kernels()`; a faster back end registers itself with
 * `useKernels` when the runtime supports it, and the reference back end stays available for tests.
 *
 * @module kernels
 */
import { referenceKernels } from './reference.js'
import type { Kernels } from './types.js'

export type { BinaryOp, FloatArray, Kernels, MatmulArgs, ReduceKind, UnaryOp } from './types.js'
export { referenceKernels }

let active: Kernels = referenceKernels

/** The kernels primitives run on. */
export const kernels = (): Kernels => active

/**
 * Makes `next` the active back end; returns the previous one.
 *
 * @example
 * import { useKernels, referenceKernels } from 'nabla'
 * const previous = useKernels(referenceKernels)
 * useKernels(previous)
 */
export const useKernels = (next: Kernels): Kernels => {
  const previous = active
  active = next
  return previous
}
