/**
 * Dead-code elimination: keeps only the equations an output depends on. (Constant folding needs no
 * pass: a primitive whose inputs are all constants is evaluated while tracing and never recorded.)
 *
 * @module jit/dce
 */
import type { Equation, IR } from './ir.js'

/** The IR without equations no output depends on. */
export const eliminateDeadCode = (ir: IR): IR => {
  const live = new Set<number>()
  for (const out of ir.outputs) if (out.kind === 'var') live.add(out.id)
  const kept: Equation[] = []
  for (let i = ir.equations.length - 1; i >= 0; i--) {
    const eq = ir.equations[i]!
    if (!eq.outputs.some((v) => live.has(v.id))) continue
    kept.push(eq)
    for (const input of eq.inputs) if (input.kind === 'var') live.add(input.id)
  }
  return { inputs: ir.inputs, equations: kept.reverse(), outputs: ir.outputs }
}
