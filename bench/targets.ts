/**
 * Issue 15's targets, checked against one run's results and printed under the table: each target
 * names a case, the implementation measured, and either an absolute bound (in the case's unit) or
 * a ratio to a peer in the same run. Eager targets are listed here; add a row per target.
 *
 * @module bench/targets
 */
import type { Result } from './measure.js'

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

/** One line per target whose case ran: the figure, the bound, and whether it is met. */
export const targetLines = (targets: readonly Target[], results: readonly Result[]): string[] =>
  targets.flatMap((t) => {
    const own = find(results, t.case, t.impl)
    const peer = t.peer === undefined ? undefined : find(results, t.case, t.peer)
    if (own === undefined || (t.peer !== undefined && peer === undefined)) return []
    const value =
      peer === undefined ? own.median : t.atMost ? peer.median / own.median : own.median / peer.median
    const met = t.atMost && peer === undefined ? value <= t.bound : value >= t.bound
    const shown =
      peer === undefined
        ? `${value.toPrecision(3)} ${own.unit} (${t.atMost ? '≤' : '≥'} ${t.bound})`
        : `${value.toFixed(2)}× ${t.peer} (≥ ${t.bound}×)`
    return [`target  ${`${t.case} ${t.impl}`.padEnd(36)} ${shown.padEnd(30)} ${met ? 'met' : 'NOT met'}`]
  })
