/**
 * Donation: which results of a plan may be written over the buffer of an input the caller gave up
 * (`jit(f, { donate })`, JAX's `donate_argnums`). A result takes a donated input's buffer when it has
 * the input's shape and dtype and the unit that writes it runs after every unit that reads the input
 * (an input that is itself a result, or a reshape of one, is read to the end),
 * or is that last reader itself and reads each element before it writes the same element (a fused
 * elementwise kernel over the whole input, or a primitive's own forward, which finishes before its
 * result is copied in; not one that writes into the buffer as it goes, `forwardInto`). A step that
 * updates parameters (`w - lr·g`) is the common case: its new parameters land where the old ones
 * were, so the step copies nothing in or out for them.
 *
 * @module jit/donation
 */
import { shapesEqual } from '../tensor/internal.js'
import { ownersOf, unitInputs, unitOutput } from './buffers.js'
import type { Unit } from './fusion.js'
import { type IR, shapeOf, type Var } from './ir.js'

// single steps that read and write their buffers in an order of their own (see steps.ts), as do
// the primitives with a `forwardInto`
const ordered = new Set(['matmul', 'sum', 'softmax', 'logSoftmax', 'transpose', 'cast'])

/**
 * Pairs results with donated inputs (`donated`: input variable ids): result variable id → the
 * donated input whose buffer it is written into.
 */
export const pairDonations = (
  ir: IR,
  units: readonly Unit[],
  donated: ReadonlySet<number>,
): Map<number, Var> => {
  const pairs = new Map<number, Var>()
  if (donated.size === 0) return pairs
  const ownerOf = ownersOf(units)
  const reads = (unit: Unit, v: Var) =>
    unitInputs(unit).filter((a) => {
      const o = ownerOf(a)
      return o.kind === 'var' && o.id === v.id
    })
  const inputIds = new Set(ir.inputs.map((v) => v.id))
  const writer = new Map<number, number>()
  units.forEach((unit, i) => {
    writer.set(unitOutput(unit).id, i)
  })
  const taken = new Set<number>()
  for (const v of ir.inputs) {
    // a donated input that is a result itself (or shares its buffer with one) is needed to the end
    if (!donated.has(v.id) || ir.outputs.some((o) => ownerOf(o) === v)) continue
    let lastRead = -1
    units.forEach((unit, i) => {
      if (reads(unit, v).length > 0) lastRead = i
    })
    const inPlace = (unit: Unit, result: Var): boolean =>
      unit.kind === 'fused'
        ? reads(unit, v).every((a) => shapesEqual(shapeOf(a), result.shape))
        : unit.kind === 'single' &&
          !ordered.has(unit.equation.prim.name) &&
          unit.equation.prim.forwardInto === undefined
    const result = ir.outputs.find((out): out is Var => {
      if (out.kind !== 'var' || taken.has(out.id) || inputIds.has(out.id) || ownerOf(out) !== out)
        return false
      if (ir.outputs.filter((o) => o.kind === 'var' && o.id === out.id).length > 1) return false
      if (out.dtype !== v.dtype || !shapesEqual(out.shape, v.shape)) return false
      const at = writer.get(out.id)
      return at !== undefined && (lastRead < at || (lastRead === at && inPlace(units[at]!, out)))
    })
    if (result === undefined) continue
    taken.add(result.id)
    pairs.set(result.id, v)
  }
  return pairs
}
