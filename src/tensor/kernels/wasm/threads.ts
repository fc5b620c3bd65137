/**
 * Helper threads for large matrix products: each worker instantiates the same kernel module over
 * the same shared memory and waits on its own control block there. The caller writes a job's
 * arguments, bumps the worker's sequence number and wakes it, runs its own share of the product,
 * then sleeps until every worker has written the sequence number back as done.
 *
 * The control block of worker `w` is 16 int32s at `w × 64` bytes: `[sequence, done, ready,
 * precision, …the 12 gemm arguments]`. A worker reads the sequence number *before* it reports
 * ready: reading it after could miss the first job, and both threads would then wait forever.
 * Workers start asynchronously; until one reports ready the caller does all the work itself, so a
 * kernel call never waits for a thread to start. Workers are `unref`'d (they never keep the process
 * alive) and run code passed as a string, so they need no loader for TypeScript sources.
 *
 * @module kernels/wasm/threads
 */
import type { WasmMemory, WasmModule } from './api.js'
import type { Precision } from './lanes.js'

/** Bytes of shared memory, from address 0, that hold the control blocks. */
export const controlBytes = 4096

const slot = 16
const [sequence, done, ready, precisionSlot, argumentsSlot] = [0, 1, 2, 3, 4]

/** One share of a product: the 12 arguments of `gemm`. */
export interface GemmJob {
  readonly precision: Precision
  readonly args: readonly number[]
}

const workerSource = `
const { workerData } = require('node:worker_threads')
const { module, memory, index } = workerData
const { exports } = new WebAssembly.Instance(module, { env: { memory } })
const control = new Int32Array(memory.buffer, index * ${slot * 4}, ${slot})
let seen = Atomics.load(control, ${sequence})
Atomics.store(control, ${ready}, 1)
for (;;) {
  // a short spin first: the next product of a training step usually follows within microseconds
  for (let spin = 0; spin < 20000 && Atomics.load(control, ${sequence}) === seen; spin++);
  Atomics.wait(control, ${sequence}, seen)
  seen = Atomics.load(control, ${sequence})
  const gemm = control[${precisionSlot}] === 0 ? exports.gemm_f32 : exports.gemm_f64
  const a = control.subarray(${argumentsSlot}, ${argumentsSlot + 12})
  try {
    gemm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11])
  } catch {
    Atomics.store(control, ${ready}, 2)
  }
  Atomics.store(control, ${done}, seen)
  Atomics.notify(control, ${done})
}
`

/** Helper threads sharing one kernel memory. */
export class GemmThreads {
  readonly #control: Int32Array
  readonly #workers: number
  #failed = false

  private constructor(memory: WasmMemory, workers: number) {
    this.#control = new Int32Array(memory.buffer, 0, controlBytes / 4)
    this.#workers = workers
  }

  /**
   * Starts `workers` threads (default: one per extra core, at most 3) over `memory` (which must be
   * shared) running `module`; they become usable once they report ready. Resolves to `undefined`
   * when worker threads are unavailable or there is no core to spare.
   */
  static async start(
    module: WasmModule,
    memory: WasmMemory,
    requested: number | undefined,
  ): Promise<GemmThreads | undefined> {
    if (typeof process === 'undefined' || process.versions?.node === undefined) return undefined
    const { Worker } = await import('node:worker_threads')
    const { availableParallelism } = await import('node:os')
    const workers = requested ?? Math.max(0, Math.min(3, availableParallelism() - 1))
    if (workers === 0) return undefined
    const threads = new GemmThreads(memory, workers)
    for (let index = 0; index < workers; index++) {
      const worker = new Worker(workerSource, { eval: true, workerData: { module, memory, index } })
      worker.on('error', () => {
        threads.#failed = true
      })
      worker.unref()
    }
    return threads
  }

  /** Resolves, once the workers have started (or after 5 s), to how many are ready. */
  async whenReady(): Promise<number> {
    for (let tries = 0; tries < 500 && this.ready < this.#workers; tries++)
      await new Promise((resolve) => setTimeout(resolve, 10))
    return this.ready
  }

  /** How many workers are ready for a job now. */
  get ready(): number {
    if (this.#failed) return 0
    let count = 0
    while (count < this.#workers && Atomics.load(this.#control, count * slot + ready) === 1) count++
    return count
  }

  /**
   * Runs `jobs[0]` on the calling thread with `self` and `jobs[i]` on worker `i − 1`, returning when
   * all are done. Needs `jobs.length − 1 ≤ ready`.
   */
  run(jobs: readonly GemmJob[], self: (job: GemmJob) => void): void {
    const control = this.#control
    const issued: number[] = []
    for (let w = 0; w < jobs.length - 1; w++) {
      const job = jobs[w + 1]!
      const base = w * slot
      control[base + precisionSlot] = job.precision === 'f32' ? 0 : 1
      control.set(job.args, base + argumentsSlot)
      const next = (Atomics.load(control, base + sequence) + 1) | 0
      Atomics.store(control, base + sequence, next)
      Atomics.notify(control, base + sequence)
      issued.push(next)
    }
    self(jobs[0]!)
    for (let w = 0; w < issued.length; w++) {
      const index = w * slot + done
      for (let seen = Atomics.load(control, index); seen !== issued[w]; seen = Atomics.load(control, index))
        Atomics.wait(control, index, seen)
    }
    if (this.ready < issued.length) throw new Error('nabla: a matmul worker thread failed')
  }
}
