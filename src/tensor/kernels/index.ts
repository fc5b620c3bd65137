/**
 * The active kernel back end. Primitives call `kernels()`. At load the WebAssembly SIMD back end
 * (`wasm/kernels.ts`) becomes active when the runtime supports it; the environment variable
 * `NABLA_KERNELS=reference` keeps the plain TypeScript kernels instead. The reference back end stays
 * available for tests, and `useKernels` switches back ends at any time.
 *
 * @module kernels
 */
import { environmentVariable } from '../../platform/index.js'
import { referenceKernels } from './reference.js'
import type { Kernels } from './types.js'
import { createWasmKernels, type WasmKernelOptions, type WasmKernels } from './wasm/kernels.js'

export type {
  BinaryOp,
  ConvGeometry,
  ConvKernels,
  FloatArray,
  Kernels,
  MatmulArgs,
  ReduceKind,
  UnaryOp,
} from './types.js'
export { createWasmKernels, referenceKernels, type WasmKernelOptions, type WasmKernels }

const requested = environmentVariable('NABLA_KERNELS')

/**
 * The WebAssembly back end, or the reference kernels with a one-line warning when its memory
 * cannot be reserved (an address-space limit such as `ulimit -v`, or a browser out of memory).
 */
const wasmOrFallback = (): Kernels => {
  try {
    return createWasmKernels() ?? referenceKernels
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    console.warn(
      `nabla: WebAssembly kernel memory could not be reserved (${error.message}); using the reference TypeScript kernels`,
    )
    return referenceKernels
  }
}

/**
 * The back end chosen at load: WebAssembly when supported and not overridden, else the reference
 * (also when the WebAssembly memory cannot be reserved: see `wasmOrFallback`).
 */
export const defaultKernels: Kernels = requested === 'reference' ? referenceKernels : wasmOrFallback()

let active: Kernels = defaultKernels

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
