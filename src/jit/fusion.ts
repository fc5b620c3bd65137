/**
 * Fusion: groups elementwise equations into units that run as one generated kernel. A group has one
 * output shape and dtype; an equation joins the group of an operand when that operand is made by a
 * fusible equation of the same shape and dtype and nothing else reads it (not another equation, not
 * the IR's outputs), so no intermediate of a group ever needs a buffer. Fusible: primitives that
 * declare an elementwise `expression`, `where`, and `broadcastTo` (a broadcast is just how the
 * kernel indexes an operand).
 *
 * @module jit/fusion
 */
import { type FusedExpression, shapesEqual, storage } from '../tensor/internal.js'
import { type Atom, dtypeOf, type Equation, type IR, shapeOf, type Var } from './ir.js'

/** A unit of the plan: a fused group of elementwise equations, or one other equation. */
export type Unit =
  | {
      readonly kind: 'fused'
      /** The operands the kernel reads (variables or constants), in `operand` index order. */
      readonly operands: readonly Atom[]
      readonly expression: FusedExpression
      readonly output: Var
      readonly members: readonly Equation[]
    }
  | { readonly kind: 'single'; readonly equation: Equation }
  | {
      /** A matmul whose product only a fused group reads: the group runs as the product's epilogue. */
      readonly kind: 'epilogue'
      readonly equation: Equation
      readonly fused: FusedUnit
    }

/** A fused group. */
export type FusedUnit = Extract<Unit, { kind: 'fused' }>

const fusible = (eq: Equation): boolean => {
  const out = eq.outputs[0]!
  const fitsDType = eq.inputs.every((a) => dtypeOf(a) === out.dtype)
  return (
    fitsDType &&
    (eq.prim.expression !== undefined || eq.prim.name === 'where' || eq.prim.name === 'broadcastTo')
  )
}

/** Splits the IR's equations into units, in an order that respects every dependency. */
export const planUnits = (ir: IR, fusion: boolean): Unit[] => {
  const uses = new Map<number, number>()
  const count = (a: Atom) => {
    if (a.kind === 'var') uses.set(a.id, (uses.get(a.id) ?? 0) + 1)
  }
  for (const eq of ir.equations) eq.inputs.forEach(count)
  for (const out of ir.outputs) if (out.kind === 'var') uses.set(out.id, Infinity)
  const producer = new Map<number, Equation>()
  const groupOf = new Map<Equation, Equation[]>()
  for (const eq of ir.equations) {
    const out = eq.outputs[0]!
    producer.set(out.id, eq)
    if (!fusible(eq)) continue
    let members: Equation[] = [eq]
    if (fusion)
      for (const input of eq.inputs) {
        if (input.kind !== 'var' || uses.get(input.id) !== 1) continue
        const from = producer.get(input.id)
        const group = from === undefined ? undefined : groupOf.get(from)
        if (group === undefined || !shapesEqual(input.shape, out.shape) || input.dtype !== out.dtype) continue
        members = [...group, ...members]
        groupOf.delete(from!)
      }
    groupOf.set(eq, members)
  }
  const units: Unit[] = []
  const grouped = new Set<Equation>()
  for (const members of groupOf.values()) for (const m of members) grouped.add(m)
  for (const eq of ir.equations) {
    const members = groupOf.get(eq)
    if (members !== undefined) units.push(fuse(members))
    else if (!grouped.has(eq)) units.push({ kind: 'single', equation: eq })
  }
  return units
}

/** The expression tree of a group (rooted at its last member) over its external operands. */
const fuse = (members: readonly Equation[]): Unit => {
  const root = members.at(-1)!
  const made = new Map<number, Equation>(members.map((m) => [m.outputs[0]!.id, m]))
  const operands: Atom[] = []
  const operandIndex = (atom: Atom): number => {
    const found = operands.findIndex((o) =>
      o.kind === 'var'
        ? atom.kind === 'var' && atom.id === o.id
        : atom.kind === 'const' && atom.value === o.value,
    )
    if (found >= 0) return found
    operands.push(atom)
    return operands.length - 1
  }
  const build = (atom: Atom): FusedExpression => {
    if (atom.kind === 'const' && atom.value.size === 1)
      return { kind: 'constant', value: storage(atom.value)[0]! }
    const member = atom.kind === 'var' ? made.get(atom.id) : undefined
    if (member === undefined) return { kind: 'operand', index: operandIndex(atom) }
    return expressionOf(member, build)
  }
  return { kind: 'fused', operands, expression: expressionOf(root, build), output: root.outputs[0]!, members }
}

const expressionOf = (eq: Equation, build: (a: Atom) => FusedExpression): FusedExpression => {
  const [a, b, c] = eq.inputs
  if (eq.prim.name === 'broadcastTo') return build(a!)
  if (eq.prim.name === 'where') return { kind: 'where', condition: build(a!), x: build(b!), y: build(c!) }
  const { name } = eq.prim
  const expression = eq.prim.expression!
  return b === undefined
    ? { kind: 'unary', name, expression, x: build(a!) }
    : { kind: 'binary', name, expression, x: build(a!), y: build(b) }
}

/** The shape each operand is read at (for layouts and strides). */
export const operandShapes = (unit: Extract<Unit, { kind: 'fused' }>): readonly (readonly number[])[] =>
  unit.operands.map(shapeOf)
