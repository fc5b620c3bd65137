/**
 * One shared WebAssembly memory for every compiled plan (`jit`), with helper threads of its own, so
 * a plan's large products are split across cores like the eager ones (`threads.ts`) while its
 * operands stay where the plan keeps them. Each plan reserves a region of the memory for its
 * buffers and releases it when the plan is collected; a shared memory never detaches when it grows,
 * so the views a plan made of its region stay valid for the plan's life.
 *
 * The threads start synchronously at the first product big enough to use them (the caller blocks on
 * their ready flags, as the eager back end does), and take blocks of rows or columns of C off a
 * shared counter with the calling thread. Where shared memory or workers are missing there is no shared arena
 * (`sharedArena()` is undefined) and plans use a private memory (`arena.ts`) on one thread.
 *
 * @module kernels/wasm/sharedArena
 */

import type { FloatArray } from '../types.js'
import { webAssembly } from './api.js'
import { compileFused, type FusedFunction, type FusedSpec } from './fused.js'
import { scratchLayout, tileColumns } from './gemm.js'
import { align16, Heap } from './heap.js'
import type { Precision } from './lanes.js'
import type { MatmulTarget } from './matmul.js'
import {
  compileKernels,
  createMemoryIfRoom,
  instantiate,
  type KernelInstance,
  type PrecisionKernels,
  supportsRelaxedSimd,
  supportsSharedMemory,
  supportsSimd,
} from './module.js'
import { packedBytes, rowsScratchBytes } from './shared.js'
import { type Split, splitOf } from './splits.js'
import { controlBytes, type HeapProduct } from './taskLoop.js'
import { GemmThreads } from './threads.js'
import { workerHost } from './workers.js'

/** Multiply-adds per product from which a plan splits it across threads (the eager default). */
export const planThreadThreshold = 2 ** 19

/** A product `C[m × n] = op(A)·op(B)` on arena addresses (bytes) with element strides. */
export interface GemmCall extends Omit<HeapProduct, 'ldc'> {
  readonly precision: Precision
  /** Where the product may pack op(B) and keep per-thread scratch (`threadedScratch` bytes). */
  readonly scratch: number
  /**
   * Where a row split packs op(B) instead (`packedSize` elements of a range the caller keeps), and
   * whether it holds that packing already (the row split then packs nothing).
   */
  readonly packed?: { readonly at: number; readonly ready: boolean }
}

/** The shared memory of the plans. */
export interface SharedArena {
  readonly kernels: KernelInstance
  /** Bytes of scratch space a single-threaded gemm of this precision needs. */
  gemmScratch(kernels: PrecisionKernels): number
  /** Reserves `bytes` and returns the first (16-aligned) address, or undefined when the memory cannot grow. */
  reserve(bytes: number): number | undefined
  /** Gives back a region `reserve` returned. */
  release(at: number): void
  /** Float views of the whole memory (they stay valid: a shared memory never detaches). */
  views(): { readonly f32: Float32Array; readonly f64: Float64Array }
  /**
   * Whether every one of `arrays` views this memory (a plan's buffers do, through `views`), so that
   * kernels may run on them where they are instead of on copies.
   */
  holds(...arrays: readonly FloatArray[]): boolean
  /** A fused elementwise kernel over this memory. */
  fused(spec: FusedSpec): FusedFunction
  /**
   * The helper threads, started synchronously at the first call (blocking until they report
   * ready); the number ready now (0 when none could start).
   */
  startThreads(): number
  /**
   * This memory as a product target (`matmul.ts`) for operands that are already in it (a plan's
   * buffers): with its helper threads when `threaded` and they are ready, scratch reserved here.
   */
  productTarget(threaded: boolean): MatmulTarget
  /** Bytes of scratch a threaded product of depth `k` and width `n` needs (packed op(B), per-thread scratch). */
  threadedScratch(precision: Precision, k: number, n: number): number
  /**
   * Runs a product split into blocks of rows or columns (`splitOf`) across the calling thread and
   * the ready helpers (a row split packs op(B) once at `call.scratch`, or at `call.packed` unless it
   * is ready there); returns how it was split, or undefined, having done nothing, when no helper is
   * ready or the product is too small to cut.
   */
  threadedGemm(call: GemmCall): Split['kind'] | undefined
}

let singleton: SharedArena | null | undefined

/** The plans' shared arena, or undefined where shared memory, SIMD or worker threads are missing. */
export const sharedArena = (): SharedArena | undefined => {
  if (singleton === undefined) singleton = createSharedArena() ?? null
  return singleton ?? undefined
}

/**
 * The shared arena if something has made it already (`sharedArena` makes it): undefined otherwise,
 * so a check for operands in it costs an eager program that never compiles a plan nothing.
 */
