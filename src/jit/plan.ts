/**
 * The compiled plan of an IR: what a jitted function runs after its first call.
 *
 * @module jit/plan
 */
import { evaluate, type Tensor } from '../tensor/internal.js'
import { eliminateDeadCode } from './dce.js'
import type { Atom, IR } from './ir.js'

/** Choices of the compiler. */
export interface PlanOptions {
  /** Fuse elementwise chains into generated kernels. */
  readonly fusion: boolean
}

/** A compiled IR: `run` takes concrete input tensors and returns fresh output tensors. */
export interface Plan {
  readonly ir: IR
  run(inputs: readonly Tensor[]): Tensor[]
}

/** Compiles an IR (dead code removed). */
export const compilePlan = (ir: IR, _options: PlanOptions): Plan => {
  const pruned = eliminateDeadCode(ir)
  return {
    ir: pruned,
    run: (inputs) => {
      const env = new Map<number, Tensor>()
      for (let i = 0; i < inputs.length; i++) env.set(pruned.inputs[i]!.id, inputs[i]!)
      const read = (atom: Atom): Tensor => (atom.kind === 'const' ? atom.value : env.get(atom.id)!)
      for (const eq of pruned.equations)
        env.set(eq.outputs[0]!.id, evaluate(eq.prim, eq.inputs.map(read), eq.params))
      return pruned.outputs.map(read)
    },
  }
}
