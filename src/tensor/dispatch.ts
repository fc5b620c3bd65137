/**
 * The one door every primitive goes through: `apply(prim, inputs, params)`. With no trace active it
 * runs the forward kernel; otherwise it hands the call to the innermost interpreter following one
 * of the inputs (JAX's `Primitive.bind`). src/grad implements the interpreters and pushes them here;
 * this module knows nothing of how they work.
 *
 * @module dispatch
 */

import { environmentVariable } from '../platform/index.js'
import { budgetProblem, memoryBudget } from './budget.js'
import { bytesPerElement, type DType } from './dtype.js'
import { formatShape, NonFiniteError, ResourceError, ShapeError } from './errors.js'
import type { Prim } from './prim.js'
import { maxSize, sizeOf } from './shape.js'
import { type AnyTensor, type Box, boxOf, type Interpreter, makeTensor, storage } from './tensor.js'

const interpreters: Interpreter[] = []

/** @internal The level a new interpreter gets. */
export const nextLevel = (): number => (interpreters.at(-1)?.level ?? 0) + 1

/** @internal Activates an interpreter; it must be popped with `popInterpreter` (in a `finally`). */
export const pushInterpreter = (interpreter: Interpreter): void => {
  interpreters.push(interpreter)
}

/** @internal Deactivates the innermost interpreter. */
export const popInterpreter = (interpreter: Interpreter): void => {
  const top = interpreters.pop()
  if (top !== interpreter) throw new Error('nabla internal error: interpreters popped out of order')
}

let debugNaN = /^(1|true|yes)$/i.test(environmentVariable('NABLA_DEBUG_NANS') ?? '')

/**
 * Debug-NaN mode: when on, the first primitive that produces NaN or ±Infinity from finite inputs
 * throws a `NonFiniteError` naming the op and the input shapes. Also switched on by the
 * environment variable `NABLA_DEBUG_NANS=1`. Returns the previous setting.
 *
 * @example
 * import { setDebugNaNs, log, tensor } from 'nabla'
 * setDebugNaNs(true)
 * // log(tensor([0])) now throws: "log: produced -Infinity at flat index 0 from finite inputs of shapes [1]"
 * setDebugNaNs(false)
 */
export const setDebugNaNs = (on: boolean): boolean => {
  const previous = debugNaN
  debugNaN = on
  return previous
}

/** Runs a primitive's forward kernel on concrete values (no trace). */
export const evaluate = <P>(prim: Prim<P>, inputs: readonly AnyTensor[], params: P): AnyTensor => {
  const spec = prim.infer(inputs, params)
  const size = sizeOf(spec.shape)
  if (size > maxSize)
    throw new ShapeError(
      prim.name,
      `the result would have shape ${formatShape(spec.shape)} (${size} elements, more than the ${maxSize} allowed) from inputs of shapes ${inputs.map((t) => formatShape(t.shape)).join(', ')}`,
    )
  const problem = budgetProblem(size * bytesPerElement(spec.dtype))
  if (problem !== undefined)
    throw new ResourceError(
      prim.name,
      `the result of shape ${formatShape(spec.shape)} (${spec.dtype}) from inputs of shapes ${inputs.map((t) => formatShape(t.shape)).join(', ')} ${problem}`,
      size * bytesPerElement(spec.dtype),
      memoryBudget(),
    )
  const data = prim.forward(inputs, params, spec)
  if (debugNaN) checkFinite(prim.name, inputs, data)
  return makeTensor(spec.shape, spec.dtype as DType, data)
}

const allFinite = (data: ArrayLike<number>): boolean => {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return false
  return true
}

const checkFinite = (op: string, inputs: readonly AnyTensor[], data: ArrayLike<number>): void => {
  if (allFinite(data) || !inputs.every((t) => allFinite(storage(t)))) return
  let bad = 0
  while (Number.isFinite(data[bad]!)) bad++
  const shapes = inputs.map((t) => formatShape(t.shape)).join(', ')
  throw new NonFiniteError(
    op,
    `produced ${data[bad]} at flat index ${bad} from finite inputs of shapes ${shapes}`,
  )
}

/** Lets each finished interpreter that followed `t` object to its use (a staging trace throws). */
const checkLeaked = (op: string, t: AnyTensor): void => {
  for (let box = boxOf(t); box !== undefined; box = boxOf(box.primal)) box.interpreter.leaked?.(op)
}

/**
 * Applies a primitive: evaluates it, or lets the innermost active interpreter following one of the
 * inputs record it.
 * @internal
 */
export const apply = <P>(prim: Prim<P>, inputs: readonly AnyTensor[], params: P): AnyTensor => {
  if (interpreters.length === 0) {
    for (const input of inputs) if (boxOf(input) !== undefined) checkLeaked(prim.name, input)
    return evaluate(prim, inputs, params)
  }
  let top: Interpreter | undefined
  for (const input of inputs) {
    let box: Box | undefined = boxOf(input)
    while (box !== undefined && !box.interpreter.active) {
      box.interpreter.leaked?.(prim.name)
      box = boxOf(box.primal)
    }
    if (box !== undefined && (top === undefined || box.interpreter.level > top.level)) top = box.interpreter
  }
  return top === undefined ? evaluate(prim, inputs, params) : top.process(prim, inputs, params)
}
