/**
 * How a product is cut into tasks for the calling thread and the helper threads (threads.ts runs
 * them): by rows or by columns of C, into how many tasks, and which rows or columns each task takes.
 *
 * @module kernels/wasm/splits
 */

/** How a product is cut into tasks: blocks of rows of C, or blocks of columns of C. */
export type SplitKind = 'rows' | 'columns'

/** Tasks per participating thread (the calling thread and each ready worker). */
export const tasksPerThread = 12

/**
 * How many tasks a split of `extent` rows (or columns) of C into whole units of `unit` (the register
 * tile's `mr`, or `nr`) gives `threads` participating threads: `tasksPerThread` each, fewer when
 * there are not that many units. Fewer, larger tasks leave a thread idle at the end whenever the two
 * run at different speeds — a virtual machine's cores often do (one ran a 512² product's row blocks
 * ~35 % slower than the other for minutes here), and a thread the scheduler wakes late starts
 * behind. With six tasks per thread instead of three, split products ran 8–13 % faster at 512² and
 * 1024² and 0–8 % at a small network's 128×784×128 sizes; with twelve instead of six (once the tasks
 * were near-equal runs, `taskRange`), the MLP's training step ran 1–5 % faster eager and 3–5 %
 * jitted, the CNN's jitted step 4–7 %, and the 256²–1024² products the same or faster (medians of
 * alternating rounds in one process). Every task still packs its own rows of A once, so only the
 * packed B is read more often.
 * @example
 * import { tasksFor } from './splits.js'
 * tasksFor(512, 4, 2) // 24
 * tasksFor(12, 4, 2) // 3: one unit each
 */
export const tasksFor = (extent: number, unit: number, threads: number): number =>
  Math.min(tasksPerThread * threads, Math.ceil(extent / unit))

/**
 * The rows (or columns) `[first, end)` of C that task `task` of `split` computes out of `extent`: the
 * tasks cut the `⌈extent / unit⌉` whole units into runs whose lengths differ by at most one unit,
 * so the threads' shares end together (with runs of a fixed length the last task was often short:
 * 128 rows in 12-row tasks made 11 tasks, and the thread that took 6 of them kept the other waiting
 * for most of a task). The task loop (`takeTasksSource`) computes the same range.
 * @example
 * import { taskRange } from './splits.js'
 * taskRange({ kind: 'rows', unit: 4, tasks: 12, taper: 0 }, 128, 0) // [0, 8]
 * taskRange({ kind: 'rows', unit: 4, tasks: 12, taper: 0 }, 128, 11) // [116, 128]
 */
export const taskRange = (split: Split, extent: number, task: number): [number, number] => {
  const units = Math.ceil(extent / split.unit)
  if (split.taper > 0) {
    const [start, count] = taperedRun(units, split.taper, task)
    return [start * split.unit, Math.min(extent, (start + count) * split.unit)]
  }
  const first = Math.floor((task * units) / split.tasks) * split.unit
  return [first, Math.min(extent, Math.floor(((task + 1) * units) / split.tasks) * split.unit)]
}

/** How a product is cut for the threads: the kind of block, its unit (`mr`, `nr`) and the number of tasks. */
export interface Split {
  readonly kind: SplitKind
  readonly unit: number
  readonly tasks: number
  /**
   * 0 when the tasks are near-equal runs (`taskRange`); otherwise each task takes `⌈left / taper⌉`
   * of the units still left when it starts, at least `taperMinimum` (`taperedRun`).
   */
  readonly taper: number
}

/**
 * Units of rows from which a row split's tasks taper (`splitOf`): the first tasks take large shares
 * and the last ones a few rows, so the threads end closer together than after near-equal runs,
 * where one waited about half a task (~100 µs of a 512² product) for the other's last one. Measured
 * against near-equal runs, same machine, alternating: 512² 94.2 / 93.2 / 94.6 against 89.3 / 92.9 /
 * 91.6 GFLOP/s (separate processes), 256² 87.7 / 86.4 against 86.2 / 84.4. Below this size tapering
 * lost: a 128-row product (the MLP's 128×784·784×128) ran 89.7 against 92.9.
 */
export const taperFromUnits = 128
/** The fewest units a tapered task takes. */
export const taperMinimum = 2

/**
 * Where task `task` of a tapered split of `units` units starts and how many units it takes: each
 * task takes `⌈left / taper⌉` of the units left, at least `taperMinimum` (the task loop in
 * taskLoop.ts computes the same).
 * @example
 * import { taperedRun } from './splits.js'
 * taperedRun(256, 4, 0) // [0, 64]
 * taperedRun(256, 4, 1) // [64, 48]
 */
export const taperedRun = (units: number, taper: number, task: number): [number, number] => {
  let start = 0
  let count = 0
  for (let t = 0; t <= task; t++) {
    start += count
    count = taperedStep(units - start, taper)
  }
  return [start, count]
}

/** The units a tapered task takes when `left` are left. */
const taperedStep = (left: number, taper: number): number =>
  Math.min(left, Math.max(taperMinimum, Math.ceil(left / taper)))

/**
 * How many tasks a tapered split of `units` units has (`taperedRun`).
 * @example
 * import { taperedTasks } from './splits.js'
 * taperedTasks(256, 4) // 16
 */
export const taperedTasks = (units: number, taper: number): number => {
  let start = 0
  let tasks = 0
  while (start < units) {
    start += taperedStep(units - start, taper)
    tasks++
  }
  return tasks
}

/**
 * How a product with `m × n` outputs is split across `threads` threads (register tile `mr × nr`),
 * or undefined when neither way gives two tasks. By columns when C is wider than tall (`m < n`),
 * else by rows; the other way when the preferred one gives a single task.
 *
 * A row split packs all of op(B) (`k × n`) once before any block of C starts (its blocks shared out
 * as tasks, but the rows wait for the last), and every task reads all of it; a column split packs
 * nothing up front (each task packs its own panels of B) but every task packs all of op(A)
 * (`m × k`). So rows pay a shared `k·n`, columns a parallel `tasks·m·k`: the convolutions' products, with
 * 6–32 rows and thousands of columns, split by columns, a batch of 512 rows by rows. Each output
 * element is computed by the same instructions in the same order either way (the tasks run the
 * single-thread kernel on a block of C, and the depth is cut into the same slices), so the results
 * are bit-identical to the single-thread product's.
 * @example
 * import { splitOf } from './splits.js'
 * splitOf(16, 36864, 2, 16, 2) // { kind: 'columns', unit: 16, tasks: 24, taper: 0 }
 */
export const splitOf = (m: number, n: number, mr: number, nr: number, threads: number): Split | undefined => {
  const rowUnits = Math.ceil(m / mr)
  const tapered = rowUnits >= taperFromUnits ? taperedTasks(rowUnits, 2 * threads) : Number.POSITIVE_INFINITY
  const byRows: Split =
    tapered <= tasksPerThread * threads
      ? { kind: 'rows', unit: mr, tasks: tapered, taper: 2 * threads }
      : { kind: 'rows', unit: mr, tasks: tasksFor(m, mr, threads), taper: 0 }
  const byColumns: Split = { kind: 'columns', unit: nr, tasks: tasksFor(n, nr, threads), taper: 0 }
  const [preferred, other] = m < n ? [byColumns, byRows] : [byRows, byColumns]
  if (preferred.tasks > 1) return preferred
  return other.tasks > 1 ? other : undefined
}
