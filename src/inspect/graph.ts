/**
 * The backward pass as a picture. `traceGraph(f, x)` runs `f` under a small interpreter of its own
 * that records every primitive application as a node (op, parameters, input nodes, shape, forward
 * value), then obtains every node's gradient — the cotangent ∂out/∂node — with `vjp`: it runs `f`
 * again with a zero perturbation `εₖ` added to the output of node k, and the gradient of the
 * output with respect to `εₖ` at `ε = 0` is exactly that node's cotangent. `toDot(graph)` renders
 * the result as Graphviz DOT (inputs, constants, ops, output; forward edges; labels with op,
 * shape, value and gradient; in `dot.ts`).
 *
 * Values and gradients are summarised (shape, min/max/mean, the first few elements), so the graph
 * of a model with large weight matrices stays small.
 *
 * @module graph
 */

import { flatten, leafPaths, type Pytree, unflatten, vjp } from '../grad/index.js'
import {
  ArgumentError,
  add,
  apply,
  type Box,
  boxOf,
  type DType,
  formatShape,
  type Interpreter,
  isTensor,
  lowerTo,
  makeTensor,
  nextLevel,
  ones,
  type Prim,
  popInterpreter,
  pushInterpreter,
  type Shape,
  ShapeError,
  shapesEqual,
  storage,
  type Tensor,
  zeros,
} from '../tensor/internal.js'
import { formatNumber } from './dot.js'

// ---------------------------------------------------------------------------------------------
// model

/**
 * A tensor in brief: its shape and statistics, and its values (all of them when there are at most
 * `limit`, else the first `limit`, row-major).
 * @example
 * import { summarize, tensor } from 'nabla'
 * summarize(tensor([1, 2, 3])) // { shape: [3], size: 3, min: 1, max: 3, mean: 2, values: [1, 2, 3], truncated: false }
 */
export interface ValueSummary {
  readonly shape: Shape
  readonly size: number
  /** Ignoring NaN; NaN for an empty tensor. */
  readonly min: number
  /** Ignoring NaN; NaN for an empty tensor. */
  readonly max: number
  /** NaN when any value is NaN or the tensor is empty. */
  readonly mean: number
  readonly values: readonly number[]
  /** Whether `values` holds only the first elements. */
  readonly truncated: boolean
}

/**
 * What a node is: an input leaf of `f`, a constant `f` used (a closed-over tensor or a number), or
 * a primitive application.
 * @example
 * import type { NodeKind } from 'nabla'
 * const kind: NodeKind = 'op'
 */
export type NodeKind = 'input' | 'constant' | 'op'

/**
 * One node of a computation graph.
 * @example
 * import { traceGraph, mul, tensor } from 'nabla'
 * const node = traceGraph((x) => mul(x, x), tensor([3]), { cotangent: tensor([1]) }).nodes[1]!
 * node.op // 'mul'; node.inputs [0, 0]; node.value.values [9]; node.grad.values [1]
 */
export interface GraphNode {
  /** Its index in `nodes`; inputs come before the nodes that use them. */
  readonly id: number
  readonly kind: NodeKind
  /** The primitive's name for op nodes (`mul`, `sigmoid`, `customVjp(name)`), else `input` or `constant`. */
  readonly op: string
  /** A display name: the input's path (`x`, `w` for `x.w`), the op's name, or the constant's value. */
  readonly label: string
  /** The primitive's static parameters (axes, target shape, …) as short JSON, when it has any. */
  readonly params: string | undefined
  /** Ids of the nodes this node reads, in argument order (a node used twice appears twice). */
  readonly inputs: readonly number[]
  readonly shape: Shape
  readonly dtype: DType
  /** The forward value. */
  readonly value: ValueSummary
  /** The cotangent ∂out/∂node (shape of the node); `undefined` for constants. */
  readonly grad: ValueSummary | undefined
}

/**
 * A traced computation: nodes in evaluation order, which are the inputs, which is the output.
 * @example
 * import { traceGraph, sigmoid, sum, tensor } from 'nabla'
 * const graph = traceGraph((x) => sum(sigmoid(x)), tensor([0, 1]))
 * graph.nodes.map((n) => n.op) // ['input', 'sigmoid', 'sum']
 */
export interface ComputationGraph {
  readonly nodes: readonly GraphNode[]
  /** Ids of the input nodes, in `flatten` order of `x`. */
  readonly inputs: readonly number[]
  readonly output: number
}

/**
 * Options of `traceGraph`.
 * @example
 * import { traceGraph, mul, ones } from 'nabla'
 * traceGraph((x) => mul(x, 2), ones([2, 2]), { cotangent: ones([2, 2]), limit: 2 })
 */
export interface TraceGraphOptions {
  /** The output cotangent; required when the output is not a single-element tensor. */
  readonly cotangent?: Tensor
  /** How many values a summary keeps (default 6). */
  readonly limit?: number
}

