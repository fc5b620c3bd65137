/**
 * Matmul epilogues: a product that only one fused group reads (a bias add, an activation, a relu
 * mask applied to an upstream gradient, …) becomes one step with that group. The product is written
 * straight into the group's output buffer and the group's generated kernel runs over it in place,
 * block of rows by block of rows right after each block's product, while the block is still in
 * cache — no buffer for the product and no separate pass over it.
 *
 * A product split across helper threads runs its epilogue once the whole product is done (the
 * helpers run only the product kernels). Only unbatched products (rank-2 outputs) whose group has a
 * WebAssembly form and operands laid out as the product, a bias row, a column or a scalar qualify;
 * the others stay two steps.
 *
 * @module jit/epilogue
 */
import { canFuse, type OperandLayout, type Shape, shapesEqual, sizeOf } from '../tensor/internal.js'
import type { Buffers } from './buffers.js'
import { unitInputs } from './buffers.js'
import type { FusedUnit, Unit } from './fusion.js'
import { type Atom, dtypeOf, type IR, shapeOf } from './ir.js'
import { keptProduct, matmulSizes, runSplittable } from './steps.js'

/** Rows of the product computed (and finished by the epilogue) per block: the gemm's own row block. */
const rowsPerBlock = 128

/** How an operand of shape `shape` varies over an `[m, n]` output, or undefined when it fits none. */
const layoutOver = (shape: Shape, m: number, n: number): OperandLayout | undefined => {
  const padded = [...Array<number>(Math.max(0, 2 - shape.length)).fill(1), ...shape]
  if (padded.length !== 2) return sizeOf(shape) === 1 ? 'scalar' : undefined
  const [rows, columns] = padded as [number, number]
  if (rows === 1 && columns === 1) return 'scalar'
  if (rows === m && columns === n) return 'full'
  if (rows === 1 && columns === n) return 'row'
  if (rows === m && columns === 1) return 'column'
  return undefined
}

/** The layouts of a group's operands over the product, when the group can be its epilogue. */
const epilogueLayouts = (group: FusedUnit, product: Atom & { kind: 'var' }): OperandLayout[] | undefined => {
  const [m, n] = product.shape as [number, number]
  if (group.smallValues) return undefined
  if (!shapesEqual(group.output.shape, product.shape) || group.output.dtype !== product.dtype)
    return undefined
  const precision = product.dtype === 'float64' ? 'f64' : 'f32'
  if (!canFuse(precision, group.expression)) return undefined
  const layouts: OperandLayout[] = []
  for (const operand of group.operands) {
    const isProduct = operand.kind === 'var' && operand.id === product.id
    const layout = isProduct ? 'full' : layoutOver(shapeOf(operand), m, n)
    if (layout === undefined || dtypeOf(operand) !== product.dtype) return undefined
    layouts.push(layout)
  }
  return layouts
}

/**
 * Merges each unbatched matmul with the fused group that is its product's only reader; the merged
 * unit takes the group's place in the order (the product's operands stay live until then). A group
 * that reads a donated input (`donated`: variable ids) of its own shape to compute a result stays
 * apart: the product would be written over the input before the group reads it, and apart the
 * result can be written in place of the input (`donation.ts`), as a parameter update is.
 */
export const attachEpilogues = (
  ir: IR,
  units: readonly Unit[],
  donated: ReadonlySet<number> = new Set(),
): Unit[] => {
  const uses = new Map<number, number>()
  for (const unit of units)
    for (const input of unitInputs(unit))
      if (input.kind === 'var') uses.set(input.id, (uses.get(input.id) ?? 0) + 1)
  for (const out of ir.outputs) if (out.kind === 'var') uses.set(out.id, Infinity)
  const readers = new Map<number, FusedUnit>()
  for (const unit of units)
    if (unit.kind === 'fused')
      for (const operand of unit.operands) if (operand.kind === 'var') readers.set(operand.id, unit)
  const merged = new Map<FusedUnit, Unit>()
  const absorbed = new Set<Unit>()
  for (const unit of units) {
    if (unit.kind !== 'single' || unit.equation.prim.name !== 'matmul') continue
    const product = unit.equation.outputs[0]!
    const { k } = matmulSizes(unit.equation)
    if (product.shape.length !== 2 || k === 0 || sizeOf(product.shape) === 0) continue
    const group = readers.get(product.id)
    // one product per group (a group that adds two products takes the first as its epilogue)
    if (
      group === undefined ||
      merged.has(group) ||
      uses.get(product.id) !== 1 ||
      (ir.outputs.includes(group.output) &&
        group.operands.some(
          (o) => o.kind === 'var' && donated.has(o.id) && shapesEqual(o.shape, product.shape),
        )) ||
      epilogueLayouts(group, product) === undefined
    )
      continue
    merged.set(group, { kind: 'epilogue', equation: unit.equation, fused: group })
    absorbed.add(unit)
  }
  return units.filter((u) => !absorbed.has(u)).map((u) => (u.kind === 'fused' ? (merged.get(u) ?? u) : u))
}

