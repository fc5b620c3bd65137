/**
 * Graphviz DOT for a `ComputationGraph` (see `traceGraph` in `graph.ts`): inputs, constants, ops
 * and the output as nodes whose labels carry the op, shape, forward value and gradient; edges in
 * the forward direction.
 *
 * @module inspect/dot
 */
import { formatShape } from '../tensor/internal.js'
import { formatNumber } from './format.js'
import type { ComputationGraph, GraphNode, ValueSummary } from './graph.js'

/**
 * Options of `toDot`.
 * @example
 * import { toDot, traceGraph, sum, sin, tensor } from 'nabla'
 * const graph = traceGraph((x) => sum(sin(x)), tensor([0, 1]))
 * toDot(graph, { title: 'C = (σ(w·a + b) − y)²', direction: 'LR' })
 */
export interface DotOptions {
  /** A caption drawn above the graph. */
  readonly title?: string
  /** Layout direction: top to bottom (default) or left to right. */
  readonly direction?: 'TB' | 'LR'
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** A summary as label lines: the values, then (for more than four) the statistics. */
const formatSummary = (s: ValueSummary): string[] => {
  if (s.size === 0) return ['empty']
  if (s.size === 1) return [formatNumber(s.values[0]!)]
  if (s.size <= 4) return [`[${s.values.map(formatNumber).join(', ')}]`]
  const head = s.values.slice(0, 3).map(formatNumber).join(', ')
  return [
    `[${head}, …]`,
    `min ${formatNumber(s.min)} max ${formatNumber(s.max)} mean ${formatNumber(s.mean)}`,
  ]
}

const nodeStyle = (node: GraphNode, isOutput: boolean): string => {
  const periphery = isOutput ? ', peripheries=2' : ''
  if (node.kind === 'input') return `shape=box, style=filled, fillcolor="#dbeafe"${periphery}`
  if (node.kind === 'constant') return `shape=note, style=filled, fillcolor="#f3f4f6", fontcolor="#4b5563"`
  return `shape=box, style="rounded,filled", fillcolor="${isOutput ? '#fde68a' : '#fef9c3'}"${periphery}`
}

const nodeLabel = (node: GraphNode, isOutput: boolean): string => {
  const shape = node.shape.length === 0 ? 'scalar' : formatShape(node.shape)
  const lines = [`<b>${escapeHtml(node.label)}</b>${isOutput ? '&#160;(output)' : ''}`]
  if (node.kind === 'constant') {
    if (node.shape.length > 0) lines.push(...formatSummary(node.value).map(escapeHtml))
    return lines.join('<br/>')
  }
  if (node.params !== undefined) lines.push(`<font point-size="9">${escapeHtml(node.params)}</font>`)
  lines.push(`<font color="#4b5563">${escapeHtml(shape)} ${node.dtype}</font>`)
  const [value, ...valueStats] = formatSummary(node.value)
  lines.push(
    `value ${escapeHtml(value!)}`,
    ...valueStats.map((l) => `<font point-size="9">${escapeHtml(l)}</font>`),
  )
  if (node.grad !== undefined) {
    const [grad, ...gradStats] = formatSummary(node.grad)
    lines.push(
      `<font color="#b91c1c">grad ${escapeHtml(grad!)}</font>`,
      ...gradStats.map((l) => `<font color="#b91c1c" point-size="9">${escapeHtml(l)}</font>`),
    )
  }
  return lines.join('<br/>')
}

/**
 * Renders a computation graph as Graphviz DOT: inputs as blue boxes, constants as grey notes,
 * ops as yellow boxes (the output doubly outlined), edges in the forward direction (labelled with
 * the argument position for ops of several inputs). Each label holds the op, its shape and dtype,
 * the forward value and, in red, the gradient ∂out/∂node.
 * @example
 * import { traceGraph, toDot, sum, sin, tensor } from 'nabla'
 * const dot = toDot(traceGraph((x) => sum(sin(x)), tensor([0, 1])))
 * // digraph nabla { … n1 [label=<<b>sin</b>…>] … n0 -> n1 … }
 */
export const toDot = (graph: ComputationGraph, options: DotOptions = {}): string => {
  const lines = [
    'digraph nabla {',
    `  graph [rankdir=${options.direction ?? 'TB'}, fontname="Helvetica", nodesep=0.3, ranksep=0.35${
      options.title === undefined ? '' : `, labelloc=t, fontsize=14, label=<${escapeHtml(options.title)}>`
    }];`,
    // Courier: Graphviz's width estimate for it is exact for any monospace font, so text fits its box
    '  node [fontname="Courier", fontsize=11, margin="0.12,0.06"];',
    '  edge [color="#6b7280", arrowsize=0.7, fontname="Courier", fontsize=9, fontcolor="#6b7280"];',
  ]
  for (const node of graph.nodes) {
    const isOutput = node.id === graph.output
    lines.push(`  n${node.id} [${nodeStyle(node, isOutput)}, label=<${nodeLabel(node, isOutput)}>];`)
  }
  for (const node of graph.nodes)
    node.inputs.forEach((input, position) => {
      const label = node.inputs.length > 1 ? ` [label="${position}"]` : ''
      lines.push(`  n${input} -> n${node.id}${label};`)
    })
  lines.push('}')
  return `${lines.join('\n')}\n`
}
