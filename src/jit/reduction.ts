/**
 * Reductions fused into their elementwise chains: a `sum` over trailing axes whose operand is a
 * fused group's output, read by nothing else, becomes one step that computes the group's values
 * and sums each row of them as it goes (`fusedSum.ts`) — a loss `sum(square(p - y))`, a norm,
 * `fit`'s finiteness check `sum(x · 0)`. The group's values never get a buffer: the step reads the
 * group's operands once and writes only the sums.
 *
 * The sums are bit for bit those of the two steps it replaces (the group's kernel, then the row-sum
 * kernel). Qualify: sums over the last axes (each output is one contiguous row of the group's
 * values) of a group with a WebAssembly form whose operands are laid out over those rows as the
 * values, a row, a column or a scalar. A sum over leading or middle axes (a bias gradient) stays
 * two steps.
 *
 * @module jit/reduction
 */
import { canFuse, type OperandLayout } from '../tensor/internal.js'
import type { Buffers } from './buffers.js'
import type { FusedUnit, Unit } from './fusion.js'
import { type Equation, type IR, shapeOf } from './ir.js'
import { bindArguments, layoutAt } from './kernels.js'

/** The axis a sum over trailing axes starts at, or undefined when its axes are not the last ones. */
const firstSummedAxis = (eq: Equation): number | undefined => {
  const { axes } = eq.params as { axes: readonly number[] }
  const rank = shapeOf(eq.inputs[0]!).length
  if (axes.length === 0 || axes.some((a, i) => a !== rank - axes.length + i)) return undefined
  return axes[0]
}

/** The `[rows, row length]` layout of a group under a sum starting at `axis`, when it can be fused. */
const reductionLayout = (
  group: FusedUnit,
  axis: number,
): { outer: number; inner: number; layouts: OperandLayout[] } | undefined => {
  const precision = group.output.dtype === 'float64' ? 'f64' : 'f32'
  if (group.smallValues || group.exposed.length > 0 || !canFuse(precision, group.expression)) return undefined
  return layoutAt(group.output.shape, group.operands.map(shapeOf), axis)
}

/**
 * Merges each sum over trailing axes with the fused group whose output it alone reads; the merged
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
    const axis = firstSummedAxis(unit.equation)
    const group = groups.get(input.id)
    if (
      group === undefined ||
      axis === undefined ||
      uses.get(input.id) !== 1 ||
      reductionLayout(group, axis) === undefined
    )
      continue
    merged.set(unit, { kind: 'reduction', equation: unit.equation, fused: group })
    absorbed.add(group)
  }
  return units.filter((u) => !absorbed.has(u)).map((u) => merged.get(u) ?? u)
}

/** The step of a merged unit: the group's row-summing kernel, from its operands to the sums. */
export const reductionStep = (unit: Extract<Unit, { kind: 'reduction' }>, buffers: Buffers): (() => void) => {
  const { fused } = unit
  const { outer, inner, layouts } = reductionLayout(fused, firstSummedAxis(unit.equation)!)!
  const precision = fused.output.dtype === 'float64' ? 'f64' : 'f32'
  const kernel = buffers.arena.fused({ precision, layouts, root: fused.expression, sumRows: true })
  const operands = fused.operands.map((o) => buffers.address(o))
  return bindArguments(kernel, [...operands, buffers.address(unit.equation.outputs[0]!), outer, inner])
}
