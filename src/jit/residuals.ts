/**
 * The first-order pullback of a jitted call, split at the cotangent (partial evaluation): trace
 * `(xs, ct) ↦ [f(xs), pullback(ct)]` once into an IR, then put every equation that does not depend
 * on the cotangent into a forward plan — which returns f's output and the residuals (the forward
 * values the backward reads) — and the rest into a backward plan from the residuals and the
 * cotangent. The call primitive's forward runs the forward plan and keeps the residuals with its
 * output; its vjp at first order runs only the backward plan, so `grad(jit(f))` computes the forward
 * once, as `jit(grad(f))` does.
 *
 * @module jit/residuals
 */
import { vjp } from '../grad/index.js'
import { type AnyTensor, zeros } from '../tensor/internal.js'
import type { Atom, Equation, IR, Var } from './ir.js'
import { compilePlan, type Plan } from './plan.js'
import { flattenArguments, traceFunction } from './trace.js'

/** A pullback split at the cotangent. */
export interface Split {
  /** xs ↦ [f's output, ...residuals]. */
  readonly forward: IR
  /** [...residuals, ct] ↦ one cotangent per input of f. */
  readonly backward: IR
}

/**
 * Splits the IR of `(xs, ct) ↦ [y, ...cotangents]` (its last input is the cotangent, its first output
 * f's output) at the cotangent; undefined when f's output depends on it (it never does for a traced
 * vjp, but the IR is checked, not trusted).
 */
export const splitAtCotangent = (ir: IR): Split | undefined => {
  const cotangent = ir.inputs.at(-1)!
  const unknown = new Set<number>([cotangent.id])
  const dependsOnCotangent = (a: Atom) => a.kind === 'var' && unknown.has(a.id)
  const known: Equation[] = []
  const later: Equation[] = []
  for (const eq of ir.equations)
    if (eq.inputs.some(dependsOnCotangent)) {
      later.push(eq)
      for (const out of eq.outputs) unknown.add(out.id)
    } else known.push(eq)
  const [y, ...cotangents] = ir.outputs
  if (y === undefined || dependsOnCotangent(y)) return undefined
  const residuals: Var[] = []
  const taken = new Set<number>()
  const keep = (a: Atom) => {
    if (a.kind !== 'var' || unknown.has(a.id) || taken.has(a.id)) return
    taken.add(a.id)
    residuals.push(a)
  }
  for (const eq of later) eq.inputs.forEach(keep)
  cotangents.forEach(keep)
  return {
    forward: { inputs: ir.inputs.slice(0, -1), equations: known, outputs: [y, ...residuals] },
    backward: { inputs: [...residuals, cotangent], equations: later, outputs: cotangents },
  }
}

/** A call's forward and first-order backward as compiled plans. */
export interface Linearized {
  /** f's output and the residuals. */
  forward(inputs: readonly AnyTensor[]): { readonly output: AnyTensor; readonly residuals: AnyTensor[] }
  /**
   * The cotangents of the inputs that `needs` marks (in order), from the residuals and `ct`;
   * undefined when the backward plan could not be compiled (no room for it).
   */
  backward(needs: readonly boolean[], residuals: readonly AnyTensor[], ct: AnyTensor): AnyTensor[] | undefined
}

/**
 * Traces and splits the pullback of `f` (a function of the inputs' list with one tensor output) at
 * `inputs`; undefined when it cannot be compiled (no WebAssembly SIMD, a closed-over tracer).
 */
export const linearize = (
  f: (xs: readonly AnyTensor[]) => AnyTensor,
  inputs: readonly AnyTensor[],
  output: { readonly shape: readonly number[]; readonly dtype: AnyTensor['dtype'] },
  fusion: boolean,
): Linearized | undefined => {
  const both = (xs: readonly AnyTensor[], ct: AnyTensor): AnyTensor[] => {
    const [y, back] = vjp((ys: AnyTensor[]) => f(ys), [...xs])
    return [y, ...back(ct)]
  }
  const example = zeros([...output.shape], { dtype: output.dtype })
  const traced = traceFunction('jit', both, flattenArguments('jit', [[...inputs], example], new Set()))
  if (traced.capturedTracer) return undefined
  const split = splitAtCotangent(traced.ir)
  if (split === undefined) return undefined
  const forward = compilePlan(split.forward, { fusion })
  if (forward === undefined) return undefined
  const backwards = new Map<string, Plan | undefined>()
  const backwardFor = (needs: readonly boolean[]): Plan | undefined => {
    const key = needs.map(Number).join('')
    if (!backwards.has(key)) {
      // only the cotangents asked for: dead-code elimination drops the work of the others
      const outputs = split.backward.outputs.filter((_, i) => needs[i])
      backwards.set(key, compilePlan({ ...split.backward, outputs }, { fusion }))
    }
    return backwards.get(key)
  }
  return {
    forward: (xs) => {
      const [y, ...residuals] = forward.run(xs)
      return { output: y!, residuals }
    },
    backward: (needs, residuals, ct) => {
      return backwardFor(needs)?.run([...residuals, ct])
    },
  }
}
