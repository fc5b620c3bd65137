/**
 * Kernels for fused groups. When every op of a group has a WebAssembly SIMD form and its operands
 * fit an `[outer, inner]` layout (same shape, a bias row, a column, a scalar), or such a layout
 * repeated over blocks (a channel bias `[C, 1, 1]` over images `[N, C, H, W]`: one call per image),
 * the group runs as a generated WebAssembly kernel on buffer addresses. Otherwise it runs as a
 * generated JavaScript loop over the same buffers (any broadcast; float32 results rounded after
 * every op exactly as the eager kernels round them).
 *
 * @module jit/kernels
 */
import {
  type Arena,
  broadcastStrides,
  canFuse,
  type FusedExpression,
  type OperandLayout,
  type Shape,
} from '../tensor/internal.js'

type FloatArray = Float32Array | Float64Array

/**
 * Each operand's layout over `outShape` read as `[outer, inner]` split before axis `split` (`outer`
 * the product of the axes before it), or undefined when an operand fits none.
 */
export const layoutAt = (
  outShape: Shape,
  operandShapes: readonly Shape[],
  split: number,
): { outer: number; inner: number; layouts: OperandLayout[] } | undefined => {
  const rank = outShape.length
  const size = (from: number, to: number) => outShape.slice(from, to).reduce((x, y) => x * y, 1)
  const layouts: OperandLayout[] = []
  for (const operand of operandShapes) {
    const shape = [...Array<number>(rank - operand.length).fill(1), ...operand]
    const equal = (from: number, to: number) =>
      shape.slice(from, to).every((d, i) => d === outShape[from + i])
    const ones = (from: number, to: number) => shape.slice(from, to).every((d) => d === 1)
    if (ones(0, rank)) layouts.push('scalar')
    else if (equal(0, rank)) layouts.push('full')
    else if (ones(0, split) && equal(split, rank)) layouts.push('row')
    else if (equal(0, split) && ones(split, rank)) layouts.push('column')
    else return undefined
  }
  return { outer: size(0, split), inner: size(split, rank), layouts }
}

/** The `[outer, inner]` split and each operand's layout, or undefined when none fits. */
export const layoutFor = (
  outShape: Shape,
  operandShapes: readonly Shape[],
): { outer: number; inner: number; layouts: OperandLayout[] } | undefined => {
  for (let split = 0; split < outShape.length || split === 0; split++) {
    const layout = layoutAt(outShape, operandShapes, split)
    if (layout !== undefined) return layout
  }
  return undefined
}

/**
 * A layout repeated over blocks: the axes before some split make `blocks` blocks, and the axes
 * after it an `[outer, inner]` layout as `layoutFor` finds one; each operand is the same in every
 * block (`blockStrides` 0: a channel bias `[C, 1, 1]` over `[N, C, H, W]` is N blocks of `[C, H·W]`
 * with a column operand) or has its own values per block (its elements per block). Undefined when
 * no split fits.
 */
export const blockedLayoutFor = (
  outShape: Shape,
  operandShapes: readonly Shape[],
):
  | { blocks: number; blockStrides: number[]; outer: number; inner: number; layouts: OperandLayout[] }
  | undefined => {
  const rank = outShape.length
  const size = (dims: readonly number[]) => dims.reduce((x, y) => x * y, 1)
  for (let split = 1; split < rank; split++) {
    const head = outShape.slice(0, split)
    const blockStrides: number[] = []
    const tails: Shape[] = []
    for (const operand of operandShapes) {
      const shape = [...Array<number>(rank - operand.length).fill(1), ...operand]
      const [own, tail] = [shape.slice(0, split), shape.slice(split)]
      if (own.every((d) => d === 1)) blockStrides.push(0)
      else if (own.every((d, i) => d === head[i])) blockStrides.push(size(tail))
      else break
      tails.push(tail)
    }
    if (tails.length < operandShapes.length) continue
    const layout = layoutFor(outShape.slice(split), tails)
    if (layout !== undefined) return { blocks: size(head), blockStrides, ...layout }
  }
  return undefined
}

/**
 * Elements per block below which a blocked group stays a JavaScript loop (a call into WebAssembly
 * per block costs about as much as a JavaScript loop over this many elements).
 */
export const minimumBlock = 64

/**
 * `kernel` with its arguments bound, as a closure of fixed arity for the common counts: a spread
 * call (`kernel(...args)`) takes V8's generic path, several times the cost of the kernel itself on
 * the small buffers of a chain of tiny ops.
 */
export const bindArguments = (kernel: (...args: number[]) => void, args: readonly number[]): (() => void) => {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = args
  switch (args.length) {
    case 3:
      return () => kernel(a, b, c)
    case 4:
      return () => kernel(a, b, c, d)
    case 5:
      return () => kernel(a, b, c, d, e)
    case 6:
      return () => kernel(a, b, c, d, e, f)
    default:
      return () => kernel(...args)
  }
}

/** A compiled group: call it to compute the output buffer from the operand buffers. */
export type GroupKernel = () => void

