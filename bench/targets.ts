/**
 * Issue 15's targets, checked against one run's results and printed under the table: each target
 * names a case, the implementation measured, and either an absolute bound (in the case's unit) or
 * a ratio to a peer in the same run. Eager targets are listed here; add a row per target.
 *
 * @module bench/targets
 */
import { peakReferenceName, threadsPeakReferenceName } from './cases/peak.js'
import { median, type Result } from './measure.js'

/** A target: `impl` on `case` at least (or at most) `bound`, absolute or as a multiple of `peer`. */
export interface Target {
  readonly case: string
  readonly impl: string
  readonly bound: number
  /** Compare with this implementation's median on the same case (a ratio) instead of absolutely. */
  readonly peer?: string
  /** True when lower is better (a time): the target is then an upper bound. */
  readonly atMost?: boolean
}

/** The eager targets of issue 15 (point 4). */
export const eagerTargets: readonly Target[] = [
  { case: 'matmul 512² f32', impl: 'nabla', bound: 60 },
  { case: 'matmul 512² f32', impl: 'nabla', bound: 3, peer: 'tfjs-wasm' },
  { case: 'MLP 784-128-10 b128 step', impl: 'nabla', bound: 8, peer: 'tfjs-wasm' },
  { case: 'add 1e6 f32', impl: 'nabla', bound: 20 },
  { case: 'user loop: add 1e6 f32', impl: 'nabla', bound: 1.2, peer: 'tfjs-wasm' },
  { case: 'chain 1000 ops [4] fwd+bwd', impl: 'nabla', bound: 3, atMost: true },
]

/**
 * The jitted targets of issue 15 (point 4): the jitted MLP step against jax-js's jit and PyTorch on
 * one thread (when Debian's python3-torch is installed), the fused
 * elementwise case against eager nabla (time: eager over jitted), the jitted chain's time per op,
 * the jitted add against TensorFlow.js wasm.
 */
export const jitTargets: readonly Target[] = [
  { case: 'MLP 784-128-10 b128 step', impl: 'nabla jit', bound: 2, peer: 'jax-js jit' },
  // the PyTorch peer's name says its BLAS (`torch 1 thread (BLAS generic)`): matched by its prefix
  { case: 'MLP 784-128-10 b128 step', impl: 'nabla jit', bound: 0.5, peer: 'torch 1 thread' },
  { case: 'tanh(x·a+b)·c 1e6 f32', impl: 'nabla jit', bound: 3, peer: 'nabla', atMost: true },
  { case: 'chain 1000 ops [4] fwd+bwd', impl: 'nabla jit', bound: 0.5, atMost: true },
  // the issue asks for a jitted elementwise step whose output buffer is reused: `x = f(x, y)` with x
  // donated, against tfjs-wasm's disposed and reused output
  { case: 'add 1e6 f32', impl: 'nabla jit donated', bound: 1, peer: 'tfjs-wasm' },
]

// an implementation by its name, or by its name before a parenthesised detail (`torch 1 thread (BLAS …)`)
const find = (results: readonly Result[], name: string, impl: string) =>
  results.find((r) => r.case === name && (r.impl === impl || r.impl.startsWith(`${impl} (`)))

/**
 * The ratio own/peer (peer/own for a time): the median of the per-round ratios when both were
 * measured in the same alternating rounds, else (a peer from another process) the ratio of the
 * medians. Returns the ratio and the range of the per-round ratios.
 */
export const ratioOf = (
  own: Result,
  peer: Result,
  atMost: boolean,
): { readonly value: number; readonly min: number; readonly max: number } => {
  const rounds = Math.min(own.samples?.length ?? 0, peer.samples?.length ?? 0)
  const ratio = (a: number, b: number) => (atMost ? b / a : a / b)
  if (rounds === 0) {
    const value = ratio(own.median, peer.median)
    return { value, min: value, max: value }
  }
  const ratios = Array.from({ length: rounds }, (_, r) => ratio(own.samples![r]!, peer.samples![r]!))
  return { value: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) }
}

/**
 * A peer's own rounds this many times apart (fastest over slowest) make a ratio to it no reading:
 * the peer changed speed within the run. TensorFlow.js wasm's 512² product ran at 11–13 GFLOP/s
 * after a first round of 28–29 in two full runs here (30–32 in every other), which read as a 3×
 * target met by far.
 */
export const unsteadySpread = 2

/**
 * When `peer`'s rounds were at least `unsteadySpread` times apart, a line saying so (indented
 * under its target), else undefined.
 */
export const unsteadyPeerLine = (peer: Result): string | undefined => {
  const samples = peer.samples ?? []
  if (samples.length < 2) return undefined
  const [slowest, fastest] = [Math.min(...samples), Math.max(...samples)]
  if (!(slowest > 0) || fastest / slowest < unsteadySpread) return undefined
  const format = (x: number) => x.toPrecision(3)
  return `        ${peer.impl}'s own rounds ran ${format(slowest)}–${format(fastest)} ${peer.unit} (${(fastest / slowest).toFixed(1)}× apart): it changed speed within the run, so this ratio is no reading of nabla; run the bench again`
}

/**
 * One line per target whose case ran: the figure, the bound, and whether it is met; a ratio to a
 * peer whose own rounds were far apart (`unsteadyPeerLine`) is marked and explained on a second line.
 */