/** The step of a merged unit: the product into the group's output buffer, then the group in place. */
export const epilogueStep = (unit: Extract<Unit, { kind: 'epilogue' }>, buffers: Buffers): (() => void) => {
  const eq = unit.equation
  const product = eq.outputs[0]!
  const [a, b] = eq.inputs as [Atom, Atom]
  const { transposeA, transposeB } = eq.params as { transposeA: boolean; transposeB: boolean }
  const { m, n, k } = matmulSizes(eq)
  const double = product.dtype === 'float64'
  const precision = double ? 'f64' : 'f32'
  const e = double ? 8 : 4
  const kernel = double ? buffers.arena.kernels.f64 : buffers.arena.kernels.f32
  const [rsA, csA] = transposeA ? [1, m] : [k, 1]
  const [rsB, csB] = transposeB ? [1, k] : [n, 1]
  const [aAt, bAt, cAt] = [buffers.address(a), buffers.address(b), buffers.address(unit.fused.output)]
  const layouts = epilogueLayouts(unit.fused, product)!
  const operandAt = unit.fused.operands.map((o) =>
    o.kind === 'var' && o.id === product.id ? cAt : buffers.address(o),
  )
  const epilogue = buffers.arena.fused({ precision, layouts, root: unit.fused.expression })
  // the epilogue over rows [first, first + rows): full operands and columns advance with the rows
  const blockArgs = (first: number, rows: number): number[] => [
    ...operandAt.map((at, j) =>
      layouts[j] === 'full' ? at + first * n * e : layouts[j] === 'column' ? at + first * e : at,
    ),
    cAt + first * n * e,
    rows,
    n,
  ]
  const scratch = buffers.scratch
  const shared = buffers.splits.has(eq) ? buffers.shared : undefined
  const keep = buffers.keptPacking(eq)
  if (keep !== undefined) {
    const call = { precision, a: aAt, rowStrideA: rsA, colStrideA: csA, b: bAt, rowStrideB: rsB } as const
    const blockArgsOf = Array.from({ length: Math.ceil(m / rowsPerBlock) }, (_, i) =>
      blockArgs(i * rowsPerBlock, Math.min(rowsPerBlock, m - i * rowsPerBlock)),
    )
    const all = blockArgs(0, m)
    return keptProduct({ ...call, colStrideB: csB, c: cAt, m, n, k, scratch }, keep, kernel, shared, {
      rowsPerBlock,
      block: (i) => epilogue(...blockArgsOf[i]!),
      all: () => epilogue(...all),
    })
  }
  if (shared !== undefined) {
    const call = { precision, a: aAt, rowStrideA: rsA, colStrideA: csA, b: bAt, rowStrideB: rsB } as const
    const split = { ...call, colStrideB: csB, c: cAt, m, n, k, scratch }
    const all = blockArgs(0, m)
    const single = () => kernel.gemm(aAt, rsA, csA, bAt, rsB, csB, cAt, n, m, n, k, scratch)
    return () => {
      runSplittable(shared, split, single)
      epilogue(...all)
    }
  }
  const blocks = Array.from({ length: Math.ceil(m / rowsPerBlock) }, (_, i) => {
    const first = i * rowsPerBlock
    const rows = Math.min(rowsPerBlock, m - first)
    return { a: aAt + first * rsA * e, c: cAt + first * n * e, rows, args: blockArgs(first, rows) }
  })
  return () => {
    for (const block of blocks) {
      kernel.gemm(block.a, rsA, csA, bAt, rsB, csB, block.c, n, block.rows, n, k, scratch)
      epilogue(...block.args)
    }
  }
}
