/**
 * Helper threads for large matrix products. Each worker instantiates the same kernel module over
 * the same shared memory and sleeps on a generation number in a control block at address 0. A
 * product is cut into blocks of rows or of columns of C (tasks, `splitOf` in splits.ts); the caller publishes
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
import { packedBlocks } from './shared.js'
import { type Split, tasksPerThread } from './splits.js'
import type { WorkerHost } from './workers.js'

/** Bytes of shared memory, from address 0, that hold the control block. */
export const controlBytes = 4096

const [generationAt, counterAt, completedAt, failedAt, readyAt, slotsAt] = [0, 1, 2, 3, 8, 64]
// a word per task of the job: the job's generation once that task's block of C is computed
const doneAt = 256
const slotLength = 24
const maximumWorkers = 32

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
  /**
   * A patch table (`writePatchTable`) whose unfolding each block of C runs first, or 0: a column
   * task unfolds the images its columns hold (`unit` columns per image), a row task its rows of op(A)
   * over all `images`. With `fold`, the table folds C itself back instead, after each column task
   * has computed its images.
   */
  readonly table?: number
  readonly images?: number
  readonly fold?: boolean
}

/**
 * What the workers read for a job: the product and its split. A row task runs `gemmRows` on its
 * rows of op(A) (`taskRange`) against the whole op(B), packed once at `b` beforehand; a column task
 * runs the plain `gemm` on all of op(A) against its columns of op(B) at `b` (with its strides),
 * packing its own panels of B (and A) in its own scratch.
 */
type SplitJob = Omit<SplitProduct, 'packed' | 'table' | 'images' | 'fold'> &
  Split & {
    readonly table: number
    readonly images: number
    readonly fold: number
    /** op(B) as the product gives it, which the packing tasks read (a row split's; 0 otherwise). */
    readonly source: number
    readonly packTasks: number
    readonly gate: number
  }

const fields = [
  'precision',
  'kind',
  'tasks',
  'unit',
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
  'source',
  'packTasks',
  'gate',
  'table',
  'images',
  'fold',
] as const

