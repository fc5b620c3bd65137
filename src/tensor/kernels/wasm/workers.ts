/**
 * Where helper threads come from, chosen once at load from what the platform offers, with no
 * import of a Node built-in (the main entry must bundle for a browser):
 *
 * - Node: `worker_threads`, reached through `process.getBuiltinModule` (Node ≥ 20.16), so starting
 *   a thread needs no `await`.
 * - A browser: Web Workers, only when the page is `crossOriginIsolated` (shared memory is allowed)
 *   and nabla itself runs inside a worker: the caller waits for its helpers with `Atomics.wait`,
 *   which a page's main thread may not call.
 * - Anything else (a page's main thread, no isolation, an older Node, Deno without workers): no
 *   helper threads; the kernels run on the calling thread, with the same results.
 *
 * @module kernels/wasm/workers
 */
import type { WasmMemory, WasmModule } from './api.js'

/** What a helper thread is given: the kernel module, the shared memory, and its index. */
export interface WorkerData {
  readonly module: WasmModule
  readonly memory: WasmMemory
  readonly index: number
}

/**
 * A way to start helper threads on this platform (worker_threads in Node, Web Workers in a
 * cross-origin-isolated browser worker); without one every kernel runs on the calling thread.
 * @example
 * import { createWasmKernels, type WorkerHost } from 'nabla'
 * const host: WorkerHost | undefined = undefined // no helper threads
 * const kernels = createWasmKernels({ host }) // undefined where WebAssembly SIMD is missing
 */
export interface WorkerHost {
  /** `'node'` (worker_threads) or `'web'` (Web Workers). */
  readonly kind: 'node' | 'web'
  /** Logical cores. */
  readonly cores: number
  /**
   * Starts a thread running `body` (JavaScript in which `module`, `memory` and `index` are bound);
   * `onError` is called if it fails. The thread never keeps a Node process alive.
   */
  spawn(body: string, data: WorkerData, onError: () => void): void
}

/** The parts of the global object the choice reads (a parameter so tests can present any platform). */
export interface PlatformGlobals {
  readonly process?: { readonly getBuiltinModule?: (id: string) => unknown }
  readonly Worker?: unknown
  readonly crossOriginIsolated?: boolean
  readonly document?: unknown
  readonly navigator?: { readonly hardwareConcurrency?: number }
  readonly Blob?: unknown
  readonly URL?: { createObjectURL?: (blob: unknown) => string }
}

interface NodeWorker {
  on(event: 'error', listener: () => void): void
  unref(): void
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: WorkerData }) => NodeWorker
}
interface NodeOs {
  availableParallelism(): number
}
interface WebWorker {
  onerror: (() => void) | null
  postMessage(message: WorkerData): void
}

const nodeHost = (getBuiltinModule: (id: string) => unknown): WorkerHost | undefined => {
  const threads = getBuiltinModule('node:worker_threads') as NodeWorkerThreads | undefined
  const os = getBuiltinModule('node:os') as NodeOs | undefined
  if (threads === undefined || os === undefined) return undefined
  return {
    kind: 'node',
    cores: os.availableParallelism(),
    spawn: (body, data, onError) => {
      const source = `const { module, memory, index } = require('node:worker_threads').workerData\n${body}`
      const worker = new threads.Worker(source, { eval: true, workerData: data })
      worker.on('error', onError)
      worker.unref()
    },
  }
}

/**
 * The worker host of a platform described by `globals`, or `undefined` when helper threads are
 * not available there.
 * @example
 * import { workerHostFor } from './workers.js'
 * workerHostFor({ document: {}, Worker: class {}, crossOriginIsolated: true }) // undefined: a page's main thread
 */
export const workerHostFor = (globals: PlatformGlobals): WorkerHost | undefined => {
  const getBuiltinModule = globals.process?.getBuiltinModule
  if (typeof getBuiltinModule === 'function') return nodeHost(getBuiltinModule)
  const { Worker, Blob, URL } = globals
  if (
    typeof Worker !== 'function' ||
    typeof Blob !== 'function' ||
    typeof URL?.createObjectURL !== 'function' ||
    globals.crossOriginIsolated !== true ||
    globals.document !== undefined
  )
    return undefined
  const createObjectURL = URL.createObjectURL
  return {
    kind: 'web',
    cores: Math.max(1, globals.navigator?.hardwareConcurrency ?? 1),
    spawn: (body, data, onError) => {
      const source = `self.onmessage = (event) => {\nconst { module, memory, index } = event.data\n${body}\n}`
      const url = createObjectURL(
        new (Blob as new (parts: string[], options: object) => unknown)([source], {
          type: 'text/javascript',
        }),
      )
      const worker = new (Worker as new (url: string) => WebWorker)(url)
      worker.onerror = onError
      worker.postMessage(data)
    },
  }
}

/**
 * The worker host of the platform nabla runs on (read from `globalThis`).
 * @example
 * import { workerHost } from './workers.js'
 * workerHost()?.kind // 'node' under Node ≥ 20.16
 */
export const workerHost = (): WorkerHost | undefined => workerHostFor(globalThis as PlatformGlobals)