export const targetLines = (targets: readonly Target[], results: readonly Result[]): string[] =>
  targets.flatMap((t) => {
    const own = find(results, t.case, t.impl)
    const peer = t.peer === undefined ? undefined : find(results, t.case, t.peer)
    if (own === undefined || (t.peer !== undefined && peer === undefined)) return []
    const ratio = peer === undefined ? undefined : ratioOf(own, peer, t.atMost === true)
    const value = ratio?.value ?? own.median
    const met = t.atMost && peer === undefined ? value <= t.bound : value >= t.bound
    const rounds =
      ratio === undefined || ratio.min === ratio.max
        ? ''
        : `; rounds ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}×`
    const shown =
      peer === undefined
        ? `${value.toPrecision(3)} ${own.unit} (${t.atMost ? '≤' : '≥'} ${t.bound})`
        : `${value.toFixed(2)}× ${t.peer} (≥ ${t.bound}×${rounds})`
    const unsteady = peer === undefined ? undefined : unsteadyPeerLine(peer)
    const verdict = `${met ? 'met' : 'NOT met'}${unsteady === undefined ? '' : ' (peer unsteady)'}`
    const line = `target  ${`${t.case} ${t.impl}`.padEnd(36)} ${shown.padEnd(44)} ${verdict}`
    return unsteady === undefined ? [line] : [line, unsteady]
  })

/**
 * For each target in GFLOP/s, what it asks for against the machine's ceiling, and how much of that
 * ceiling nabla reaches. The ceiling is the SIMD peak of all `threads` threads at once when the
 * target's case measured it in the same rounds (`machine: SIMD peak N threads`: what the machine
 * gave a split product during the run, lower when another guest took a core); else `threads` times
 * one thread's peak, measured in the same rounds when the case has it (`machine: SIMD peak 1
 * thread`), else `peak`, measured first. nabla's share of a peak from the same rounds is the median
 * of the per-round shares. A target above 100 % cannot be met in that run by any kernel.
 */
export const ceilingLines = (
  targets: readonly Target[],
  results: readonly Result[],
  peak: Result | undefined,
  threads: number,
): string[] =>
  targets.flatMap((t) => {
    const own = find(results, t.case, t.impl)
    const peer = t.peer === undefined ? undefined : find(results, t.case, t.peer)
    const inCase = (impl: string) => results.find((r) => r.case === t.case && r.impl === impl)
    const together = threads > 1 ? inCase(threadsPeakReferenceName(threads)) : undefined
    const local = inCase(peakReferenceName)
    const reference = local ?? peak
    if (own === undefined || own.unit !== 'GFLOP/s') return []
    if (t.peer !== undefined && peer === undefined) return []
    const asked = peer === undefined ? t.bound : t.bound * peer.median
    const percent = (value: number) => `${(100 * value).toFixed(0)} %`
    const what = peer === undefined ? `${t.bound} GFLOP/s` : `${t.bound}× ${t.peer}`
    const head = `ceiling ${`${t.case} ${t.impl}`.padEnd(36)} ${what} asks ${asked.toFixed(1)} GFLOP/s`
    if (together !== undefined) {
      const single = reference === undefined ? '' : `; one thread alone ${reference.median.toFixed(1)}`
      return [
        `${head} = ${percent(asked / together.median)} of ${together.median.toFixed(1)} (the SIMD peak of ${threads} threads at once, in the same rounds${single}); nabla reaches ${percent(ratioOf(own, together, false).value)}`,
      ]
    }
    if (reference === undefined) return []
    const ceiling = reference.median * threads
    const reached = local === undefined ? own.median / ceiling : ratioOf(own, local, false).value / threads
    const when = local === undefined ? 'measured first' : 'in the same rounds'
    return [
      `${head} = ${percent(asked / ceiling)} of ${threads} × ${reference.median.toFixed(1)} (one thread's SIMD peak, ${when}); nabla reaches ${percent(reached)}`,
    ]
  })

/**
 * For each absolute target whose case has a machine reference (an implementation named `machine:
 * …`, measured in the same rounds in nabla's process), what the bound asks as a multiple of that
 * reference, and what nabla reaches (the median of the per-round ratios).
 */
export const referenceLines = (targets: readonly Target[], results: readonly Result[]): string[] =>
  targets.flatMap((t) => {
    const own = find(results, t.case, t.impl)
    // the SIMD peak is a ceiling of GFLOP/s targets (ceilingLines), not a reference of this kind
    const reference = results.find(
      (r) => r.case === t.case && r.impl.startsWith('machine:') && !r.impl.startsWith('machine: SIMD peak'),
    )
    if (t.peer !== undefined || own === undefined || reference === undefined) return []
    const ratio = ratioOf(own, reference, t.atMost === true)
    const asked = t.atMost ? reference.median / t.bound : t.bound / reference.median
    return [
      `reference ${`${t.case} ${t.impl}`.padEnd(33)} ${t.bound} ${own.unit} asks ${asked.toFixed(2)}× ${reference.impl.slice('machine: '.length)} (${reference.median.toPrecision(3)} ${own.unit} in the same rounds); nabla reaches ${ratio.value.toFixed(2)}× (rounds ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}×)`,
    ]
  })
