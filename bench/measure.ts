/**
 * Timing for the benchmark: warm up, calibrate the repetitions per sample, take several samples
 * and report the median and the range. A case's figure is a rate (work per second) or a time per
 * unit of work, so every run of one case is reported in the same unit whatever the repetitions.
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
}

/** The full budget and the `--quick` one. */
export const budgets: Readonly<Record<'full' | 'quick', Budget>> = {
  full: { warmupMs: 1500, sampleMs: 200, samples: 9 },
  quick: { warmupMs: 400, sampleMs: 50, samples: 5 },
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

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Measures a workload; returns the median, min and max of its figure over the samples. */
export const measure = async (
  workload: Workload,
  budget: Budget,
): Promise<{ median: number; min: number; max: number }> => {
  const { run, work, scale, figure } = workload
  const { warmupMs, warmupCalls, sampleMs, samples } = { ...budget, ...workload.budget }
  let warm = 0
  let calls = 0
  while (calls < (warmupCalls ?? 3) || warm * 1000 < warmupMs) {
    warm += await callMany(run, 1)
    calls++
  }
  const perCall = warm / calls
  const reps = Math.max(1, Math.ceil(sampleMs / 1000 / Math.max(perCall, 1e-9)))
  const figures: number[] = []
  for (let s = 0; s < samples; s++) {
    const seconds = await callMany(run, reps)
    figures.push(figure === 'rate' ? (work * reps) / seconds / scale : seconds / (work * reps) / scale)
  }
  return { median: median(figures), min: Math.min(...figures), max: Math.max(...figures) }
}
