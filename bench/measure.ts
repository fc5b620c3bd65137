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
 * The peer libraries run in a process of their own (bench/peerProcess.ts) for the same reason.
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

/** How one implementation is sampled, fixed when it is calibrated. */
export interface Calibration {
  /** Calls per sample. */
  readonly reps: number
  /** Samples its budget asks for. */
  readonly samples: number
  /** Untimed calls before each sample after the first. */
  readonly rewarm: number
}

/**
 * What alternation needs of an implementation: calibrate once, then one sample per round. An
 * implementation in this process is a `localSampler`; a peer library runs in a process of its own
 * (bench/peerProcess.ts) and is sampled through messages.
 */
export interface Sampler {
  readonly calibrate: (budget: Budget) => Promise<Calibration>
  /** One sample (after the re-warm-up when `round` > 0), as the workload's figure. */
  readonly sample: (calibration: Calibration, round: number) => Promise<number>
}

/** A workload in this process, as a sampler: warm-up and calibration, then timed samples. */
export const localSampler = (workload: Workload): Sampler => ({
  calibrate: async (budget) => {
    const { warmupMs, warmupCalls, sampleMs, samples, rewarmMs } = { ...budget, ...workload.budget }
    let warm = 0
    let calls = 0
    while (calls < (warmupCalls ?? 3) || warm * 1000 < warmupMs) {
      warm += await callMany(workload.run, 1)
      calls++
    }
    const reps = Math.max(1, Math.ceil(sampleMs / 1000 / Math.max(warm / calls, 1e-9)))
    return { reps, samples, rewarm: sampleMs <= 0 ? 0 : Math.ceil((reps * rewarmMs) / sampleMs) }
  },
  sample: async ({ reps, rewarm }, round) => {
    if (round > 0) await callMany(workload.run, rewarm)
    const { work, scale, figure } = workload
    const seconds = await callMany(workload.run, reps)
    return figure === 'rate' ? (work * reps) / seconds / scale : seconds / (work * reps) / scale
  },
})

/**
 * Measures several implementations in alternation: each is calibrated (warmed up), then every
 * round takes one sample of each in turn, each after its untimed re-warm-up (an implementation
 * with fewer samples in its budget drops out of the later rounds). Returns each one's median,
 * range and per-round figures.
 */
export const measureInterleaved = async (
  samplers: readonly Sampler[],
  budget: Budget,
): Promise<Summary[]> => {
  const calibrations: Calibration[] = []
  for (const sampler of samplers) calibrations.push(await sampler.calibrate(budget))
  const figures = samplers.map((): number[] => [])
  for (let round = 0; round < Math.max(0, ...calibrations.map((c) => c.samples)); round++)
    for (const [i, sampler] of samplers.entries())
      if (round < calibrations[i]!.samples) figures[i]!.push(await sampler.sample(calibrations[i]!, round))
  return figures.map((values) => ({
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    samples: values,
  }))
}
