/**
 * Helper threads for large matrix products. Each worker instantiates the same kernel module over
 * the same shared memory and sleeps on a generation number in a control block at address 0. A
 * product is cut into blocks of rows or of columns of C (tasks, `splitOf`); the caller publishes
 * the job, wakes the workers, and then everyone, caller included, takes tasks off a shared counter
 * until none are left. The caller returns once every task is done.
 *
 * The scheduling is dynamic on purpose: a worker that the operating system has not scheduled (a
 * busy machine) simply takes no task, and the caller does the work itself, never waiting for a
 * thread that has not started. Only a task already taken is waited for.
 *
 * Consistency without locks: job parameters sit in a ring of four slots indexed by generation, and
 * the task counter holds `(generation << 16) | next task`. A thread reads a job's parameters, then
 * claims a task with a compare-and-swap that also checks the generation; if the swap succeeds the
 * caller is still on that job, so the slot it read has not been rewritten. A worker reads the
 * generation *before* it reports ready: reading it after could miss the first job (a deadlock
 * design.md §6 records). Workers are `unref`'d, so they never keep the process alive, and run code
 * passed as a string, so they need no loader for TypeScript sources.
 *
 * The start is synchronous: the workers are spawned through the platform's `WorkerHost`
 * (workers.ts) with no event-loop turn, and they boot while the caller goes on. The caller may
 * block on their ready flags with `Atomics.wait` (`waitMs`, tens of milliseconds) so that the very
 * product that asked for threads uses them; the eager back end does not wait (that product runs on
 * the calling thread, and the threads join the next ones once ready). A browser starts a Web
 * Worker only once its creator yields, so there the threads always join when they are ready.
 *
 * @module kernels/wasm/threads
 */
import type { WasmMemory, WasmModule } from './api.js'
import type { Precision } from './lanes.js'
import type { PrecisionKernels } from './module.js'
import type { WorkerHost } from './workers.js'

/** Bytes of shared memory, from address 0, that hold the control block. */
export const controlBytes = 4096

const [generationAt, counterAt, completedAt, failedAt, readyAt, slotsAt] = [0, 1, 2, 3, 8, 64]
const slotLength = 20
const maximumWorkers = 32

/** How a product is cut into tasks: blocks of rows of C, or blocks of columns of C. */
export type SplitKind = 'rows' | 'columns'

/**
 * A product `C[m × n] = op(A)·op(B)` on addresses of a kernel memory (bytes; strides in elements),
 * as `gemm` takes it.
 */
export interface HeapProduct {
  readonly a: number
  readonly rowStrideA: number
  readonly colStrideA: number
  readonly b: number
  readonly rowStrideB: number
  readonly colStrideB: number
  readonly c: number
  readonly ldc: number
  readonly m: number
  readonly n: number
  readonly k: number
}

/** One product for the threads, on addresses of their shared memory, with where they may work. */
export interface SplitProduct extends HeapProduct {
  readonly precision: Precision
  /** Where a row split packs all of op(B) (`packedSize` elements); a column split leaves it alone. */
  readonly packed: number
  /** Scratch of participant `p` (the caller is 0, worker `w` is `w + 1`) at `scratch + p·scratchStride`. */
  readonly scratch: number
  readonly scratchStride: number
}

/**
 * What the workers read for a job: the product and its split. A row task runs `gemmRows` on
 * `perTask` rows of op(A) against the whole op(B), packed once at `b` beforehand; a column task runs
 * the plain `gemm` on all of op(A) against `perTask` columns of op(B) at `b` (with its strides),
 * packing its own panels of B (and A) in its own scratch.
 */
type SplitJob = Omit<SplitProduct, 'packed'> & Split

const fields = [
  'precision',
  'kind',
  'tasks',
  'perTask',
  'a',
  'rowStrideA',
  'colStrideA',
  'b',
  'rowStrideB',
  'colStrideB',
  'c',
  'ldc',
  'm',
  'n',
  'k',
  'scratch',
  'scratchStride',
] as const

// The task loop, written once as source text: the workers evaluate it, and the caller compiles
// the same text with `new Function`, so both sides run exactly the same protocol. `kernels` is
// [gemmRows_f32, gemmRows_f64, gemm_f32, gemm_f64].
const takeTasksSource = `
  const slot = ${slotsAt} + (generation & 3) * ${slotLength}
  const columns = control[slot + 1]
  const kernel = kernels[control[slot] + 2 * columns]
  const e = control[slot] === 0 ? 4 : 8
  const tasks = control[slot + 2], perTask = control[slot + 3]
  const a = control[slot + 4], rsA = control[slot + 5], csA = control[slot + 6], b = control[slot + 7]
  const rsB = control[slot + 8], csB = control[slot + 9], c = control[slot + 10], ldc = control[slot + 11]
  const m = control[slot + 12], n = control[slot + 13], k = control[slot + 14]
  const scratch = control[slot + 15] + participant * control[slot + 16]
  const tag = generation & 0x7fff
  for (;;) {
    const word = Atomics.load(control, ${counterAt})
    const task = word & 0xffff
    if (((word >> 16) & 0x7fff) !== tag || task >= tasks) return
    if (Atomics.compareExchange(control, ${counterAt}, word, word + 1) !== word) continue
    const first = task * perTask
    try {
      if (columns === 0)
        kernel(a + first * rsA * e, rsA, csA, b, c + first * ldc * e, ldc, Math.min(perTask, m - first), n, k, scratch)
      else
        kernel(a, rsA, csA, b + first * csB * e, rsB, csB, c + first * e, ldc, m, Math.min(perTask, n - first), k, scratch)
    } catch {
      Atomics.store(control, ${failedAt}, 1)
    }
    Atomics.add(control, ${completedAt}, 1)
    Atomics.notify(control, ${completedAt})
  }
`

