/**
 * The reverse-mode tracer (internal). A `ReverseTrace` is an interpreter: while active, every
 * primitive applied to a tensor it follows is evaluated one level down and recorded as a node on its
 * tape. `backward` walks the tape in reverse, calling each primitive's vjp rule. The rules are
 * written with ops, so when an outer trace is active the backward pass is itself recorded: that is
 * how `grad(grad(f))` works. Broadcast reduction of cotangents and accumulation at fan-out happen
 * here, once, not in every rule.
 *
 * @module trace
 */

import {
  type AnyTensor,
  apply,
  type Box,
  boxFor,
  formatShape,
  type Interpreter,
  lowerTo,
  makeTensor,
  nextLevel,
  ops,
  type Prim,
  popInterpreter,
  pushInterpreter,
  ShapeError,
  shapesEqual,
  storage,
} from '../tensor/internal.js'
import { flatten, type Pytree, type TreeDef, unflatten } from '../tree/index.js'
import {
  allZero,
  asMask,
  dropNonFinite,
  intersect,
  settleMask,
  type Unreached,
  union,
} from './structuralZeros.js'

/** One recorded primitive application (or a leaf, with `prim` undefined). */
export interface TapeNode {
  readonly prim: Prim<any> | undefined
  readonly params: unknown
  /** The inputs, one level down. */
  readonly inputs: readonly AnyTensor[]
  /** The output, one level down. */
  readonly output: AnyTensor
  /** Tape index of each input's node, or -1 for inputs this trace does not follow. */
  readonly parents: readonly number[]
}

/** A tensor this trace follows: its box records the node that made it. */
interface ReverseBox extends Box {
  readonly interpreter: ReverseTrace
  readonly node: number
}

/** How a `ReverseTrace` records. */
export interface ReverseTraceOptions {
  /**
   * Also record primitives without a vjp rule (comparisons), so the tape shows every application
   * (src/inspect draws them); the sweep passes over them. Default false.
   */
  readonly recordAll?: boolean
}

export class ReverseTrace implements Interpreter {
  readonly level: number
  active = true
  readonly #tape: TapeNode[] = []
  readonly #recordAll: boolean

  constructor(level: number, options: ReverseTraceOptions = {}) {
    this.level = level
    this.#recordAll = options.recordAll ?? false
  }

  /** The tape, read-only: leaves and primitive applications in evaluation order. */
  get nodes(): readonly TapeNode[] {
    return this.#tape
  }

  /** Starts following `t` as an input of the traced function. */
  leaf(t: AnyTensor): AnyTensor {
    const primal = lowerTo(t, this.level)
    return this.#box(primal, { prim: undefined, params: undefined, inputs: [], output: primal, parents: [] })
  }

  /** The tape index of the node that made `t`, or -1 when this trace does not follow it. */
  nodeOf(t: AnyTensor): number {
    return (boxFor(t, this) as ReverseBox | undefined)?.node ?? -1
  }

