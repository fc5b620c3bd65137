/**
 * Which implementation of the window data movement runs: the WebAssembly SIMD kernels of the
 * tensor back end (`kernels/wasm/windows.ts`, bit for bit what the TypeScript loops compute) while
 * the WebAssembly back end is active, the TypeScript loops of this folder otherwise
 * (`NABLA_KERNELS=reference`, runtimes without WebAssembly SIMD) and wherever the WebAssembly
 * kernels decline a call (a geometry they do not handle, memory they cannot grow).
 *
 * @module kernels/windows
 */
import { kernels, windowKernels } from '../../tensor/internal.js'

/** The WebAssembly window kernels, or undefined when the TypeScript loops should run. */
export const fastWindows = (): typeof windowKernels | undefined =>
  kernels().name.startsWith('wasm') ? windowKernels : undefined
