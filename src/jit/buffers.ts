/**
 * Buffer planning: every value of a plan gets a byte range of the plan's WebAssembly memory, laid
 * out once at compile time. A value's range is reused as soon as its last reader has run (liveness
 * over the units, in order); a reshape shares its operand's range (same bytes, another shape);
 * constants keep theirs for the plan's lifetime (they are loaded once); inputs keep theirs too (an
 * input given again as the same tensor is not copied in again); outputs keep theirs to the end of a
 * run; a result paired with a donated input (`donation.ts`) is written into that input's range.
 * Ranges are 16-byte aligned (v128 loads).
 *
 * @module jit/buffers
 */
import { type Arena, type SharedArena, sizeOf } from '../tensor/internal.js'
import type { Unit } from './fusion.js'
import type { Atom, Equation, IR, Var } from './ir.js'

/**
 * What a step needs: the kernels and fused-kernel compiler of the plan's memory, the shared arena
 * when the plan lives in it (its products may use helper threads), the scratch address, and each
 * atom's address and view.
 */
export interface Buffers {
  readonly arena: Pick<Arena, 'kernels' | 'fused'>
  readonly shared: SharedArena | undefined
  /** The products split across the shared arena's helper threads (decided once, scratch sized for them). */
  readonly splits: ReadonlySet<Equation>
  readonly scratch: number
  address(atom: Atom): number
  view(atom: Atom): Float32Array | Float64Array
  /** The range a product's packed op(B) is kept in across runs, when it has one. */
  keptPacking(eq: Equation): KeptPacking | undefined
}

/**
 * A range of the plan's memory that keeps a product's op(B) packed across runs: op(B) is an input
 * or a constant, whose range changes only when a run copies a new tensor in. `version` tells which
 * values it holds now (constants: always the same), so a weight matrix given again as the same
 * tensor is not packed again.
 */
export interface KeptPacking {
  /** Byte address of the packed op(B) (`packedSize` elements of the product's precision). */
  readonly at: number
  /** Changes whenever a run copies other values into op(B)'s range. */
  version(): number
}

/** Where each value lives. */
export interface Layout {
  /** Byte address of each variable (by id). */
  readonly variables: ReadonlyMap<number, number>
  /** Byte address of each constant tensor (by identity). */
  readonly constants: ReadonlyMap<object, number>
  /** Bytes the buffers span. */
  readonly bytes: number
}

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16
const bytesOf = (v: { shape: readonly number[]; dtype: string }) =>
  align16(Math.max(1, sizeOf(v.shape)) * (v.dtype === 'float64' ? 8 : 4))

/** The atoms a unit reads. */
export const unitInputs = (unit: Unit): readonly Atom[] => {
  if (unit.kind === 'fused') return unit.operands
  if (unit.kind === 'single') return unit.equation.inputs
  // the group's values are summed as they are computed: they have no buffer
  if (unit.kind === 'reduction') return unit.fused.operands
  // the product itself lives in the epilogue's output buffer
  const product = unit.equation.outputs[0]!.id
  return [...unit.equation.inputs, ...unit.fused.operands.filter((a) => a.kind !== 'var' || a.id !== product)]
}

/** The variable a unit writes. */
export const unitOutput = (unit: Unit): Var =>
  unit.kind === 'single' || unit.kind === 'reduction'
    ? unit.equation.outputs[0]!
    : unit.kind === 'fused'
      ? unit.output
      : unit.fused.output

/** Every variable a unit writes: its output, and a fused group's exposed member values. */
export const unitOutputs = (unit: Unit): readonly Var[] =>
  unit.kind === 'fused' && unit.exposed.length > 0
    ? [unit.output, ...unit.exposed.map((e) => e.variable)]
    : [unitOutput(unit)]

const isReshape = (unit: Unit): unit is Extract<Unit, { kind: 'single' }> =>
  unit.kind === 'single' &&
  (unit.equation.prim.name === 'reshape' || unit.equation.prim.name === 'stopGradient')

/**
 * The value whose buffer an atom lives in: a reshape's (or stopGradient's) output is its operand's
 * buffer, followed through chains of them; any other atom is its own.
 */
export const ownersOf = (units: readonly Unit[]): ((a: Atom) => Atom) => {
  const owner = new Map<number, Atom>()
  const ownerOf = (a: Atom): Atom => (a.kind === 'var' ? (owner.get(a.id) ?? a) : a)
  for (const unit of units)
    if (isReshape(unit)) owner.set(unitOutput(unit).id, ownerOf(unit.equation.inputs[0]!))
  return ownerOf
}

/**
 * Lays out the buffers of `units` (which compute `ir`); `pairs` maps a result to the donated input
 * whose range it is written into.
 */
export const planBuffers = (
  ir: IR,
  units: readonly Unit[],
  pairs: ReadonlyMap<number, Var> = new Map(),
): Layout => {
  const ownerOf = ownersOf(units)
  const keyOf = (a: Atom): number | object => (a.kind === 'var' ? a.id : a.value)
  const lastUse = new Map<number | object, number>()
  units.forEach((unit, i) => {
    for (const input of unitInputs(unit)) lastUse.set(keyOf(ownerOf(input)), i)
  })
  for (const out of ir.outputs) lastUse.set(keyOf(ownerOf(out)), Infinity)

  const variables = new Map<number, number>()
  const constants = new Map<object, number>()
  let top = 0
  const free: { at: number; bytes: number }[] = []
  const take = (bytes: number): number => {
    const fit = free.findIndex((b) => b.bytes >= bytes)
    if (fit < 0) {
      const at = top
      top += bytes
      return at
    }
    const block = free[fit]!
    if (block.bytes === bytes) free.splice(fit, 1)
    else free[fit] = { at: block.at + bytes, bytes: block.bytes - bytes }
    return block.at
  }
  const release = (key: number | object, bytes: number, at: number) => {
    if (lastUse.get(key) === Infinity) return
    free.push({ at, bytes })
  }
  // constants first (never freed), then inputs
  for (const unit of units)
    for (const input of unitInputs(unit))
      if (input.kind === 'const' && !constants.has(input.value)) {
        constants.set(input.value, top)
        top += bytesOf(input.value)
      }
  for (const v of ir.inputs) variables.set(v.id, take(bytesOf(v)))
  const inputIds = new Set(ir.inputs.map((v) => v.id))
  const released = new Set<number | object>()
  units.forEach((unit, i) => {
    const out = unitOutput(unit)
    if (isReshape(unit)) {
      const source = ownerOf(out)
      variables.set(out.id, source.kind === 'var' ? variables.get(source.id)! : constants.get(source.value)!)
    } else
      for (const written of unitOutputs(unit)) {
        const donor = pairs.get(written.id)
        variables.set(written.id, donor === undefined ? take(bytesOf(written)) : variables.get(donor.id)!)
      }
    for (const input of unitInputs(unit)) {
      const source = ownerOf(input)
      const key = keyOf(source)
      if (source.kind !== 'var' || inputIds.has(source.id) || released.has(key) || lastUse.get(key) !== i)
        continue
      released.add(key)
      release(key, bytesOf(source), variables.get(source.id)!)
    }
  })
  return { variables, constants, bytes: top }
}