/** A kernel a task runs: `gemmRows` or `gemm` (see `takeTasksSource`). */
export type TaskKernel = (...args: number[]) => void

type TakeTasks = (
  control: Int32Array,
  kernels: readonly TaskKernel[],
  generation: number,
  participant: number,
) => void

// the worker's body; the platform's worker host binds module, memory and index before it (workers.ts)
const workerSource = `
const { exports } = new WebAssembly.Instance(module, { env: { memory } })
const control = new Int32Array(memory.buffer, 0, ${controlBytes / 4})
const kernels = [exports.gemmRows_f32, exports.gemmRows_f64, exports.gemm_f32, exports.gemm_f64]
const takeTasks = (control, kernels, generation, participant) => {${takeTasksSource}}
let seen = Atomics.load(control, ${generationAt})
Atomics.store(control, ${readyAt} + index, 1)
Atomics.notify(control, ${readyAt} + index)
for (;;) {
  // a short spin first: the next product of a training step usually follows within microseconds
  for (let spin = 0; spin < 20000 && Atomics.load(control, ${generationAt}) === seen; spin++);
  Atomics.wait(control, ${generationAt}, seen)
  seen = Atomics.load(control, ${generationAt})
  takeTasks(control, kernels, seen, index + 1)
}
`

/** Row tasks per participating thread (the calling thread and each ready worker). */
export const tasksPerThread = 6

/**
 * Rows of C per task of a split product of `m` rows (a multiple of the register tile's `mr`), for
 * `threads` participating threads: about `tasksPerThread` tasks each. Fewer, larger tasks leave a
 * thread idle at the end whenever the two run at different speeds — a virtual machine's cores often
 * do (one ran a 512² product's row blocks ~35 % slower than the other for minutes here), and a
 * thread the scheduler wakes late starts behind. With six tasks per thread instead of three, split
 * products ran 8–13 % faster at 512² and 1024² and 0–8 % at a small network's 128×784×128 sizes
 * (alternating in one process); every task still packs its own rows of A once, so only the packed B
 * is read more often.
 * @example
 * import { rowsPerTask } from './threads.js'
 * rowsPerTask(512, 2, 2) // 44: twelve tasks of 44 rows (the last one 28)
 */
export const rowsPerTask = (m: number, mr: number, threads: number): number =>
  Math.ceil(Math.ceil(m / (tasksPerThread * threads)) / mr) * mr

/** How a product is cut for the threads: the kind of block, its size and the number of tasks. */
export interface Split {
  readonly kind: SplitKind
  readonly perTask: number
  readonly tasks: number
}

/**
 * How a product with `m × n` outputs is split across `threads` threads (register tile `mr × nr`),
 * or undefined when neither way gives two tasks. By columns when C is wider than tall (`m < n`),
 * else by rows; the other way when the preferred one gives a single task.
 *
 * A row split packs all of op(B) (`k × n`) once on the calling thread before any task starts, and
 * every task reads all of it; a column split packs nothing up front (each task packs its own
 * panels of B, so the packing runs on every thread) but every task packs all of op(A) (`m × k`).
 * So rows pay a serial `k·n`, columns a parallel `tasks·m·k`: the convolutions' products, with
 * 6–32 rows and thousands of columns, split by columns, a batch of 512 rows by rows. Each output
 * element is computed by the same instructions in the same order either way (the tasks run the
 * single-thread kernel on a block of C, and the depth is cut into the same slices), so the results
 * are bit-identical to the single-thread product's.
 * @example
 * import { splitOf } from './threads.js'
 * splitOf(16, 36864, 2, 16, 2) // { kind: 'columns', perTask: 3072, tasks: 12 }
 */
export const splitOf = (m: number, n: number, mr: number, nr: number, threads: number): Split | undefined => {
  const rows = rowsPerTask(m, mr, threads)
  const columns = rowsPerTask(n, nr, threads)
  const byRows: Split = { kind: 'rows', perTask: rows, tasks: Math.ceil(m / rows) }
  const byColumns: Split = { kind: 'columns', perTask: columns, tasks: Math.ceil(n / columns) }
  const [preferred, other] = m < n ? [byColumns, byRows] : [byRows, byColumns]
  if (preferred.tasks > 1) return preferred
  return other.tasks > 1 ? other : undefined
}

