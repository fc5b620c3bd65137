/**
 * Timing for the benchmark: warm up, calibrate the repetitions per sample, take several samples
 * and report the median and the range. A case's figure is a rate (work per second) or a time per
 * unit of work, so every run of one case is reported in the same unit whatever the repetitions.
 *
 * The implementations of one case are measured in alternation (`measureInterleaved`): a round
 * takes one sample of each, so every implementation is sampled across the same stretch of time.
 * This machine's speed drifts (the same code measures up to 1.9× apart a minute later); measured
 * one after the other, a slow minute fell on one implementation only and moved the ratio. A ratio
 * target is then the median of the per-round ratios, each from two samples taken moments apart.
 * Before each later round's sample an implementation runs untimed for a while (`rewarmMs`), so it
 * is timed in its own steady state as when it runs alone: without that, a fresh-output add, whose
 * freed memory is reused only in a steady loop, measured 3–4× slower right after the others ran.
 *
 * @module bench/measure
 */

/** One case's result for one implementation, as written to bench/results.json. */
export interface Result {
  readonly case: string
  readonly impl: string
  readonly median: number
  readonly min: number
  readonly max: number
  readonly unit: string
  /** Each round's figure, in round order (rounds alternate between a case's implementations). */
  readonly samples?: readonly number[]
}

/** The median, range and rounds of one implementation's figures. */
export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly samples: readonly number[]
}

/** How a figure is derived from `work` units done in `seconds`. */
export type Figure = 'rate' | 'time'

/** How long to measure. */
export interface Budget {
  /** Warm-up time in milliseconds. */
  readonly warmupMs: number
  /** Warm-up calls at least (default 3). */
  readonly warmupCalls?: number
  /** Minimum duration of one sample in milliseconds. */
  readonly sampleMs: number
  /** Number of samples. */
  readonly samples: number
  /**
   * Untimed calls before each sample after the first, in milliseconds: the implementations of a
   * case alternate, and one that left its steady state while the others ran (memory handed back
   * and faulted in again, caches cold) gets back to it before it is timed again.
   */
  readonly rewarmMs: number
}

/** The full budget and the `--quick` one. */
export const budgets: Readonly<Record<'full' | 'quick', Budget>> = {
  full: { warmupMs: 1500, sampleMs: 200, samples: 9, rewarmMs: 200 },
  quick: { warmupMs: 400, sampleMs: 50, samples: 5, rewarmMs: 100 },
}

/** What is measured: one call does `work` units (flops, bytes, steps, ops). */
export interface Workload {
  readonly run: () => unknown
  readonly work: number
  /** Units per figure unit: 1e9 for GFLOP/s, 1e-6 for µs per op. */
  readonly scale: number
  readonly figure: Figure
  /** A tighter budget for an implementation that takes seconds per call. */
  readonly budget?: Partial<Budget>
}

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function'

const callMany = async (run: () => unknown, reps: number): Promise<number> => {
  const start = performance.now()
  for (let i = 0; i < reps; i++) {
    const value = run()
    if (isPromise(value)) await value
  }
  return (performance.now() - start) / 1000
}

/** The median of some numbers. */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Warms a workload up and returns the calls per sample that make one sample last `sampleMs`. */
const calibrate = async (workload: Workload, budget: Budget): Promise<number> => {
  const { warmupMs, warmupCalls, sampleMs } = { ...budget, ...workload.budget }
  let warm = 0
  let calls = 0
  while (calls < (warmupCalls ?? 3) || warm * 1000 < warmupMs) {
    warm += await callMany(workload.run, 1)
    calls++
  }
  return Math.max(1, Math.ceil(sampleMs / 1000 / Math.max(warm / calls, 1e-9)))
}

/** The untimed calls before a later round's sample (`rewarmMs` at the calibrated pace). */
const rewarmCalls = (workload: Workload, budget: Budget, reps: number): number => {
  const { rewarmMs, sampleMs } = { ...budget, ...workload.budget }
  return sampleMs <= 0 ? 0 : Math.ceil((reps * rewarmMs) / sampleMs)
}

/** One sample: `reps` calls, as the workload's figure. */
const sample = async (workload: Workload, reps: number): Promise<number> => {
  const { work, scale, figure } = workload
  const seconds = await callMany(workload.run, reps)
  return figure === 'rate' ? (work * reps) / seconds / scale : seconds / (work * reps) / scale
}

/**
 * Measures several workloads in alternation: each is warmed up and calibrated, then every round
 * takes one sample of each in turn, each after `rewarmMs` of untimed calls (a workload with fewer
 * samples in its budget drops out of the later rounds). Returns each workload's median, range and
 * per-round figures.
 */
export const measureInterleaved = async (
  workloads: readonly Workload[],
  budget: Budget,
): Promise<Summary[]> => {
  const reps: number[] = []
  for (const workload of workloads) reps.push(await calibrate(workload, budget))
  const counts = workloads.map((w) => w.budget?.samples ?? budget.samples)
  const figures = workloads.map((): number[] => [])
  for (let round = 0; round < Math.max(0, ...counts); round++)
    for (const [i, workload] of workloads.entries())
      if (round < counts[i]!) {
        if (round > 0) await callMany(workload.run, rewarmCalls(workload, budget, reps[i]!))
        figures[i]!.push(await sample(workload, reps[i]!))
      }
  return figures.map((values) => ({
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    samples: values,
  }))
}

/** Measures one workload; returns the median, min and max of its figure over the samples. */
export const measure = async (workload: Workload, budget: Budget): Promise<Summary> => {
  const [summary] = await measureInterleaved([workload], budget)
  return summary!
}