export const madeSharedArena = (): SharedArena | undefined => singleton ?? undefined

const createSharedArena = (): SharedArena | undefined => {
  const host = workerHost()
  if (!supportsSimd() || !supportsSharedMemory() || host === undefined || host.cores < 2) return undefined
  const fma = supportsRelaxedSimd()
  const module = compileKernels({ shared: true, fma })
  // no address space for another memory (ulimit -v): plans use private memories
  const memory = createMemoryIfRoom(true)
  if (memory === undefined) return undefined
  const kernels = instantiate(module, memory, fma)
  const heap = new Heap(memory)
  // every buffer object this memory has had (growing a shared memory gives a new one over the same
  // bytes, and the views made before keep the old one)
  const buffers = new WeakSet<object>([memory.buffer])
  // regions: first fit over a sorted free list, neighbours merged on release
  const free: { at: number; bytes: number }[] = []
  const sizes = new Map<number, number>()
  let top = controlBytes
  // every started worker may take tasks (and use its scratch), ready now or later
  const workers = Math.min(3, host.cores - 1)
  let threads: GemmThreads | undefined
  let started = false
  const reserve = (wanted: number): number | undefined => {
    const bytes = align16(Math.max(16, wanted))
    const fit = free.findIndex((b) => b.bytes >= bytes)
    let at: number
    if (fit >= 0) {
      const block = free[fit]!
      at = block.at
      if (block.bytes === bytes) free.splice(fit, 1)
      else free[fit] = { at: at + bytes, bytes: block.bytes - bytes }
    } else {
      if (!heap.ensure(top + bytes)) return undefined
      at = top
      top += bytes
    }
    sizes.set(at, bytes)
    return at
  }
  const release = (at: number): void => {
    const bytes = sizes.get(at)
    if (bytes === undefined) return
    sizes.delete(at)
    const index = free.findIndex((b) => b.at > at)
    const place = index < 0 ? free.length : index
    free.splice(place, 0, { at, bytes })
    const next = free[place + 1]
    if (next !== undefined && at + bytes === next.at) {
      free[place] = { at, bytes: bytes + next.bytes }
      free.splice(place + 1, 1)
    }
    const previous = free[place - 1]
    if (previous !== undefined && previous.at + previous.bytes === at) {
      free[place - 1] = { at: previous.at, bytes: previous.bytes + free[place]!.bytes }
      free.splice(place, 1)
    }
  }
  const precisionKernels = (p: Precision) => (p === 'f32' ? kernels.f32 : kernels.f64)
  return {
    kernels,
    gemmScratch: (k) => scratchLayout(k.gemmShape).total,
    reserve,
    release,
    views: () => {
      buffers.add(memory.buffer)
      return { f32: new Float32Array(memory.buffer), f64: new Float64Array(memory.buffer) }
    },
    holds: (...arrays) => arrays.every((a) => buffers.has(a.buffer)),
    productTarget: (threaded) => ({
      instance: kernels,
      heap,
      base: controlBytes,
      threads: threaded && (threads?.ready ?? 0) > 0 ? threads : undefined,
      threadThreshold: planThreadThreshold,
      arena: { reserve, release },
    }),
    fused: (spec) => {
      const { exports } = new webAssembly!.Instance(compileFused(spec, true), { env: { memory } })
      return exports.fused as FusedFunction
    },
    startThreads: () => {
      if (!started) {
        started = true
        threads = GemmThreads.start(module, memory, workers, host)
      }
      return threads?.ready ?? 0
    },
    threadedScratch: (precision, k, n) => {
      const shape = precisionKernels(precision).gemmShape
      return (
        packedBytes(shape, k, n) +
        (workers + 1) * Math.max(rowsScratchBytes(shape), scratchLayout(shape).total)
      )
    },
    threadedGemm: (call) => {
      const ready = threads?.ready ?? 0
      if (ready === 0) return undefined
      const kernel = precisionKernels(call.precision)
      const shape = kernel.gemmShape
      const { m, n, k } = call
      const split = splitOf(m, n, shape.mr, tileColumns(shape), ready + 1)
      if (split === undefined) return undefined
      threads!.run(
        {
          precision: call.precision,
          a: call.a,
          rowStrideA: call.rowStrideA,
          colStrideA: call.colStrideA,
          b: call.b,
          rowStrideB: call.rowStrideB,
          colStrideB: call.colStrideB,
          c: call.c,
          ldc: n,
          m,
          n,
          k,
          packed: call.packed?.at ?? call.scratch,
          prepacked: call.packed?.ready ?? false,
          scratch: call.scratch + packedBytes(shape, k, n),
          scratchStride: Math.max(rowsScratchBytes(shape), scratchLayout(shape).total),
        },
        split,
        kernels,
      )
      return split.kind
    },
  }
}
