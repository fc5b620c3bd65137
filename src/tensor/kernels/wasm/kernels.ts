/**
 * The WebAssembly SIMD back end: matmul (packed, register-blocked, split across worker threads
 * when large), 2-D convolutions run whole in the product's memory (`convolution.ts`), the common
 * elementwise ops and sum reductions, for float32 and float64; `where`,
 * `broadcastTo`, max and min take JavaScript loops for their common layouts, and `transpose` a
 * tiled one (`loops.ts`). Everything
 * else, small arrays (where a call into WebAssembly and the copies cost more than a JavaScript
 * loop) and anything that does not fit in kernel memory go to the reference kernels, which are
 * also what this back end is tested against.
 *
 * @module kernels/wasm/kernels
 */
import { broadcastLoop, extremumLoop, transposeLoop, whereLoop } from '../loops.js'
import { referenceKernels } from '../reference.js'
import type { ConvGeometry, FloatArray, Kernels, ReduceKind } from '../types.js'
import type { WasmMemory, WasmModule } from './api.js'
import {
  convolutionFilterGrad,
  convolutionForward,
  convolutionInputGrad,
  convolutionMacs,
} from './convolution.js'
import { Heap } from './heap.js'
import { precisionOf } from './lanes.js'
import {
  keptOperandSlotBytes,
  keptOperandSlots,
  type MatmulTarget,
  wasmMatmul,
  worthKeeping,
} from './matmul.js'
import {
  compileKernels,
  createMemory,
  createMemoryIfRoom,
  instantiate,
  type KernelInstance,
  supportsRelaxedSimd,
  supportsSharedMemory,
  supportsSimd,
} from './module.js'
import { OperandSlots } from './operandSlots.js'
import { planBinary, runBinary, runUnary, runWhere } from './pointwise.js'
import { ResidentOperands } from './resident.js'
import { madeSharedArena } from './sharedArena.js'
import { SplitChoice } from './splitChoice.js'
import { runSum } from './sums.js'
import { controlBytes } from './taskLoop.js'
import { GemmThreads } from './threads.js'
import { type WorkerHost, workerHost } from './workers.js'

/** The arguments of a convolution face after its target: two operands, the geometry, the output. */
type ConvArguments = [FloatArray, FloatArray, ConvGeometry, FloatArray]

/** Choices of the WebAssembly back end. */
export interface WasmKernelOptions {
  /** Helper threads for large products (default: one per extra core, at most 3; 0 for none). */
  readonly threads?: number
  /** Use relaxed-SIMD fused multiply-add when the runtime validates it (default true). */
  readonly fma?: boolean
  /** Multiply-adds from which a product is split across threads (default 2^19, about 80³). */
  readonly threadThreshold?: number
  /** Elements below which elementwise ops and sums stay in JavaScript (default 64). */
  readonly smallSize?: number
  /** Multiply-adds below which a product stays in JavaScript (default 512). */
  readonly smallMatmul?: number
  /**
   * Where helper threads come from (default: the platform's `workerHost()`: Node's worker
   * threads; `undefined` in a runtime without them, and then everything runs on this thread).
   */
  readonly host?: WorkerHost | undefined
  /**
   * How long the first large product waits for the helper threads to report ready (default 0: it
   * runs on the calling thread and the threads join the products after it once they are ready).
   */
  readonly threadStartMs?: number
  /**
   * Whether a large product is split across the threads only when splitting has measured faster
   * in this process (default true: `splitChoice.ts`); false splits every product from
   * `threadThreshold` on (tests use it to exercise the split).
   */
  readonly adaptiveSplit?: boolean
  /** Whether the calling thread takes part in threaded products (default true; tests turn it off). */
  readonly callerWorks?: boolean
  /**
   * The kernels for what this back end does not accelerate (default the reference kernels; tests
   * pass a recording one to see which calls fall back).
   */
  readonly fallback?: Kernels
}

/** The WebAssembly kernels, with what they were built with. */
export interface WasmKernels extends Kernels {
  /** Whether the product uses fused multiply-add. */
  readonly fma: boolean
  /**
   * Starts the helper threads if they have not started (the first product big enough to use them
   * starts them too) and resolves, once they are ready, to how many are. Nothing needs to await
   * it: it exists for callers that want the start outside a timed region.
   */
  readonly startThreads: () => Promise<number>
  /** How many helper threads are ready now (0 before the first large product). */
  readonly readyThreads: () => number
}

