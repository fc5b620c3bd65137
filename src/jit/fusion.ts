/**
 * Fusion: groups elementwise equations into units that run as one generated kernel. A group has one
 * output shape and dtype; an equation joins the group of an operand when that operand is made by a
 * fusible equation of the same shape and dtype and nothing else reads it (not another equation, not
 * the IR's outputs; an equation that reads it twice, as `x·x`, is one reader), so no intermediate of
 * a group ever needs a buffer. Fusible: primitives that
 * declare an elementwise `expression`, `where`, and `broadcastTo` (a broadcast is just how the
 * kernel indexes an operand).
 *
 * Values of at most `smallValueSize` elements fuse further: a chain of tiny ops (a per-op overhead
 * benchmark, a scalar schedule, a loss tail) is mostly values that two equations read, e.g. a
 * forward value its backward pass reads again, and one-reader groups cut such a chain into a unit
 * every few ops, each costing a call. Here an equation may join the group of an operand that other
 * equations read too; that member's value is then also written to its buffer (`exposed`), and a
 * group that another unit reads a member of is closed (it runs before that reader), so every reader
 * still runs after the value is written. Such a group's expression may share nodes (a DAG), so it
 * runs as a JavaScript loop, which evaluates each node once.
 *
 * @module jit/fusion
 */
import { type FusedExpression, shapesEqual, sizeOf, storage } from '../tensor/internal.js'
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
      /** Members' values other units (or the IR's outputs) read: written to their buffers too. */
      readonly exposed: readonly Exposure[]
      /** Formed under the small-value rule: the expression may share nodes; runs in JavaScript. */
      readonly smallValues: boolean
    }
  | { readonly kind: 'single'; readonly equation: Equation }
  | {
      /** A matmul whose product only a fused group reads: the group runs as the product's epilogue. */
      readonly kind: 'epilogue'
      readonly equation: Equation
      readonly fused: FusedUnit
    }
  | {
      /** A sum over one run of axes of a fused group's output, its only reader: summed as computed. */
      readonly kind: 'reduction'
      readonly equation: Equation
      readonly fused: FusedUnit
    }

/** A member value a fused group writes besides its output, and the node that computes it. */
export interface Exposure {
  readonly variable: Var
  readonly node: FusedExpression
}

/**
 * Elements up to which a value may join a group although other equations read it too. Below 64
 * elements the eager back end runs the same JavaScript expressions (its `smallSize`), so such a
 * group gives the eager values bit for bit.
 */
export const smallValueSize = 32

/**
 * Members at most in a group of small values: its kernel (a JavaScript loop where an op has no
 * WebAssembly form, e.g. sin) stays small enough for the engine to optimise; one loop of a
 * thousand ops ran slower than a hundred loops of ten.
 */
export const smallGroupMembers = 48

/**
 * Nodes at most in the expression tree of a group whose member reads another member's value twice,
 * counting a shared subtree once per path to it (x·x: the kernels compute x once, but the compile
 * cache's key and the emitters' walks visit it once per path).
 */
export const maxTreeNodes = 64