/** Helper threads sharing one kernel memory. */
export class GemmThreads {
  readonly #control: Int32Array
  readonly #workers: number
  readonly #takeTasks: TakeTasks
  #failed = false

  private constructor(memory: WasmMemory, workers: number) {
    this.#control = new Int32Array(memory.buffer, 0, controlBytes / 4)
    this.#workers = workers
    this.#takeTasks = new Function(
      'control',
      'kernels',
      'generation',
      'participant',
      takeTasksSource,
    ) as TakeTasks
  }

  /**
   * Starts `requested` threads (default: one per extra core, at most 3) over `memory` (which must
   * be shared) running `module`, and waits up to `waitMs` for them to report ready (a thread that
   * is later joins when it is). `undefined` when there is no worker host (workers.ts), it fails to spawn, or there is no
   * core to spare.
   */
  static start(
    module: WasmModule,
    memory: WasmMemory,
    requested: number | undefined,
    host: WorkerHost | undefined,
    waitMs = 2000,
  ): GemmThreads | undefined {
    if (host === undefined) return undefined
    const workers = Math.min(maximumWorkers, requested ?? Math.max(0, Math.min(3, host.cores - 1)))
    if (workers === 0) return undefined
    const threads = new GemmThreads(memory, workers)
    const onError = () => {
      threads.#failed = true
    }
    try {
      for (let index = 0; index < workers; index++)
        host.spawn(workerSource, { module, memory, index }, onError)
    } catch {
      return undefined
    }
    if (host.kind !== 'node') return threads
    const deadline = Date.now() + waitMs
    for (let index = 0; index < workers; index++)
      for (let left = waitMs; Atomics.load(threads.#control, readyAt + index) !== 1 && left > 0; ) {
        Atomics.wait(threads.#control, readyAt + index, 0, left)
        left = deadline - Date.now()
      }
    return threads
  }

  /** Whether every worker has reported ready, or one has failed (nothing more to wait for). */
  get allReady(): boolean {
    return this.#failed || this.ready === this.#workers
  }

  /** How many workers are ready for a job now. */
  get ready(): number {
    if (this.#failed) return 0
    let count = 0
    while (count < this.#workers && Atomics.load(this.#control, readyAt + count) === 1) count++
    return count
  }

  /**
   * Runs `product` cut as `split` (`splitOf`): a row split first packs op(B) at `product.packed` on
   * this thread; then the job is published, the workers woken, and the calling thread takes tasks
   * too (unless `callerWorks` is false, which tests use to make the workers do everything). Returns
   * when every task is done.
   */
  run(
    product: SplitProduct,
    split: Split,
    kernels: { readonly f32: PrecisionKernels; readonly f64: PrecisionKernels },
    callerWorks = true,
  ): void {
    const byRows = split.kind === 'rows'
    if (byRows) {
      const kernel = product.precision === 'f32' ? kernels.f32 : kernels.f64
      kernel.packAll(product.b, product.rowStrideB, product.colStrideB, product.n, product.k, product.packed)
    }
    // written out field by field: object rest and spread of a record this size cost microseconds
    // a product, several per training step
    const job: SplitJob = {
      precision: product.precision,
      kind: split.kind,
      tasks: split.tasks,
      perTask: split.perTask,
      a: product.a,
      rowStrideA: product.rowStrideA,
      colStrideA: product.colStrideA,
      b: byRows ? product.packed : product.b,
      rowStrideB: product.rowStrideB,
      colStrideB: product.colStrideB,
      c: product.c,
      ldc: product.ldc,
      m: product.m,
      n: product.n,
      k: product.k,
      scratch: product.scratch,
      scratchStride: product.scratchStride,
    }
    const control = this.#control
    const generation = (Atomics.load(control, generationAt) + 1) | 0
    const slot = slotsAt + (generation & 3) * slotLength
    fields.forEach((field, i) => {
      if (field === 'precision') control[slot + i] = job.precision === 'f32' ? 0 : 1
      else if (field === 'kind') control[slot + i] = job.kind === 'rows' ? 0 : 1
      else control[slot + i] = job[field]
    })
    Atomics.store(control, completedAt, 0)
    Atomics.store(control, counterAt, (generation & 0x7fff) << 16)
    Atomics.store(control, generationAt, generation)
    Atomics.notify(control, generationAt)
    if (callerWorks)
      this.#takeTasks(
        control,
        [kernels.f32.gemmRows, kernels.f64.gemmRows, kernels.f32.gemm, kernels.f64.gemm],
        generation,
        0,
      )
    for (
      let done = Atomics.load(control, completedAt);
      done < job.tasks;
      done = Atomics.load(control, completedAt)
    )
      Atomics.wait(control, completedAt, done)
    if (Atomics.load(control, failedAt) !== 0)
      throw new Error('nabla: a matmul task failed in a worker thread')
  }
}