/** The WebAssembly kernel of a group, or undefined when it has no SIMD form. */
export const wasmGroupKernel = (
  arena: Pick<Arena, 'fused'>,
  precision: 'f32' | 'f64',
  expression: FusedExpression,
  outShape: Shape,
  operandShapes: readonly Shape[],
  operandAddresses: readonly number[],
  outAddress: number,
): GroupKernel | undefined => {
  if (!canFuse(precision, expression)) return undefined
  const layout = layoutFor(outShape, operandShapes)
  if (layout !== undefined) {
    const kernel = arena.fused({ precision, layouts: layout.layouts, root: expression })
    return bindArguments(kernel, [...operandAddresses, outAddress, layout.outer, layout.inner])
  }
  // a layout repeated over blocks: one call per block, each operand and the output stepped on
  const blocked = blockedLayoutFor(outShape, operandShapes)
  if (blocked === undefined || blocked.outer * blocked.inner < minimumBlock) return undefined
  const { blocks, blockStrides, outer, inner } = blocked
  const kernel = arena.fused({ precision, layouts: blocked.layouts, root: expression })
  const e = precision === 'f32' ? 4 : 8
  const calls = Array.from({ length: blocks }, (_, b) =>
    bindArguments(kernel, [
      ...operandAddresses.map((at, j) => at + b * blockStrides[j]! * e),
      outAddress + b * outer * inner * e,
      outer,
      inner,
    ]),
  )
  return () => {
    for (let b = 0; b < calls.length; b++) calls[b]!()
  }
}

const substitute = (expression: string, x: string, y: string): string =>
  expression.replace(/\bx\b/g, x).replace(/\by\b/g, y)

/**
 * The JavaScript loop of a group over views of the buffers (any broadcast). Each node is evaluated
 * once however many nodes read it (a small-value group's expression may share nodes), and the
 * value of each node in `exposed` is also written to its own view.
 */
export const javascriptGroupKernel = (
  precision: 'f32' | 'f64',
  expression: FusedExpression,
  outShape: Shape,
  operandShapes: readonly Shape[],
  operands: readonly FloatArray[],
  out: FloatArray,
  exposed: readonly { readonly node: FusedExpression; readonly out: FloatArray }[] = [],
): GroupKernel => {
  const round = (e: string) => (precision === 'f32' ? `Math.fround(${e})` : e)
  const lines: string[] = []
  let temporaries = 0
  const names = new Map<FusedExpression, string>()
  // (two exposed values may be one node: a broadcast member is its operand's node)
  const exposedAt = new Map<FusedExpression, number[]>()
  exposed.forEach((e, j) => {
    exposedAt.set(e.node, [...(exposedAt.get(e.node) ?? []), j])
  })
  const strides = operandShapes.map((s) => broadcastStrides(s, outShape))
  const index = (j: number) =>
    strides[j]!.map((s, d) => (s === 0 ? '' : `i${d} * ${s}`))
      .filter((t) => t !== '')
      .join(' + ') || '0'
  const emit = (node: FusedExpression): string => {
    const known = names.get(node)
    if (known !== undefined) return known
    const name = evaluate(node)
    names.set(node, name)
    for (const j of exposedAt.get(node) ?? []) lines.push(`e${j}[k] = ${name}`)
    return name
  }
  const evaluate = (node: FusedExpression): string => {
    const name = `t${temporaries++}`
    switch (node.kind) {
      case 'operand':
        lines.push(`const ${name} = o${node.index}[${index(node.index)}]`)
        break
      case 'constant':
        return Object.is(node.value, -0) ? '-0' : String(node.value)
      case 'unary': {
        const x = emit(node.x)
        lines.push(`const ${name} = ${round(substitute(node.expression, `(${x})`, ''))}`)
        break
      }
      case 'binary': {
        const x = emit(node.x)
        const y = emit(node.y)
        lines.push(`const ${name} = ${round(substitute(node.expression, `(${x})`, `(${y})`))}`)
        break
      }
      case 'where': {
        const c = emit(node.condition)
        const x = emit(node.x)
        const y = emit(node.y)
        lines.push(`const ${name} = ${c} !== 0 ? ${x} : ${y}`)
        break
      }
    }
    return name
  }
  const result = emit(expression)
  const open = outShape.map((d, i) => `for (let i${i} = 0; i${i} < ${d}; i${i}++) {`).join(' ')
  const close = outShape.map(() => '}').join(' ')
  const source = [
    ...operands.map((_, j) => `const o${j} = operands[${j}]`),
    ...exposed.map((_, j) => `const e${j} = exposed[${j}]`),
    'let k = 0',
    open,
    ...lines,
    `out[k++] = ${result}`,
    close,
  ].join('\n')
  // the loop is generated from the IR (shapes, strides, the prims' own expressions), never from user text
  const loop = new Function('operands', 'out', 'exposed', source) as (
    operands: readonly FloatArray[],
    out: FloatArray,
    exposed: readonly FloatArray[],
  ) => void
  const exposedViews = exposed.map((e) => e.out)
  return () => loop(operands, out, exposedViews)
}
