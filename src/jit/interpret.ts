/**
 * Evaluating an IR by applying its equations one by one through `apply()`: the reference meaning of
 * an IR, and how a jitted function runs when an outer transform (`grad`, `vmap`, an outer `jit`)
 * follows its inputs — every primitive then reaches that transform as if the function had been
 * called directly.
 *
 * @module jit/interpret
 */
import { type AnyTensor, apply, ShapeError, shapesEqual } from '../tensor/internal.js'
import type { Atom, IR } from './ir.js'
import { formatType } from './ir.js'

/** Checks that the inputs have the IR's input types. */
export const checkInputs = (op: string, ir: IR, inputs: readonly AnyTensor[]): void => {
  if (inputs.length !== ir.inputs.length)
    throw new ShapeError(op, `the IR takes ${ir.inputs.length} tensors, got ${inputs.length}`)
  ir.inputs.forEach((v, i) => {
    const t = inputs[i]!
    if (!shapesEqual(t.shape, v.shape) || t.dtype !== v.dtype)
      throw new ShapeError(
        op,
        `input ${i} must be ${formatType(v.shape, v.dtype)}, got ${formatType(t.shape, t.dtype)}`,
      )
  })
}

/** Runs the IR on `inputs` through `apply()` (traceable by any interpreter). */
export const interpretIR = (ir: IR, inputs: readonly AnyTensor[]): AnyTensor[] => {
  checkInputs('interpretIR', ir, inputs)
  const env = new Map<number, AnyTensor>()
  for (let i = 0; i < inputs.length; i++) env.set(ir.inputs[i]!.id, inputs[i]!)
  const read = (atom: Atom): AnyTensor => (atom.kind === 'const' ? atom.value : env.get(atom.id)!)
  for (const eq of ir.equations) env.set(eq.outputs[0]!.id, apply(eq.prim, eq.inputs.map(read), eq.params))
  return ir.outputs.map(read)
}