// The task loop, written once as source text: the workers evaluate it, and the caller compiles
// the same text with `new Function`, so both sides run exactly the same protocol. `kernels` is
// [gemmRows_f32, gemmRows_f64, gemm_f32, gemm_f64, packAll_f32, packAll_f64, unfold_f32,
// unfold_f64, fold_f32, fold_f64]. A job's first `packTasks` tasks pack op(B) (a row split's;
// `packAll` with a stride of blocks), the rest compute blocks of C; before its first block a
// thread waits until `gate` tasks are complete (the packing, and the caller's copy of the
// operands when it makes it after publishing the job). No block of C completes before the gate
// opens, so counting completions is enough. A job with a patch `table` (a convolution's) has each
// block of C unfold its own part of the patch matrix first: a column task the images its columns
// hold (`unit` columns each), a row task its patch rows of all `images`; or, with `fold`, a column
// task fold its images of C back once it has computed them.
const takeTasksSource = `
  const slot = ${slotsAt} + (generation & 3) * ${slotLength}
  const columns = control[slot + 1]
  const kernel = kernels[control[slot] + 2 * columns]
  const pack = kernels[4 + control[slot]]
  const unfold = kernels[6 + control[slot]]
  const foldBack = kernels[8 + control[slot]]
  const e = control[slot] === 0 ? 4 : 8
  const tasks = control[slot + 2], unit = control[slot + 3]
  const a = control[slot + 4], rsA = control[slot + 5], csA = control[slot + 6], b = control[slot + 7]
  const rsB = control[slot + 8], csB = control[slot + 9], c = control[slot + 10], ldc = control[slot + 11]
  const m = control[slot + 12], n = control[slot + 13], k = control[slot + 14]
  const scratch = control[slot + 15] + participant * control[slot + 16]
  const source = control[slot + 17], packTasks = control[slot + 18], gate = control[slot + 19]
  const table = control[slot + 20], images = control[slot + 21], fold = control[slot + 22]
  const tag = generation & 0x7fff
  let open = gate === 0
  for (;;) {
    const word = Atomics.load(control, ${counterAt})
    const claimed = word & 0xffff
    if (((word >> 16) & 0x7fff) !== tag || claimed >= packTasks + tasks) return
    if (Atomics.compareExchange(control, ${counterAt}, word, word + 1) !== word) continue
    if (claimed < packTasks) {
      try {
        pack(source, rsB, csB, n, k, b, claimed, packTasks)
      } catch {
        Atomics.store(control, ${failedAt}, 1)
      }
      Atomics.add(control, ${completedAt}, 1)
      Atomics.notify(control, ${completedAt})
      continue
    }
    // a short spin, then sleep: the gate is usually a block's packing or a copy away
    for (let spin = 0, done = 0; !open && (done = Atomics.load(control, ${completedAt})) < gate; )
      if (++spin > 20000) Atomics.wait(control, ${completedAt}, done)
    open = true
    // task t takes the t-th of \`tasks\` near-equal runs of whole units (as \`taskRange\` computes)
    const task = claimed - packTasks
    const extent = columns === 0 ? m : n
    const units = Math.ceil(extent / unit)
    const first = Math.floor((task * units) / tasks) * unit
    const count = Math.min(extent, Math.floor(((task + 1) * units) / tasks) * unit) - first
    try {
      if (table !== 0 && fold === 0)
        if (columns === 0) unfold(table, first, count, 0, images)
        else unfold(table, 0, k, first / unit, count / unit)
      if (columns === 0)
        kernel(a + first * rsA * e, rsA, csA, b, c + first * ldc * e, ldc, count, n, k, scratch)
      else
        kernel(a, rsA, csA, b + first * csB * e, rsB, csB, c + first * e, ldc, m, count, k, scratch)
      if (table !== 0 && fold !== 0) foldBack(table, 0, m, first / unit, count / unit)
    } catch {
      Atomics.store(control, ${failedAt}, 1)
    }
    Atomics.store(control, ${doneAt} + task, generation)
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
const kernels = [
  exports.gemmRows_f32, exports.gemmRows_f64, exports.gemm_f32, exports.gemm_f64,
  exports.packAll_f32, exports.packAll_f64, exports.unfold_f32, exports.unfold_f64,
  exports.fold_f32, exports.fold_f64,
]
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

  /**
   * Wakes the workers ahead of a job: a worker asleep since the last one takes tens of
   * microseconds to be scheduled again (50–85 µs measured for the first task of a 512² product
   * here), which a caller that still has the operands to copy in can hide. The generation does not
   * change: a woken worker finds no task of the last job left and spins on the generation (then
   * sleeps again), so the job published next is taken at once.
   */
  wake(): void {
    Atomics.notify(this.#control, generationAt)
  }

  /** How many workers are ready for a job now. */
  get ready(): number {
    if (this.#failed) return 0
    let count = 0
    while (count < this.#workers && Atomics.load(this.#control, readyAt + count) === 1) count++
    return count
  }

  /**
   * Runs `product` cut as `split` (`splitOf`): the job is published and the workers woken; a row
   * split's first tasks pack op(B) at `product.packed` (each a stride of its blocks), and the blocks
   * of C start once it is packed. The calling thread takes tasks too (unless `callerWorks` is false,
   * which tests use to make the workers do everything). `prepare`, when given, runs on the calling
   * thread right after the job is published and before any block of C starts — the caller's copy
   * of op(A) into the memory, say, while a worker already packs op(B) (which must be in place before
   * the call). `finished`, when given, is called once for each task (its index) whose block of C
   * is computed: on the calling thread, for the tasks already done as soon as it has no task left
   * to take (while the others finish theirs), then for the rest — a row split's caller copies those
   * rows of C out meanwhile. Returns when every task is done.
   */
  run(
    product: SplitProduct,
    split: Split,
    kernels: { readonly f32: PrecisionKernels; readonly f64: PrecisionKernels },
    callerWorks = true,
    prepare?: () => void,
    finished?: (task: number) => void,
  ): void {
    const byRows = split.kind === 'rows'
    const shape = (product.precision === 'f32' ? kernels.f32 : kernels.f64).gemmShape
    const packTasks = byRows
      ? Math.min(packedBlocks(shape, product.k, product.n), tasksPerThread * (this.#workers + 1))
      : 0
    const gate = packTasks + (prepare === undefined ? 0 : 1)
    // written out field by field: object rest and spread of a record this size cost microseconds
    // a product, several per training step
    const job: SplitJob = {
      precision: product.precision,
      kind: split.kind,
      tasks: split.tasks,
      unit: split.unit,
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
      source: byRows ? product.b : 0,
      packTasks,
      gate,
      table: product.table ?? 0,
      images: product.images ?? 0,
      fold: product.fold === true ? 1 : 0,
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
    let failure: unknown
    if (prepare !== undefined) {
      // the gate opens even if prepare throws, so that no worker waits for it forever; the error
      // is raised once the tasks already taken are done
      try {
        prepare()
      } catch (error) {
        failure = error
      }
      Atomics.add(control, completedAt, 1)
      Atomics.notify(control, completedAt)
    }
    if (callerWorks)
      this.#takeTasks(
        control,
        [
          kernels.f32.gemmRows,
          kernels.f64.gemmRows,
          kernels.f32.gemm,
          kernels.f64.gemm,
          kernels.f32.packAll,
          kernels.f64.packAll,
          kernels.f32.unfold,
          kernels.f64.unfold,
          kernels.f32.fold,
          kernels.f64.fold,
        ],
        generation,
        0,
      )
    // generation 0 comes back after 2³² jobs: its tasks' words could still hold the first job's 0
    const handed = finished !== undefined && generation !== 0 ? new Uint8Array(job.tasks) : undefined
    const handOver = () => {
      for (let task = 0; task < job.tasks; task++)
        if (handed![task] === 0 && Atomics.load(control, doneAt + task) === generation) {
          handed![task] = 1
          finished!(task)
        }
    }
    if (handed !== undefined) handOver()
    const total = gate + job.tasks
    for (
      let done = Atomics.load(control, completedAt);
      done < total;
      done = Atomics.load(control, completedAt)
    )
      Atomics.wait(control, completedAt, done)
    if (handed !== undefined) handOver()
    else if (finished !== undefined) for (let task = 0; task < job.tasks; task++) finished(task)
    if (failure !== undefined) throw failure
    if (Atomics.load(control, failedAt) !== 0)
      throw new Error('nabla: a matmul task failed in a worker thread')
  }
}
