/**
 * Gradient checking as a product feature: compares the analytic derivatives of `vjp` with central
 * finite differences in float64.
 *
 * - `full` mode (PyTorch's gradcheck): the whole Jacobian, one pullback per output element against
 *   two evaluations per input element. Exact localisation; for small inputs.
 * - `random` mode (JAX's check_vjp): for random directions `t` and cotangents `c`, compares
 *   `⟨J·t, c⟩` by differences with `⟨t, Jᵀ·c⟩` by one pullback — O(1) evaluations per input leaf,
 *   for large models. Each leaf gets its own direction, so a failure names the leaf.
 * - `order: 2` also checks the vjp of the vjp: the derivative of `x ↦ pullback_x(c)`.
 *
 * @module check
 */

import { vjp } from '../grad/index.js'
import { type AnyTensor, cast, makeTensor, NablaError, storage } from '../tensor/internal.js'
import { flatten, leafPaths, type Pytree, unflatten } from '../tree/index.js'

/**
 * Which checks to run: `full` compares the whole Jacobian, `random` compares ⟨J·t, c⟩ with
 * ⟨t, Jᵀ·c⟩ for random directions.
 * @example
 * import { checkGrads, type CheckMode } from 'nabla/testing'
 * import { sin, sum, tensor } from 'nabla'
 * const modes: CheckMode[] = ['random']
 * checkGrads((x) => sum(sin(x)), tensor([1, 2, 3]), { modes })
 */
export type CheckMode = 'full' | 'random'

/**
 * Options of `checkGrads`.
 * @example
 * import { checkGrads } from 'nabla/testing'
 * import { sum, tanh, tensor } from 'nabla'
 * const params = { w: tensor([0.5, -1]) }
 * const f = (p: typeof params) => sum(tanh(p.w))
 * checkGrads(f, params, { order: 2, modes: ['full', 'random'], atol: 1e-7, seed: 3 })
 */
export interface CheckOptions {
  /** 1: first derivatives; 2: also the derivative of the pullback. Default 1. */
  readonly order?: 1 | 2
  /** Default: `full` when the input has at most 64 elements, else `random`. */
  readonly modes?: readonly CheckMode[]
  /** Finite-difference step (default 1e-6). */
  readonly eps?: number
  /** Absolute tolerance (default 1e-6). */
  readonly atol?: number
  /** Relative tolerance (default 1e-5). */
  readonly rtol?: number
  /** Seed of the random directions (default 0). */
  readonly seed?: number
  /** Random directions per leaf in `random` mode (default 2). */
  readonly directions?: number
  /**
   * Called in `full` mode after each input element's column of the Jacobian, with how many of the
   * `total` columns (input elements) are done: long checks can show progress.
   */
  readonly onProgress?: (done: number, total: number) => void
}

/**
 * One disagreement between analytic and numerical derivatives.
 * @example
 * import { checkGrads } from 'nabla/testing'
 * import { sum, tanh, tensor } from 'nabla'
 * const params = { w: tensor([0.5, -1]) }
 * const { worst } = checkGrads((p) => sum(tanh(p.w)), params)
 * if (worst !== undefined) console.log(worst.leaf, worst.index, worst.analytic, worst.numeric)
 */
export interface GradMismatch {
  readonly mode: CheckMode
  readonly order: 1 | 2
  /** Path of the input leaf (`x.w`). */
  readonly leaf: string
  /** Flat index in that leaf (full mode), or undefined (random mode). */
  readonly index: number | undefined
  /** Path and flat index of the output element (full mode). */
  readonly output: string | undefined
  readonly analytic: number
  readonly numeric: number
  /** |analytic − numeric|. */
  readonly error: number
  /** error / max(|numeric|, atol/rtol): the relative error. */
  readonly relativeError: number
}

/**
 * What `checkGrads` found.
 * @example
 * import { checkGrads, describeMismatch } from 'nabla/testing'
 * import { sum, tanh, tensor } from 'nabla'
 * const params = { w: tensor([0.5, -1]) }
 * const result = checkGrads((p) => sum(tanh(p.w)), params)
 * if (!result.ok) console.log(result.failures.map(describeMismatch).join('\n'))
 */
export interface CheckResult {
  readonly ok: boolean
  /** Comparisons made. */
  readonly checked: number
  /** Every comparison outside tolerance. */
  readonly failures: readonly GradMismatch[]
  /** The comparison with the largest relative error (failing or not). */
  readonly worst: GradMismatch | undefined
}

/**
 * Thrown by `assertGrads`; `result` holds every mismatch.
 * @example
 * import { assertGrads, GradCheckError } from 'nabla/testing'
 * import { sum, tanh, tensor } from 'nabla'
 * const params = { w: tensor([0.5, -1]) }
 * try {
 *   assertGrads((p) => sum(tanh(p.w)), params)
 * } catch (e) {
 *   if (e instanceof GradCheckError) console.log(e.result.failures)
 * }
 */
