/**
 * The backward pass as a picture. `traceGraph(f, x)` runs `f` once under the reverse tracer (the
 * one `vjp` uses) and reads its tape: every primitive application is a node (op, parameters, input
 * nodes, shape, forward value); one backward sweep that keeps every node's cotangent gives each
 * node its gradient ∂out/∂node. `toDot(graph)` renders
 * the result as Graphviz DOT (inputs, constants, ops, output; forward edges; labels with op,
 * shape, value and gradient; in `dot.ts`).
 *
 * Values and gradients are summarised (shape, min/max/mean, the first few elements), so the graph
 * of a model with large weight matrices stays small.
 *
 * @module graph
 */

import { recordReverse } from '../grad/internal.js'
import {
  type AnyTensor,
  ArgumentError,
  cast,
  type DType,
  formatShape,
  isTensor,
  lowerTo,
  ones,
  type Shape,
  ShapeError,
  shapesEqual,
  storage,
  zeros,
} from '../tensor/internal.js'
import { leafPaths, type Pytree } from '../tree/index.js'
import { formatNumber } from './format.js'

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
  readonly cotangent?: AnyTensor
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
export const summarize = (t: AnyTensor, limit = 6): ValueSummary => {
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
// reading the reverse tape

/**
 * Traces `f` at `x` into a computation graph: every primitive `f` applies to (values derived from)
 * its inputs becomes a node with its op, shape, forward value and gradient ∂out/∂node. Tensors `f`
 * uses that do not depend on `x` (closed-over data, numbers) are constant nodes. `x` is a pytree;
 * each leaf is an input node named by its path (`x.w`). A non-scalar output needs
 * `options.cotangent` (the gradient is then that of ⟨cotangent, f(x)⟩). `f` runs once.
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
  f: (x: X) => AnyTensor,
  x: X,
  options: TraceGraphOptions = {},
): ComputationGraph => {
  const limit = options.limit ?? 6
  const { trace, inputDef, inputNodes, result } = recordReverse('traceGraph', f, x, { recordAll: true })
  if (!isTensor(result))
    throw new ArgumentError('traceGraph', 'f must return a single tensor (the value whose graph is drawn)')
  const out = lowerTo(result, trace.level)
  const seed = outputCotangent(out, options.cotangent)
  const outputTape = trace.nodeOf(result)
  // every node's cotangent ∂out/∂node, kept (the sweep normally drops them as it goes)
  const cotangents = trace.backward([[outputTape, seed]], true)

  const nodes: GraphNode[] = []
  const add = (
    node: Omit<GraphNode, 'id' | 'shape' | 'dtype' | 'value' | 'grad'>,
    value: AnyTensor,
    grad: AnyTensor | undefined,
  ): number => {
    const id = nodes.length
    nodes.push({
      id,
      ...node,
      shape: [...value.shape],
      dtype: value.dtype,
      value: summarize(value, limit),
      grad: grad === undefined ? undefined : summarize(grad, limit),
    })
    return id
  }
  const constants = new Map<AnyTensor, number>()
  const constant = (value: AnyTensor): number => {
    const known = constants.get(value)
    if (known !== undefined) return known
    const label = value.size === 1 ? formatNumber(storage(value)[0]!) : `const ${formatShape(value.shape)}`
    const id = add(
      { kind: 'constant', op: 'constant', label, params: undefined, inputs: [] },
      value,
      undefined,
    )
    constants.set(value, id)
    return id
  }
  const gradOf = (tape: number, value: AnyTensor): AnyTensor =>
    cotangents[tape] ?? zeros(value.shape, { dtype: value.dtype })
  const paths = leafPaths(inputDef, 'x')
  const idOf = new Map<number, number>() // tape index → node id
  trace.nodes.forEach((node, tape) => {
    const value = node.output
    if (node.prim === undefined) {
      const path = paths[inputNodes.indexOf(tape)]!
      const label = path.startsWith('x.') ? path.slice(2) : path
      const input = { kind: 'input', op: 'input', label, params: undefined, inputs: [] } as const
      idOf.set(tape, add(input, value, gradOf(tape, value)))
      return
    }
    const inputs = node.parents.map((parent, i) =>
      parent >= 0 ? idOf.get(parent)! : constant(node.inputs[i]!),
    )
    const op = {
      kind: 'op',
      op: node.prim.name,
      label: node.prim.name,
      params: describeParams(node.params),
      inputs,
    } as const
    idOf.set(tape, add(op, value, gradOf(tape, value)))
  })
  return {
    nodes,
    inputs: inputNodes.map((tape) => idOf.get(tape)!),
    output: outputTape >= 0 ? idOf.get(outputTape)! : constant(out),
  }
}

/** The output's cotangent: `given` (checked against the output's shape), or 1 for a one-element output. */
const outputCotangent = (out: AnyTensor, given: AnyTensor | undefined): AnyTensor => {
  if (given === undefined) {
    if (out.size !== 1)
      throw new ArgumentError(
        'traceGraph',
        `f returned shape ${formatShape(out.shape)}: pass options.cotangent for a non-scalar output`,
      )
    return ones(out.shape, { dtype: out.dtype })
  }
  if (!shapesEqual(given.shape, out.shape))
    throw new ShapeError(
      'traceGraph',
      `the cotangent has shape ${formatShape(given.shape)} but f returned ${formatShape(out.shape)}`,
    )
  return given.dtype === out.dtype ? given : cast(given, out.dtype)
}
