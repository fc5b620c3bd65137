/**
 * Reductions fused into their elementwise chains: a `sum` over one run of neighbouring axes whose
 * operand is a fused group's output, read by nothing else, becomes one step that computes the
 * group's values and sums them as it goes (`fusedSum.ts`) — a loss `sum(square(p − y))`, a norm,
 * `fit`'s finiteness check `sum(x · 0)`, a batch statistic `sum(square(x − μ), 0)`. The group's
 * values never get a buffer: the step reads the group's operands once and writes only the sums.
 *
 * The sums are bit for bit those of the two steps it replaces (the group's kernel, then the sum
 * kernel). Qualify: groups with a WebAssembly form under a sum whose axes are one run — ending at
 * the last axis (rows: operands laid out as the values, a row, a column or a scalar) or before it
 * (columns: the values, a row of the axes after the run, or a scalar). A sum over axes that are
 * not neighbours (a convolution's bias gradient over [0, 2, 3]) stays two steps.
 *
 * @module jit/reduction
 */
import { canFuse, type OperandLayout, sizeOf } from '../tensor/internal.js'
import type { Buffers } from './buffers.js'
import type { FusedUnit, Unit } from './fusion.js'
import { type Equation, type IR, shapeOf } from './ir.js'
import { bindArguments, layoutAt } from './kernels.js'

/**
 * How a sum over one run of neighbouring axes reads its operand: rows (the run ends at the last
 * axis: `[outer, inner]` values, each row summed) or columns (`[outer, middle, inner]` values,
 * the middle axis summed); undefined for axes that are not one run.
 */
const sumShape = (
  eq: Equation,
):
  | { kind: 'rows'; split: number }
  | { kind: 'columns'; outer: number; middle: number; inner: number }
  | undefined => {
  const { axes } = eq.params as { axes: readonly number[] }
  const shape = shapeOf(eq.inputs[0]!)
  const [first, last] = [axes[0], axes.at(-1)]
  if (first === undefined || last === undefined || last - first + 1 !== axes.length) return undefined
  if (last === shape.length - 1) return { kind: 'rows', split: first }
  const size = (from: number, to: number) => sizeOf(shape.slice(from, to))
  return {
    kind: 'columns',
    outer: size(0, first),
    middle: size(first, last + 1),
    inner: size(last + 1, shape.length),
  }
}

/** How a group's operands are laid out under a sum, with the kernel's size arguments; undefined when it cannot be fused. */
const reductionLayout = (
  group: FusedUnit,
  sum: Equation,
): { kind: 'rows' | 'columns'; sizes: number[]; layouts: OperandLayout[] } | undefined => {
  const precision = group.output.dtype === 'float64' ? 'f64' : 'f32'
  if (group.smallValues || group.exposed.length > 0 || !canFuse(precision, group.expression)) return undefined
  const how = sumShape(sum)
  if (how === undefined) return undefined
  const out = group.output.shape
  if (how.kind === 'rows') {
    const layout = layoutAt(out, group.operands.map(shapeOf), how.split)
    return layout && { kind: 'rows', sizes: [layout.outer, layout.inner], layouts: layout.layouts }
  }
  // columns: each operand is the values, a row of the axes after the run, or a scalar
  const rank = out.length
  // the first axis after the summed run
  const after = (sum.params as { axes: readonly number[] }).axes.at(-1)! + 1
  const layouts: OperandLayout[] = []
  for (const operand of group.operands) {
    const shape = [...Array<number>(rank - shapeOf(operand).length).fill(1), ...shapeOf(operand)]
    if (shape.every((d) => d === 1)) layouts.push('scalar')
    else if (shape.every((d, i) => d === out[i])) layouts.push('full')
    else if (shape.every((d, i) => (i < after ? d === 1 : d === out[i]))) layouts.push('row')
    else return undefined
  }
  return { kind: 'columns', sizes: [how.outer, how.middle, how.inner], layouts }
}

/**
 * Merges each sum over one run of axes with the fused group whose output it alone reads; the merged
 * unit takes the sum's place in the order (the group's operands stay live until then).
 */
export const attachReductions = (ir: IR, units: readonly Unit[]): Unit[] => {
  const uses = new Map<number, number>()
  for (const eq of ir.equations)
    for (const input of eq.inputs) if (input.kind === 'var') uses.set(input.id, (uses.get(input.id) ?? 0) + 1)
  for (const out of ir.outputs) if (out.kind === 'var') uses.set(out.id, Infinity)
  const groups = new Map<number, FusedUnit>()
  for (const unit of units) if (unit.kind === 'fused') groups.set(unit.output.id, unit)
  const merged = new Map<Unit, Unit>()
  const absorbed = new Set<Unit>()
  for (const unit of units) {
    if (unit.kind !== 'single' || unit.equation.prim.name !== 'sum') continue
    const input = unit.equation.inputs[0]!
    if (input.kind !== 'var') continue
    const group = groups.get(input.id)
    if (
      group === undefined ||
      uses.get(input.id) !== 1 ||
      reductionLayout(group, unit.equation) === undefined
    )
      continue
    merged.set(unit, { kind: 'reduction', equation: unit.equation, fused: group })
    absorbed.add(group)
  }
  return units.filter((u) => !absorbed.has(u)).map((u) => merged.get(u) ?? u)
}

/** The step of a merged unit: the group's summing kernel, from its operands to the sums. */
export const reductionStep = (unit: Extract<Unit, { kind: 'reduction' }>, buffers: Buffers): (() => void) => {
  const { fused } = unit
  const { kind, sizes, layouts } = reductionLayout(fused, unit.equation)!
  const precision = fused.output.dtype === 'float64' ? 'f64' : 'f32'
  const kernel = buffers.arena.fused({ precision, layouts, root: fused.expression, sum: kind })
  const operands = fused.operands.map((o) => buffers.address(o))
  return bindArguments(kernel, [...operands, buffers.address(unit.equation.outputs[0]!), ...sizes])
}
