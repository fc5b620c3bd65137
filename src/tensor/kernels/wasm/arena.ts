/**
 * A memory of its own for a compiled plan (`jit`): the plan lays all its buffers out in it once and
 * runs the back end's kernels (gemm, sum, fused elementwise kernels) on addresses, so intermediate
 * values never leave WebAssembly memory and nothing is copied or allocated between ops.
 *
 * @module kernels/wasm/arena
 */
import type { WasmModule } from './api.js'
import { webAssembly } from './api.js'
import { compileFused, type FusedFunction, type FusedSpec } from './fused.js'
import { scratchLayout } from './gemm.js'
import { Heap } from './heap.js'
import {
  compileKernels,
  createMemory,
  instantiate,
  type KernelInstance,
  type PrecisionKernels,
  supportsRelaxedSimd,
  supportsSimd,
} from './module.js'

/** A memory with the kernels instantiated over it. */
export interface Arena {
  readonly heap: Heap
  readonly kernels: KernelInstance
  /** Bytes of scratch space a gemm of this precision needs. */
  gemmScratch(kernels: PrecisionKernels): number
  /** Grows the memory to `bytes`; false when that is more than the kernels address. */
  ensure(bytes: number): boolean
  /** Float views of the whole memory (valid until the next `ensure`). */
  views(): { readonly f32: Float32Array; readonly f64: Float64Array }
  /** A fused elementwise kernel over this memory. */
  fused(spec: FusedSpec): FusedFunction
}

let kernelModule: { module: WasmModule; fma: boolean } | undefined

/** A new arena, or undefined when the runtime has no WebAssembly SIMD. */
export const createArena = (): Arena | undefined => {
  if (!supportsSimd()) return undefined
  if (kernelModule === undefined) {
    const fma = supportsRelaxedSimd()
    kernelModule = { module: compileKernels({ shared: false, fma }), fma }
  }
  const memory = createMemory(false)
  const kernels = instantiate(kernelModule.module, memory, kernelModule.fma)
  const heap = new Heap(memory)
  return {
    heap,
    kernels,
    gemmScratch: (k) => scratchLayout(k.gemmShape).total,
    ensure: (bytes) => heap.ensure(bytes),
    views: () => ({ f32: new Float32Array(memory.buffer), f64: new Float64Array(memory.buffer) }),
    fused: (spec) => {
      const { exports } = new webAssembly!.Instance(compileFused(spec), { env: { memory } })
      return exports.fused as FusedFunction
    },
  }
}