export class GradCheckError extends NablaError {
  readonly result: CheckResult
  constructor(result: CheckResult) {
    const w = result.failures[0]!
    super(
      'checkGrads',
      `${result.failures.length} of ${result.checked} derivatives disagree with finite differences; first: ${describeMismatch(w)}`,
    )
    this.result = result
  }
}

/**
 * A one-line description of a mismatch.
 * @example
 * import { describeMismatch } from 'nabla/testing'
 * describeMismatch({ mode: 'full', order: 1, leaf: 'x.w', index: 3, output: 'f(x)[0]',
 *   analytic: 0.5, numeric: 0.25, error: 0.25, relativeError: 1 })
 * // 'full mode, order 1, x.w[3] → f(x)[0]: analytic 0.5, numeric 0.25, error 2.50e-1'
 */
export const describeMismatch = (m: GradMismatch): string =>
  `${m.mode} mode, order ${m.order}, ${m.leaf}${m.index === undefined ? '' : `[${m.index}]`}${m.output === undefined ? '' : ` → ${m.output}`}: analytic ${m.analytic}, numeric ${m.numeric}, error ${m.error.toExponential(2)}`

/** mulberry32 + Box–Muller: a small seeded normal generator for directions. */
const normals = (seed: number) => {
  let state = seed >>> 0
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}

const toFloat64 = (t: AnyTensor): AnyTensor => (t.dtype === 'float64' ? t : cast(t, 'float64'))

const withValues = (t: AnyTensor, values: Float64Array): AnyTensor => makeTensor(t.shape, 'float64', values)

type Fn = (x: Pytree) => Pytree

/** Flat float64 output values of f at the given leaves. */
const evaluateFlat = (
  f: Fn,
  def: ReturnType<typeof flatten>[1],
  leaves: readonly AnyTensor[],
): Float64Array[] => {
  const [outs] = flatten(f(unflatten(def, leaves)), 'checkGrads', 'f(x)')
  return outs.map((o) => Float64Array.from(storage(o)))
}

const dotFlat = (a: readonly Float64Array[], b: readonly Float64Array[]): number => {
  let total = 0
  a.forEach((x, i) => {
    const y = b[i]!
    for (let j = 0; j < x.length; j++) total += x[j]! * y[j]!
  })
  return total
}

const compare = (
  acc: GradMismatch[],
  all: { worst: GradMismatch | undefined; checked: number },
  m: Omit<GradMismatch, 'error' | 'relativeError'>,
  atol: number,
  rtol: number,
): void => {
  const error = Math.abs(m.analytic - m.numeric)
  const relativeError = error / Math.max(Math.abs(m.numeric), atol / rtol)
  const full: GradMismatch = { ...m, error, relativeError }
  all.checked++
  const bad = !(error <= atol + rtol * Math.abs(m.numeric)) // NaN fails
  if (bad) acc.push(full)
  if (all.worst === undefined || !(relativeError <= all.worst.relativeError)) all.worst = full
}

const checkOnce = (
  f: Fn,
  x: Pytree,
  order: 1 | 2,
  modes: readonly CheckMode[],
  eps: number,
  atol: number,
  rtol: number,
  nextNormal: () => number,
  directions: number,
  failures: GradMismatch[],
  stats: { worst: GradMismatch | undefined; checked: number },
  onProgress?: (done: number, total: number) => void,
): void => {
  const [leaves, def] = flatten(x, 'checkGrads', 'x')
  const inputs = leaves.map(toFloat64)
  const paths = leafPaths(def, 'x')
  const [y, pullback] = vjp((p: Pytree) => f(p), unflatten(def, inputs))
  const [outs, outDef] = flatten(y, 'checkGrads', 'f(x)')
  const outPaths = leafPaths(outDef, 'f(x)')
  const perturbed = (leaf: number, direction: Float64Array, scale: number): AnyTensor[] =>
    inputs.map((t, i) => {
      if (i !== leaf) return t
      const v = Float64Array.from(storage(t))
      for (let j = 0; j < v.length; j++) v[j]! += scale * direction[j]!
      return withValues(t, v)
    })
  const difference = (leaf: number, direction: Float64Array): Float64Array[] => {
    const plus = evaluateFlat(f, def, perturbed(leaf, direction, eps))
    const minus = evaluateFlat(f, def, perturbed(leaf, direction, -eps))
    return plus.map((p, i) => p.map((v, j) => (v - minus[i]![j]!) / (2 * eps)))
  }
  if (modes.includes('full')) {
    // analytic Jacobian rows: one pullback per output element
    const rows: Float64Array[][] = []
    outs.forEach((o, oi) => {
      for (let e = 0; e < o.size; e++) {
        const cts = outs.map((p, pi) => {
          const v = new Float64Array(p.size)
          if (pi === oi) v[e] = 1
          return makeTensor(p.shape, p.dtype, p.dtype === 'float64' ? v : Float32Array.from(v))
        })
        const [g] = flatten(pullback(unflatten(outDef, cts)), 'checkGrads')
        rows.push(g.map((t) => Float64Array.from(storage(t))))
      }
    })
    const columns = inputs.reduce((n, t) => n + t.size, 0)
    let done = 0
    inputs.forEach((t, leaf) => {
      for (let j = 0; j < t.size; j++) {
        onProgress?.(done++, columns)
        const unit = new Float64Array(t.size)
        unit[j] = 1
        const column = difference(leaf, unit)
        let row = 0
        column.forEach((values, oi) => {
          values.forEach((numeric, e) => {
            compare(
              failures,
              stats,
              {
                mode: 'full',
                order,
                leaf: paths[leaf]!,
                index: j,
                output: `${outPaths[oi]}[${e}]`,
                analytic: rows[row]![leaf]![j]!,
                numeric,
              },
              atol,
              rtol,
            )
            row++
          })
        })
      }
    })
    onProgress?.(columns, columns)
  }
  if (modes.includes('random')) {
    for (let d = 0; d < directions; d++) {
      const cotangent = outs.map((o) => Float64Array.from({ length: o.size }, nextNormal))
      const cts = outs.map((o, i) =>
        makeTensor(
          o.shape,
          o.dtype,
          o.dtype === 'float64' ? cotangent[i]! : Float32Array.from(cotangent[i]!),
        ),
      )
      const [g] = flatten(pullback(unflatten(outDef, cts)), 'checkGrads')
      inputs.forEach((t, leaf) => {
        if (t.size === 0) return
        const direction = Float64Array.from({ length: t.size }, nextNormal)
        const numeric = dotFlat(difference(leaf, direction), cotangent)
        const analytic = dotFlat([Float64Array.from(storage(g[leaf]!))], [direction])
        compare(
          failures,
          stats,
          {
            mode: 'random',
            order,
            leaf: paths[leaf]!,
            index: undefined,
            output: undefined,
            analytic,
            numeric,
          },
          atol,
          rtol,
        )
      })
    }
  }
}