  process(prim: Prim<any>, inputs: readonly AnyTensor[], params: unknown): AnyTensor {
    const primals = inputs.map((t) => lowerTo(t, this.level))
    const output = apply(prim, primals, params)
    if (prim.vjp === undefined && !this.#recordAll) return output
    const parents = inputs.map((t) => this.nodeOf(t))
    if (parents.every((p) => p < 0)) return output
    return this.#box(output, { prim, params, inputs: primals, output, parents })
  }

  #box(primal: AnyTensor, node: TapeNode): AnyTensor {
    const box: ReverseBox = { interpreter: this, primal, node: this.#tape.length }
    this.#tape.push(node)
    return makeTensor(primal.shape, primal.dtype, storage(primal), box)
  }

  /**
   * Propagates cotangents from the given nodes back to the start of the tape; returns the
   * accumulated cotangent of every leaf (undefined where none arrived) — and, with `retain`, of
   * every node (otherwise an op's cotangent is dropped once its rule has run).
   */
  backward(seeds: readonly (readonly [number, AnyTensor])[], retain = false): (AnyTensor | undefined)[] {
    const tape = this.#tape
    const cotangents = new Array<AnyTensor | undefined>(tape.length)
    // elements of each node's cotangent that are structurally zero (a branch `where` did not take)
    const unreached = new Array<Unreached>(tape.length)
    const accumulate = (index: number, ct: AnyTensor, zeros: Unreached): void => {
      const previous = cotangents[index]
      cotangents[index] = previous === undefined ? ct : ops.add(previous, ct)
      unreached[index] = previous === undefined ? zeros : intersect(unreached[index], zeros)
    }
    for (const [index, ct] of seeds) if (index >= 0) accumulate(index, ct, undefined)
    for (let i = tape.length - 1; i >= 0; i--) {
      const ct = cotangents[i]
      const node = tape[i]!
      if (ct === undefined || node.prim?.vjp === undefined) continue
      const needs = node.parents.map((parent) => parent >= 0)
      const grads = node.prim.vjp(ops, ct, node.output, node.inputs, node.params, needs)
      if (grads.length !== node.inputs.length)
        throw new Error(
          `nabla internal error: the vjp rule of ${node.prim.name} returned ${grads.length} cotangents for ${node.inputs.length} inputs`,
        )
      const zeros = unreached[i]
      // (masks of values become bytes; inside jit or vmap they stay tensors: see structuralZeros)
      const unselected =
        node.prim.unselected === undefined || zeros === 'all'
          ? undefined
          : node.prim.unselected(ops, node.inputs, node.output).map(settleMask)
      for (let j = 0; j < grads.length; j++) {
        const parent = node.parents[j]!
        const g = grads[j]
        if (parent < 0 || g === null || g === undefined) continue
        // elementwise: element k of g answers element k of the output; otherwise (a linear map)
        // only an all-zero cotangent is known to give an all-zero result
        const perElement = node.prim.elementwise === true && shapesEqual(g.shape, node.output.shape)
        const gZeros = perElement ? union(zeros, unselected?.[j]) : allZero(zeros) ? 'all' : undefined
        const fitted = fitTo(node.prim.name, dropNonFinite(g, gZeros), node.inputs[j]!)
        // summed down to a broadcast input, an element is structurally zero when all it sums are
        const fittedZeros =
          shapesEqual(fitted.shape, g.shape) || gZeros === 'all' || gZeros === undefined
            ? gZeros
            : settleMask(fitTo(node.prim.name, asMask(gZeros, g), node.inputs[j]!, ops.min))
        accumulate(parent, fitted, fittedZeros)
      }
      if (!retain) cotangents[i] = undefined
      unreached[i] = undefined
    }
    return cotangents
  }
}

/** A function run once under a fresh reverse trace (see `recordReverse`). */
export interface Recording {
  readonly trace: ReverseTrace
  /** The input's leaves, in `flatten` order, and its structure. */
  readonly inputs: readonly AnyTensor[]
  readonly inputDef: TreeDef
  /** The tape index of each input leaf. */
  readonly inputNodes: readonly number[]
  /** What `f` returned, still carrying the (now inactive) trace's boxes. */
  readonly result: unknown
}

/**
 * Runs `f` at `x` under a fresh `ReverseTrace`, following every leaf of `x`; always deactivates
 * and pops the trace, also when `f` throws. `op` names the caller in error messages.
 */
export const recordReverse = <X extends Pytree>(
  op: string,
  f: (x: X) => unknown,
  x: X,
  options: ReverseTraceOptions = {},
): Recording => {
  const [inputs, inputDef] = flatten(x, op, 'x')
  const trace = new ReverseTrace(nextLevel(), options)
  pushInterpreter(trace)
  try {
    const leaves = inputs.map((t) => trace.leaf(t))
    const result = f(unflatten<X>(inputDef, leaves))
    return { trace, inputs, inputDef, inputNodes: leaves.map((t) => trace.nodeOf(t)), result }
  } finally {
    trace.active = false
    popInterpreter(trace)
  }
}

/**
 * Makes a rule's cotangent match its input: sums over broadcast dimensions and casts the dtype.
 * This is the one place broadcasting is undone.
 */
const fitTo = (op: string, ct: AnyTensor, input: AnyTensor, reduce: typeof ops.sum = ops.sum): AnyTensor => {
  let g = ct
  const target = input.shape
  if (!shapesEqual(g.shape, target)) {
    const extra = g.shape.length - target.length
    if (extra < 0)
      throw new ShapeError(
        op,
        `vjp rule returned a cotangent of shape ${formatShape(g.shape)} for an input of shape ${formatShape(target)}`,
      )
    const axes: number[] = []
    for (let i = 0; i < g.shape.length; i++) {
      const d = i < extra ? undefined : target[i - extra]
      if (d === undefined || (d === 1 && g.shape[i] !== 1)) axes.push(i)
      else if (d !== g.shape[i])
        throw new ShapeError(
          op,
          `vjp rule returned a cotangent of shape ${formatShape(g.shape)} for an input of shape ${formatShape(target)}`,
        )
    }
    g = ops.reshape(reduce(g, axes, { keepdims: true }), target)
  }
  return g.dtype === input.dtype ? g : ops.cast(g, input.dtype)
}