/**
 * Builds the WebAssembly back end, or `undefined` when the runtime lacks WebAssembly SIMD.
 *
 * @example
 * import { createWasmKernels, useKernels } from 'nabla'
 * const wasm = createWasmKernels({ threads: 0 })
 * if (wasm !== undefined) useKernels(wasm)
 */
export const createWasmKernels = (options: WasmKernelOptions = {}): WasmKernels | undefined => {
  if (!supportsSimd()) return undefined
  const fma = (options.fma ?? true) && supportsRelaxedSimd()
  const fallback = options.fallback ?? referenceKernels
  const smallSize = options.smallSize ?? 64
  const smallMatmul = options.smallMatmul ?? 512
  const threadThreshold = options.threadThreshold ?? 2 ** 19
  const memory = createMemory(false)
  const local: KernelInstance = instantiate(compileKernels({ shared: false, fma }), memory, fma)
  const heap = new Heap(memory)
  const localTarget: MatmulTarget = { instance: local, heap, base: 0, threads: undefined, threadThreshold: 0 }
  // a product target over `memory` that keeps operands in slots from byte `from`, each with a region
  // of the same size after them for its packing (matmul.ts), its working area above those
  const slotted = (module: WasmModule, memory: WasmMemory, from: number) => {
    const operands = new OperandSlots(keptOperandSlots, from, keptOperandSlotBytes)
    const base = operands.address(2 * operands.count)
    return { instance: instantiate(module, memory, fma), heap: new Heap(memory), base, operands }
  }
  // a product on this thread with an operand worth keeping (a weight matrix multiplied again, say)
  // runs in a memory of its own whose slots keep operands and op(B)'s packing between products, as
  // the threads' memory does; made at the first such product (null: no address space for it)
  let keptLocal: MatmulTarget | null | undefined
  const keptLocalTarget = (): MatmulTarget | undefined => {
    if (keptLocal === undefined) {
      const memory = createMemoryIfRoom(false)
      keptLocal =
        memory === undefined
          ? null
          : {
              ...slotted(compileKernels({ shared: false, fma }), memory, 0),
              threads: undefined,
              threadThreshold: 0,
            }
    }
    return keptLocal ?? undefined
  }
  const localTargetFor = (a: FloatArray, b: FloatArray): MatmulTarget =>
    (worthKeeping(b) || worthKeeping(a) ? keptLocalTarget() : undefined) ?? localTarget
  const host = 'host' in options ? options.host : workerHost()
  let sharedTarget: MatmulTarget | undefined
  let threads: GemmThreads | undefined
  let started = false
  // helper threads start with the first product big enough to use them, not at load, and
  // synchronously (no event-loop turn); by default that product does not wait for them: it runs on
  // the calling thread, and the threads join later products once they report ready
  const startThreadsNow = (): number => {
    if (started) return threads?.ready ?? 0
    started = true
    if (options.threads === 0 || !supportsSharedMemory()) return 0
    const module = compileKernels({ shared: true, fma })
    // no address space for a second memory (ulimit -v): products stay on the calling thread
    const sharedMemory = createMemoryIfRoom(true)
    if (sharedMemory === undefined) return 0
    threads = GemmThreads.start(module, sharedMemory, options.threads, host, options.threadStartMs ?? 0)
    if (threads === undefined) return 0
    // the split products' operands are kept between products in slots above the control blocks
    sharedTarget = {
      ...slotted(module, sharedMemory, controlBytes),
      threads,
      threadThreshold,
      callerWorks: options.callerWorks ?? true,
    }
    return threads.ready
  }
  const splitChoice = (options.adaptiveSplit ?? true) ? new SplitChoice() : undefined
  // runs a convolution face on the target its product's size calls for (threads when large and when
  // splitting has measured faster), and records the time so the choice keeps measuring; each face
  // keeps costs of its own (they include the unfolding and copies around the product, and the three
  // faces of one layer have one size but products of different shapes)
  // a plan's buffers (all three arrays in the plans' shared arena, whose kernels are these same
  // ones) are convolved where they are, with the arena's threads: nothing is copied
  const convolve = (face: (target: MatmulTarget, smallMatmul: number, ...args: ConvArguments) => boolean) => {
    const choices =
      (options.adaptiveSplit ?? true) ? { copied: new SplitChoice(), inPlace: new SplitChoice() } : undefined
    return (...args: ConvArguments): boolean => {
      const macs = convolutionMacs(args[2])
      const arena = madeSharedArena()
      const inPlace =
        arena !== undefined &&
        arena.kernels.f32.gemmShape.fma === fma &&
        arena.holds(args[0], args[1], args[3])
      const choice = inPlace ? choices?.inPlace : choices?.copied
      const large = macs >= threadThreshold && (inPlace ? arena!.startThreads() : startThreadsNow()) > 0
      const kind = precisionOf(args[0])
      const split = large && (choice?.choose(macs, kind) ?? true)
      const began = large ? performance.now() : 0
      const target = inPlace ? arena!.productTarget(split) : split ? sharedTarget! : localTarget
      const ran = face(target, smallMatmul, ...args)
      if (ran && large) choice?.record(macs, split, (performance.now() - began) / args[2].groups, kind)
      return ran
    }
  }
  const precision = (x: FloatArray) => (x instanceof Float32Array ? local.f32 : local.f64)
  // large same-shape binary ops keep their operands and result in kernel memory (resident.ts)
  const resident = new ResidentOperands()
  return {
    name: fma ? 'wasm-simd-fma' : 'wasm-simd',
    fma,
    startThreads: async () => {
      startThreadsNow()
      // resolves once every thread is ready (or one failed, or half a minute on a very busy machine)
      const deadline = Date.now() + 30_000
      while (threads !== undefined && !threads.allReady && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 2))
      return threads?.ready ?? 0
    },
    readyThreads: () => threads?.ready ?? 0,
    unary: (op, x, out) => {
      const kernel = precision(out).unary.get(op.name)
      if (kernel === undefined || out.length < smallSize || !runUnary(heap, kernel, x, out))
        fallback.unary(op, x, out)
    },
    binary: (op, a, aShape, b, bShape, out, outShape) => {
      const kernel = out.length < smallSize ? undefined : precision(out).binary.get(op.name)
      const plan = kernel === undefined ? undefined : planBinary(aShape, bShape, outShape)
      const whole =
        plan !== undefined && plan.blocks === 1 && plan.outer === 1 && plan.aInner === 1 && plan.bInner === 1
      if (whole && resident.run(op.name, a, b, out)) return
      if (plan === undefined || !runBinary(heap, kernel!, plan, a, b, out))
        fallback.binary(op, a, aShape, b, bShape, out, outShape)
    },
    reduce: (kind: ReduceKind, x, shape, axes, out) => {
      if (kind !== 'sum') {
        if (!extremumLoop(kind, x, shape, axes, out)) fallback.reduce(kind, x, shape, axes, out)
        return
      }
      if (x.length < smallSize || !runSum(heap, precision(x), local.f64, x, shape, axes, out))
        fallback.reduce(kind, x, shape, axes, out)
    },
    matmul: (args) => {
      const { outShape, aShape, transposeA, out } = args
      const k = transposeA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!
      const perMatrix = outShape[outShape.length - 1]! * outShape[outShape.length - 2]! * k
      if (out.length * k < smallMatmul) {
        fallback.matmul(args)
        return
      }
      const large = perMatrix >= threadThreshold && startThreadsNow() > 0
      const kind = precisionOf(out)
      const split = large && (splitChoice?.choose(perMatrix, kind) ?? true)
      const began = large ? performance.now() : 0
      if (!wasmMatmul(split ? sharedTarget! : localTargetFor(args.a, args.b), args)) fallback.matmul(args)
      // the time per matrix of the batch, so batched and single products of a size compare
      else if (large)
        splitChoice?.record(
          perMatrix,
          split,
          ((performance.now() - began) * perMatrix) / (out.length * k),
          kind,
        )
    },
    where: (condition, conditionShape, a, aShape, b, bShape, out, outShape) => {
      const fast = out.length >= smallSize && runWhere(heap, precision(out).where, condition, a, b, out)
      if (!fast && !whereLoop(condition, a, b, out))
        fallback.where(condition, conditionShape, a, aShape, b, bShape, out, outShape)
    },
    broadcastTo: (x, shape, out, outShape) => {
      if (!broadcastLoop(x, shape, out, outShape)) fallback.broadcastTo(x, shape, out, outShape)
    },
    conv2d: {
      forward: convolve(convolutionForward),
      inputGrad: convolve(convolutionInputGrad),
      filterGrad: convolve(convolutionFilterGrad),
    },
    transpose: (x, shape, perm, out) => {
      if (!transposeLoop(x, shape, perm, out)) fallback.transpose(x, shape, perm, out)
    },
    slice: fallback.slice,
    pad: fallback.pad,
    concat: fallback.concat,
    gather: fallback.gather,
    scatterAdd: fallback.scatterAdd,
  }
}