// ---------------------------------------------------------------------------------------------
// summaries

/**
 * Summarises a tensor's values: shape, min, max, mean and the first `limit` values.
 * @example
 * import { summarize, zeros } from 'nabla'
 * summarize(zeros([100]), 3).values // [0, 0, 0] (truncated: true)
 */
export const summarize = (t: Tensor, limit = 6): ValueSummary => {
  const data = storage(t)
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  let total = 0
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!
    if (v < min) min = v
    if (v > max) max = v
    total += v
  }
  const empty = data.length === 0
  return {
    shape: [...t.shape],
    size: data.length,
    min: empty || min > max ? Number.NaN : min,
    max: empty || min > max ? Number.NaN : max,
    mean: empty ? Number.NaN : total / data.length,
    values: Array.from(data.subarray(0, limit)),
    truncated: data.length > limit,
  }
}

/** Static parameters as `key=value` pairs; flags that are off are left out. */
const describeParams = (params: unknown): string | undefined => {
  if (params === undefined || params === null) return undefined
  const show = (v: unknown): string =>
    JSON.stringify(v, (_key, inner: unknown) =>
      isTensor(inner) ? `Tensor${formatShape(inner.shape)}` : inner,
    ) ?? String(v)
  try {
    const text =
      typeof params === 'object' && !Array.isArray(params) && !isTensor(params)
        ? Object.entries(params)
            .filter(([, v]) => v !== false && v !== undefined)
            .map(([k, v]) => `${k}=${show(v)}`)
            .join(', ')
        : show(params)
    if (text === '') return undefined
    return text.length > 60 ? `${text.slice(0, 57)}…` : text
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// the recording interpreter

interface RawNode {
  readonly kind: NodeKind
  readonly op: string
  readonly label: string
  readonly params: string | undefined
  readonly inputs: readonly number[]
  readonly value: Tensor
}

interface GraphBox extends Box {
  readonly interpreter: GraphTrace
  readonly node: number
}

/**
 * Records primitive applications as nodes. With `perturbations`, adds the k-th perturbation to the
 * output of the k-th op node (the gradient pass).
 */
class GraphTrace implements Interpreter {
  readonly level: number
  active = true
  readonly nodes: RawNode[] = []
  readonly #constants = new Map<Tensor, number>()
  readonly #perturbations: readonly Tensor[] | undefined
  #ops = 0

  constructor(level: number, perturbations?: readonly Tensor[]) {
    this.level = level
    this.#perturbations = perturbations
  }

  get opCount(): number {
    return this.#ops
  }

  leaf(t: Tensor, path: string): Tensor {
    const value = lowerTo(t, this.level)
    const label = path.startsWith('x.') ? path.slice(2) : path
    return this.#box(value, { kind: 'input', op: 'input', label, params: undefined, inputs: [], value })
  }

  /** The node of a tensor this trace follows, or -1. */
  nodeOf(t: Tensor): number {
    let box = boxOf(t)
    while (
      box !== undefined &&
      box.interpreter !== this &&
      (box.interpreter.level > this.level || !box.interpreter.active)
    )
      box = boxOf(box.primal)
    return box !== undefined && box.interpreter === this ? (box as GraphBox).node : -1
  }

  /** The node of a value `f` did not get from its inputs (one node per distinct tensor). */
  constant(value: Tensor): number {
    const known = this.#constants.get(value)
    if (known !== undefined) return known
    const summary = summarize(value, 3)
    const label = value.size === 1 ? formatNumber(summary.values[0]!) : `const ${formatShape(value.shape)}`
    const id = this.nodes.length
    this.nodes.push({ kind: 'constant', op: 'constant', label, params: undefined, inputs: [], value })
    this.#constants.set(value, id)
    return id
  }

  process(prim: Prim<any>, inputs: readonly Tensor[], params: unknown): Tensor {
    const primals = inputs.map((t) => lowerTo(t, this.level))
    const parents = inputs.map((t, i) => {
      const node = this.nodeOf(t)
      return node >= 0 ? node : this.constant(primals[i]!)
    })
    let output = apply(prim, primals, params)
    const index = this.#ops++
    if (this.#perturbations !== undefined) {
      const epsilon = this.#perturbations[index]
      if (epsilon === undefined)
        throw new ArgumentError('traceGraph', 'f applied more primitives on the second run than on the first')
      output = add(output, epsilon)
    }
    return this.#box(output, {
      kind: 'op',
      op: prim.name,
      label: prim.name,
      params: describeParams(params),
      inputs: parents,
      value: output,
    })
  }

  #box(primal: Tensor, node: RawNode): Tensor {
    const box: GraphBox = { interpreter: this, primal, node: this.nodes.length }
    this.nodes.push(node)
    return makeTensor(primal.shape, primal.dtype, storage(primal), box)
  }
}