/** The distinct variables an equation reads. */
const varIds = (eq: Equation): Set<number> =>
  new Set(eq.inputs.flatMap((a) => (a.kind === 'var' ? [a.id] : [])))

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
  // readers of each value: equations (one that reads it twice, as x·x, counts once) and outputs
  const uses = new Map<number, number>()
  for (const eq of ir.equations) for (const id of varIds(eq)) uses.set(id, (uses.get(id) ?? 0) + 1)
  for (const out of ir.outputs) if (out.kind === 'var') uses.set(out.id, Infinity)
  // nodes of each group's expression tree (by root), where a value read twice is written twice
  const treeSize = new Map<Equation, number>()
  const producer = new Map<number, Equation>()
  // groups by their current root (last member); the root each member's value belongs to
  const groupOf = new Map<Equation, Equation[]>()
  const rootOf = new Map<number, Equation>()
  // roots of groups that take no more members (a unit outside reads one of their values)
  const closed = new Set<Equation>()
  const small = new Set<Equation>()
  for (const eq of ir.equations) {
    const out = eq.outputs[0]!
    producer.set(out.id, eq)
    const joined: Equation[] = []
    let smallJoin = false
    let size = 1
    if (fusion && fusible(eq))
      for (const input of eq.inputs) {
        if (input.kind !== 'var') continue
        const from = producer.get(input.id)
        const group = from === undefined ? undefined : groupOf.get(from)
        if (group === undefined || closed.has(from!) || joined.includes(from!)) continue
        if (!shapesEqual(input.shape, out.shape) || input.dtype !== out.dtype) continue
        const onlyReader = uses.get(input.id) === 1
        const tiny = sizeOf(out.shape) <= smallValueSize
        if (!onlyReader && !tiny) continue
        if (tiny && size + group.length > smallGroupMembers) continue
        // a tree that writes a group twice (x·x) doubles it (its key and the kernels' recursion
        // walk the tree): bounded, so x ↦ x·x repeated cannot grow a kernel exponentially
        const reads = eq.inputs.filter((a) => a.kind === 'var' && a.id === input.id).length
        if (reads > 1 && !tiny && reads * treeSize.get(from!)! > maxTreeNodes) continue
        joined.push(from!)
        size += group.length
        smallJoin ||= !onlyReader || small.has(from!)
      }
    // a group this equation reads a value of without joining it runs before it: close it
    for (const input of eq.inputs) {
      const root = input.kind === 'var' ? rootOf.get(input.id) : undefined
      if (root !== undefined && !joined.includes(root)) closed.add(root)
    }
    if (!fusible(eq)) continue
    let members: Equation[] = [eq]
    for (const from of joined) {
      members = [...groupOf.get(from)!, ...members]
      groupOf.delete(from)
      small.delete(from)
    }
    groupOf.set(eq, members)
    treeSize.set(
      eq,
      eq.inputs.reduce((n, a) => {
        const from = a.kind === 'var' ? producer.get(a.id) : undefined
        return n + (from !== undefined && joined.includes(from) ? treeSize.get(from)! : 1)
      }, 1),
    )
    if (smallJoin) small.add(eq)
    for (const m of members) rootOf.set(m.outputs[0]!.id, eq)
  }
  const units: Unit[] = []
  const grouped = new Set<Equation>()
  for (const members of groupOf.values()) for (const m of members) grouped.add(m)
  for (const eq of ir.equations) {
    const members = groupOf.get(eq)
    if (members !== undefined) units.push(fuse(members, small.has(eq), uses))
    else if (!grouped.has(eq)) units.push({ kind: 'single', equation: eq })
  }
  return units
}

/**
 * The expression of a group (rooted at its last member) over its external operands. Each member's
 * node is built once and shared by every member that reads it (x·x reads one node twice: the
 * kernels evaluate it once per element); under the small-value rule, members read outside the
 * group are exposed.
 */
const fuse = (
  members: readonly Equation[],
  smallValues: boolean,
  uses: ReadonlyMap<number, number>,
): Unit => {
  const root = members.at(-1)!
  const made = new Map<number, Equation>(members.map((m) => [m.outputs[0]!.id, m]))
  const nodes = new Map<number, FusedExpression>()
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
    const id = member.outputs[0]!.id
    let node = nodes.get(id)
    if (node === undefined) nodes.set(id, (node = expressionOf(member, build)))
    return node
  }
  const expression = expressionOf(root, build)
  const exposed: Exposure[] = []
  if (smallValues) {
    const readsInside = new Map<number, number>()
    for (const m of members)
      for (const id of varIds(m)) if (made.has(id)) readsInside.set(id, (readsInside.get(id) ?? 0) + 1)
    for (const m of members.slice(0, -1)) {
      const variable = m.outputs[0]!
      if ((uses.get(variable.id) ?? 0) > (readsInside.get(variable.id) ?? 0))
        exposed.push({ variable, node: nodes.get(variable.id)! })
    }
  }
  return { kind: 'fused', operands, expression, output: root.outputs[0]!, members, exposed, smallValues }
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
