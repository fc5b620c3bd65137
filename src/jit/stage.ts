/**
 * The staging interpreter: a sibling of the reverse tracer behind the same `apply()` door. While
 * active, every primitive applied to a tensor it follows is evaluated one level down (so the
 * tracing call computes real values, and traces below it — an outer `grad` — see it as usual) and
 * recorded as an equation of the IR. Primitives whose inputs are all constants never reach it:
 * they are evaluated on the spot, which is constant folding at trace time.
 *
 * What tracing cannot see: JavaScript that reads a tensor's values (`toArray`, `item`) and
 * branches on them runs once, at the tracing call, and its choice is frozen into the IR; a side
 * effect (logging, pushing to an array) happens at tracing only. A tensor that escapes the trace
 * through a side effect and is used later is a `TraceError`.
 *
 * @module jit/stage
 */
import {
  type AnyTensor,
  apply,
  type Box,
  boxFor,
  boxOf,
  formatShape,
  type Interpreter,
  lowerTo,
  makeTensor,
  NablaError,
  type Prim,
  storage,
} from '../tensor/internal.js'
import { inlineRules } from './inline.js'
import type { Atom, Equation, IR, Var } from './ir.js'

/**
 * A misuse of a traced function: a tensor that leaked out of a `jit`/`makeIR` trace (through a side
 * effect) was used after the trace ended, or a traced function returned something that is not a
 * pytree of tensors.
 * @example
 * import { TraceError } from 'nabla'
 * new TraceError('add', 'a tensor leaked out of a jit trace').name // 'TraceError'
 */
export class TraceError extends NablaError {}

interface StagedBox extends Box {
  readonly interpreter: StagingTrace
  readonly variable: Var
}

/** Records primitive applications into equations (and evaluates them one level down). */
export class StagingTrace implements Interpreter {
  readonly level: number
  active = true
  /**
   * A traced tensor stands for the values of every later call, not the tracing call's: readers
   * refuse it (a value read in JavaScript would be frozen into the plan), and value-dependent
   * shortcuts (the gradient's strong zeros, class-index labels) take their traced path.
   */
  readonly placeholders = true
  readonly transform = 'jit'
  readonly #equations: Equation[] = []
  readonly #inputs: Var[] = []
  #next = 0
  /** Set when a constant the IR reads is itself followed by an active outer trace. */
  capturedTracer = false

  constructor(level: number) {
    this.level = level
  }

  /** Starts following `t` as an input of the traced function. */
  input(t: AnyTensor): AnyTensor {
    const primal = lowerTo(t, this.level)
    const variable = this.#variable(primal)
    this.#inputs.push(variable)
    return this.#box(primal, variable)
  }

  /** The variable `t` is in this trace, or undefined when the trace does not follow it. */
  variableOf(t: AnyTensor): Var | undefined {
    return (boxFor(t, this) as StagedBox | undefined)?.variable
  }

  /** `t` as an operand: its variable, or a constant holding its value one level down. */
  atomOf(t: AnyTensor): Atom {
    const variable = this.variableOf(t)
    if (variable !== undefined) return variable
    const value = lowerTo(t, this.level)
    if (boxOf(value) !== undefined) this.capturedTracer = true
    return { kind: 'const', value }
  }

  process(prim: Prim<any>, inputs: readonly AnyTensor[], params: unknown): AnyTensor {
    // a jitted call inside the traced function records its own primitives (see call.ts)
    const inline = inlineRules.get(prim)
    if (inline !== undefined) return inline(inputs)
    const primals = inputs.map((t) => lowerTo(t, this.level))
    const output = apply(prim, primals, params)
    const atoms = inputs.map((t) => this.atomOf(t))
    if (atoms.every((a) => a.kind === 'const')) return output
    const variable = this.#variable(output)
    this.#equations.push({ prim, inputs: atoms, params, outputs: [variable] })
    return this.#box(output, variable)
  }

  leaked(op: string): void {
    throw new TraceError(
      op,
      'a tensor leaked out of a jit/makeIR trace (it was stored by a side effect of the traced function) and was used after the trace ended; return it from the function instead',
    )
  }

  /** The recorded IR with the given outputs. */
  finish(outputs: readonly AnyTensor[]): IR {
    return {
      inputs: [...this.#inputs],
      equations: [...this.#equations],
      outputs: outputs.map((t) => this.atomOf(t)),
    }
  }

  #variable(t: AnyTensor): Var {
    return { kind: 'var', id: this.#next++, shape: t.shape, dtype: t.dtype }
  }

  #box(primal: AnyTensor, variable: Var): AnyTensor {
    const box: StagedBox = { interpreter: this, primal, variable }
    return makeTensor(primal.shape, primal.dtype, storage(primal), box)
  }
}

/** Describes the shapes of inputs for messages: `[2,3] f32, [3] f32`. */
export const describeInputs = (inputs: readonly AnyTensor[]): string =>
  inputs.map((t) => `${formatShape(t.shape)} ${t.dtype}`).join(', ')
