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
 * passed as a string (taskLoop.ts holds it, with the control block's layout), so they need no
 * loader for TypeScript sources.
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
import type { PrecisionKernels } from './module.js'
import { packedBlocks } from './shared.js'
import { type Split, tasksPerThread } from './splits.js'
import {
  completedAt,
  controlBytes,
  counterAt,
  doneAt,
  failedAt,
  fields,
  generationAt,
  maximumWorkers,
  readyAt,
  type SplitJob,
  type SplitProduct,
  slotLength,
  slotsAt,
  type TakeTasks,
  takeTasksSource,
  workerSource,
} from './taskLoop.js'
import type { WorkerHost } from './workers.js'

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
    const packTasks =
      byRows && product.prepacked !== true
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
      taper: split.taper,
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
