/**
 * The protocol of the helper threads (threads.ts), written once: the control block's layout at
 * address 0 of the shared memory, a job's fields as they sit in a slot of it, the task loop that
 * every participant runs, and the worker's body around it. Both are source text: the workers
 * evaluate it, and the caller compiles the same task loop with `new Function`, so both sides run
 * exactly the same protocol, with no loader for TypeScript sources in a worker.
 *
 * @module kernels/wasm/taskLoop
 */
import type { Precision } from './lanes.js'
import { type Split, taperMinimum } from './splits.js'

/** Bytes of shared memory, from address 0, that hold the control block. */
export const controlBytes = 4096

export const [generationAt, counterAt, completedAt, failedAt, readyAt, slotsAt] = [0, 1, 2, 3, 8, 64]
// a word per task of the job: the job's generation once that task's block of C is computed
export const doneAt = 256
export const slotLength = 24
/** The most helper threads a memory's control block has ready flags for. */
export const maximumWorkers = 32

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
  /** Whether op(B) is packed at `packed` already (a row split then packs nothing). */
  readonly prepacked?: boolean
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
export type SplitJob = Omit<SplitProduct, 'packed' | 'prepacked' | 'table' | 'images' | 'fold'> &
  Split & {
    readonly table: number
    readonly images: number
    readonly fold: number
    /** op(B) as the product gives it, which the packing tasks read (a row split's; 0 otherwise). */
    readonly source: number
    readonly packTasks: number
    readonly gate: number
  }

export const fields = [
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
  'taper',
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
export const takeTasksSource = `
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
  const taper = control[slot + 23]
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
    // task t takes the t-th of \`tasks\` near-equal runs of whole units, or with a taper its share
    // of the units the tasks before it left (as \`taskRange\` computes)
    const task = claimed - packTasks
    const extent = columns === 0 ? m : n
    const units = Math.ceil(extent / unit)
    let first = Math.floor((task * units) / tasks) * unit
    let count = Math.min(extent, Math.floor(((task + 1) * units) / tasks) * unit) - first
    if (taper > 0) {
      let start = 0, size = 0
      for (let t = 0; t <= task; t++) {
        start += size
        size = Math.min(units - start, Math.max(${taperMinimum}, Math.ceil((units - start) / taper)))
      }
      first = start * unit
      count = Math.min(extent, (start + size) * unit) - first
    }
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

export type TakeTasks = (
  control: Int32Array,
  kernels: readonly TaskKernel[],
  generation: number,
  participant: number,
) => void

// the worker's body; the platform's worker host binds module, memory and index before it (workers.ts)
export const workerSource = `
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