/**
 * Compares `f`'s analytic derivatives at `x` with central finite differences (inputs cast to
 * float64). Returns every mismatch with the leaf, element, both values and the error.
 * @example
 * import { checkGrads } from 'nabla/testing'
 * import { tensor, sum, tanh } from 'nabla'
 * checkGrads((x) => sum(tanh(x)), tensor([0.1, 0.2]), { order: 2 }).ok // true
 */
export const checkGrads = <X extends Pytree>(
  f: (x: X) => Pytree,
  x: X,
  options: CheckOptions = {},
): CheckResult => {
  const eps = options.eps ?? 1e-6
  const atol = options.atol ?? 1e-6
  const rtol = options.rtol ?? 1e-5
  const [leaves, def] = flatten(x, 'checkGrads', 'x')
  const size = leaves.reduce((n, t) => n + t.size, 0)
  const modes = options.modes ?? (size <= 64 ? ['full'] : ['random'])
  const nextNormal = normals(options.seed ?? 0)
  const directions = options.directions ?? 2
  const failures: GradMismatch[] = []
  const stats: { worst: GradMismatch | undefined; checked: number } = { worst: undefined, checked: 0 }
  const fn = f as Fn
  const x64 = unflatten<Pytree>(def, leaves.map(toFloat64))
  checkOnce(fn, x64, 1, modes, eps, atol, rtol, nextNormal, directions, failures, stats, options.onProgress)
  if ((options.order ?? 1) === 2) {
    const [y, yDef] = flatten(fn(x64), 'checkGrads', 'f(x)')
    const cotangent = unflatten<Pytree>(
      yDef,
      y.map((o) => makeTensor(o.shape, 'float64', Float64Array.from({ length: o.size }, nextNormal))),
    )
    const [cts] = flatten(cotangent, 'checkGrads')
    const pullbackAt = (p: Pytree): Pytree => {
      const [out, pullback] = vjp(fn, p)
      const [outs] = flatten(out, 'checkGrads')
      return pullback(
        unflatten(
          yDef,
          cts.map((c, i) => (outs[i]!.dtype === 'float64' ? c : cast(c, outs[i]!.dtype))),
        ),
      )
    }
    checkOnce(pullbackAt, x64, 2, modes, eps, atol, rtol, nextNormal, directions, failures, stats)
  }
  return { ok: failures.length === 0, checked: stats.checked, failures, worst: stats.worst }
}

/**
 * `checkGrads` that throws a `GradCheckError` describing the first mismatch (for tests).
 * @example
 * import { assertGrads } from 'nabla/testing'
 * import { sin, sum, tensor } from 'nabla'
 * assertGrads((x) => sum(sin(x)), tensor([1, 2]), { order: 2 })
 */
export const assertGrads = <X extends Pytree>(
  f: (x: X) => Pytree,
  x: X,
  options: CheckOptions = {},
): CheckResult => {
  const result = checkGrads(f, x, options)
  if (!result.ok) throw new GradCheckError(result)
  return result
}