interface Run {
  readonly trace: GraphTrace
  /** The output, one level down. */
  readonly output: Tensor
  readonly outputNode: number
  readonly inputNodes: readonly number[]
}

/** Runs `f` at `x` under a fresh `GraphTrace`; always pops it. */
const record = <X extends Pytree>(f: (x: X) => Tensor, x: X, perturbations?: readonly Tensor[]): Run => {
  const [leaves, def] = flatten(x, 'traceGraph', 'x')
  const paths = leafPaths(def, 'x')
  const trace = new GraphTrace(nextLevel(), perturbations)
  pushInterpreter(trace)
  try {
    const traced = leaves.map((t, i) => trace.leaf(t, paths[i]!))
    const inputNodes = traced.map((t) => trace.nodeOf(t))
    const result: unknown = f(unflatten<X>(def, traced))
    if (!isTensor(result))
      throw new ArgumentError('traceGraph', 'f must return a single tensor (the value whose graph is drawn)')
    const followed = trace.nodeOf(result)
    const output = lowerTo(result, trace.level)
    const outputNode = followed >= 0 ? followed : trace.constant(output)
    return { trace, output, outputNode, inputNodes }
  } finally {
    trace.active = false
    popInterpreter(trace)
  }
}

/**
 * Traces `f` at `x` into a computation graph: every primitive `f` applies to (values derived from)
 * its inputs becomes a node with its op, shape, forward value and gradient ∂out/∂node. Tensors `f`
 * uses that do not depend on `x` (closed-over data, numbers) are constant nodes. `x` is a pytree;
 * each leaf is an input node named by its path (`x.w`). A non-scalar output needs
 * `options.cotangent` (the gradient is then that of ⟨cotangent, f(x)⟩). `f` runs twice.
 *
 * Shape rule: each node's `grad` has the node's shape.
 * @example
 * import { traceGraph, toDot, sigmoid, mul, add, sub, square, scalar, type Tensor } from 'nabla'
 * const c = (p: { w: Tensor<[]>; b: Tensor<[]> }) => square(sub(sigmoid(add(mul(p.w, 0.5), p.b)), 1))
 * const graph = traceGraph(c, { w: scalar(0.3), b: scalar(0.1) })
 * graph.nodes.filter((n) => n.kind === 'op').map((n) => n.op) // ['mul', 'add', 'sigmoid', 'sub', 'mul']
 * toDot(graph) // 'digraph nabla { … }'
 */
export const traceGraph = <X extends Pytree>(
  f: (x: X) => Tensor,
  x: X,
  options: TraceGraphOptions = {},
): ComputationGraph => {
  const limit = options.limit ?? 6
  const forward = record(f, x)
  const out = forward.output
  let seed = options.cotangent
  if (seed === undefined) {
    if (out.size !== 1)
      throw new ArgumentError(
        'traceGraph',
        `f returned shape ${formatShape(out.shape)}: pass options.cotangent for a non-scalar output`,
      )
    seed = ones(out.shape, { dtype: out.dtype })
  } else if (!shapesEqual(seed.shape, out.shape))
    throw new ShapeError(
      'traceGraph',
      `the cotangent has shape ${formatShape(seed.shape)} but f returned ${formatShape(out.shape)}`,
    )
  const opValues = forward.trace.nodes.filter((n) => n.kind === 'op').map((n) => n.value)
  const perturbations = opValues.map((v) => zeros(v.shape, { dtype: v.dtype }))
  let opsOnSecondRun = 0
  const [, pullback] = vjp(
    (args: { x: X; epsilon: Tensor[] }) => {
      const run = record(f, args.x, args.epsilon)
      opsOnSecondRun = run.trace.opCount
      return run.output
    },
    { x, epsilon: perturbations },
  )
  if (opsOnSecondRun !== opValues.length)
    throw new ArgumentError('traceGraph', 'f applied a different number of primitives on its second run')
  const grads = pullback(seed)
  const [inputGrads] = flatten(grads.x, 'traceGraph')
  const gradOf = new Map<number, Tensor>()
  forward.inputNodes.forEach((node, i) => {
    gradOf.set(node, inputGrads[i]!)
  })
  let k = 0
  forward.trace.nodes.forEach((node, id) => {
    if (node.kind === 'op') gradOf.set(id, grads.epsilon[k++]!)
  })
  const nodes = forward.trace.nodes.map((node, id): GraphNode => {
    const g = gradOf.get(id)
    return {
      id,
      kind: node.kind,
      op: node.op,
      label: node.label,
      params: node.params,
      inputs: node.inputs,
      shape: [...node.value.shape],
      dtype: node.value.dtype,
      value: summarize(node.value, limit),
      grad: g === undefined ? undefined : summarize(g, limit),
    }
  })
  return { nodes, inputs: forward.inputNodes, output: forward.outputNode }
}
