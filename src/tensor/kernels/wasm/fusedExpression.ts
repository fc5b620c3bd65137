/**
 * What a fused kernel computes — a tree of elementwise ops over a few operands, each laid out over
 * an `[outer, inner]` output — and the emitter of that tree, shared by the elementwise kernel
 * (`fused.ts`) and the row-summing one (`fusedSum.ts`). The ops are the back end's own lane-wise
 * expressions (`elementwise.ts`, keyed by the primitive's name, bit-for-bit equal to the
 * reference), plus `where` and a float32 `tanh` (Eigen's rational approximation, a few ulps from
 * `Math.tanh`).
 *
 * @module kernels/wasm/fusedExpression
 */
import { binaryVectorOps, unaryVectorOps } from './elementwise.js'
import type { FunctionBuilder } from './encoder.js'
import type { Lanes, Precision } from './lanes.js'

/** A tree of elementwise ops over the kernel's operands. */
export type FusedExpression =
  | { readonly kind: 'operand'; readonly index: number }
  | { readonly kind: 'constant'; readonly value: number }
  | {
      readonly kind: 'unary'
      readonly name: string
      readonly expression: string
      readonly x: FusedExpression
    }
  | {
      readonly kind: 'binary'
      /** The primitive's name (the SIMD form is looked up by it). */
      readonly name: string
      /** The primitive's JavaScript expression (what a JavaScript loop computes). */
      readonly expression: string
      readonly x: FusedExpression
      readonly y: FusedExpression
    }
  | {
      readonly kind: 'where'
      readonly condition: FusedExpression
      readonly x: FusedExpression
      readonly y: FusedExpression
    }

/** How an operand varies over the `[outer, inner]` output. */
export type OperandLayout = 'full' | 'row' | 'column' | 'scalar'

/** What a fused kernel computes. */
export interface FusedSpec {
  readonly precision: Precision
  readonly layouts: readonly OperandLayout[]
  readonly root: FusedExpression
  /**
   * Sum the values instead of writing them (in float64, in the order of the back end's sum kernel,
   * so the sums are its sums bit for bit): `'rows'` sums each row of the `[outer, inner]` values
   * into `out[outer]`; `'columns'` sums the middle axis of `[outer, middle, inner]` values into
   * `out[outer, inner]` (operands `full`, `row` — `inner` values for every outer and middle
   * index — or `scalar`).
   */
  readonly sum?: 'rows' | 'columns'
}

/**
 * `fused(operand0, …, operandK, out, outer, inner)`, addresses in bytes; `out` holds `[outer, inner]`
 * values, or `outer` sums for a spec that sums rows. A spec that sums columns takes
 * `(operand0, …, operandK, out, outer, middle, inner)`.
 */
export type FusedFunction = (...args: number[]) => void

// Eigen's float tanh: x·P(x²)/Q(x²) on x clamped to ±7.9053, x itself where |x| < 0.0004
const tanhAlpha = [
  -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8,
  1.48572235717979e-5, 6.37261928875436e-4, 4.89352455891786e-3,
]
const tanhBeta = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3]

export const splatConstant = (f: FunctionBuilder, lanes: Lanes, value: number): void => {
  lanes.constant(f, value)
  f.op(lanes.splat)
}

/** Pushes tanh of the v128 local `x` (float32 only). */
const emitTanh = (f: FunctionBuilder, lanes: Lanes, x: number): void => {
  const [c, x2, p, q] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')]
  const bound = 7.905311107635498
  f.get(x)
  splatConstant(f, lanes, bound)
  f.op(lanes.vector('min'))
  splatConstant(f, lanes, -bound)
  f.op(lanes.vector('max')).set(c)
  f.get(c).get(c).op(lanes.vector('mul')).set(x2)
  splatConstant(f, lanes, tanhAlpha[0]!)
  f.set(p)
  for (const a of tanhAlpha.slice(1)) {
    f.get(p).get(x2).op(lanes.vector('mul'))
    splatConstant(f, lanes, a)
    f.op(lanes.vector('add')).set(p)
  }
  f.get(p).get(c).op(lanes.vector('mul')).set(p)
  splatConstant(f, lanes, tanhBeta[0]!)
  f.set(q)
  for (const b of tanhBeta.slice(1)) {
    f.get(q).get(x2).op(lanes.vector('mul'))
    splatConstant(f, lanes, b)
    f.op(lanes.vector('add')).set(q)
  }
  // bitselect(x, p / q, |x| < 0.0004)
  f.get(x)
  f.get(p).get(q).op(lanes.vector('div'))
  f.get(x).op(lanes.vector('abs'))
  splatConstant(f, lanes, 0.0004)
  f.op(lanes.vector('lt')).op('v128.bitselect')
}

/** Whether every op of the expression has a vector form in this precision. */
export const canFuse = (precision: Precision, root: FusedExpression): boolean => {
  switch (root.kind) {
    case 'operand':
    case 'constant':
      return true
    case 'unary':
      return (
        (root.name in unaryVectorOps || (root.name === 'tanh' && precision === 'f32')) &&
        canFuse(precision, root.x)
      )
    case 'binary':
      return root.name in binaryVectorOps && canFuse(precision, root.x) && canFuse(precision, root.y)
    case 'where':
      return canFuse(precision, root.condition) && canFuse(precision, root.x) && canFuse(precision, root.y)
  }
}

/**
 * Emits what a kernel does before its loops — constants splatted once, scalar operands loaded into
 * their `values` locals — and returns the emitter of the tree: it evaluates `root` from the operand
 * locals `values` (loaded by the caller) and returns the local holding the result. A node the tree
 * holds more than once (a DAG: x·x) is evaluated once per call.
 */
export const expressionEmitter = (
  f: FunctionBuilder,
  lanes: Lanes,
  spec: FusedSpec,
  values: readonly number[],
): (() => number) => {
  // constants are splatted once, before the loops (keyed so that −0 is not 0: a Map's keys are
  // compared as SameValueZero)
  const constants = new Map<number | string, number>()
  const constantKey = (v: number): number | string => (Object.is(v, -0) ? '-0' : v)
  const hoist = (node: FusedExpression): void => {
    if (node.kind === 'constant' && !constants.has(constantKey(node.value))) {
      const local = f.local('v128')
      splatConstant(f, lanes, node.value)
      f.set(local)
      constants.set(constantKey(node.value), local)
    } else if (node.kind === 'unary') hoist(node.x)
    else if (node.kind === 'binary') {
      hoist(node.x)
      hoist(node.y)
    } else if (node.kind === 'where') {
      hoist(node.condition)
      hoist(node.x)
      hoist(node.y)
    }
  }
  hoist(spec.root)
  spec.layouts.forEach((layout, j) => {
    if (layout === 'scalar') f.get(j).mem(lanes.splatLoad).set(values[j]!)
  })
  // the local of each node already evaluated in this pass (a node two members read is shared)
  let evaluated = new Map<FusedExpression, number>()
  const evaluate = (node: FusedExpression): number => {
    const known = evaluated.get(node)
    if (known !== undefined) return known
    const local = evaluateNode(node)
    evaluated.set(node, local)
    return local
  }
  const evaluateNode = (node: FusedExpression): number => {
    switch (node.kind) {
      case 'operand':
        return values[node.index]!
      case 'constant':
        return constants.get(constantKey(node.value))!
      case 'unary': {
        const x = evaluate(node.x)
        const result = f.local('v128')
        if (node.name === 'tanh') emitTanh(f, lanes, x)
        else unaryVectorOps[node.name]!(f, lanes, x, x)
        f.set(result)
        return result
      }
      case 'binary': {
        const x = evaluate(node.x)
        const y = evaluate(node.y)
        const result = f.local('v128')
        binaryVectorOps[node.name]!(f, lanes, x, y)
        f.set(result)
        return result
      }
      case 'where': {
        const c = evaluate(node.condition)
        const x = evaluate(node.x)
        const y = evaluate(node.y)
        const result = f.local('v128')
        f.get(x).get(y).get(c)
        splatConstant(f, lanes, 0)
        f.op(lanes.vector('ne')).op('v128.bitselect').set(result)
        return result
      }
    }
  }
  return () => {
    evaluated = new Map()
    return evaluate(spec.root)
  }
}

/** Whether an operand of this layout has a value per element of a row (full) or per column (row). */
export const varies = (layout: OperandLayout): boolean => layout === 'full' || layout === 'row'

/** Points the pointer of each `full` operand at its parameter: they run on across rows. */
export const pointFullOperands = (f: FunctionBuilder, spec: FusedSpec, pointers: readonly number[]): void =>
  spec.layouts.forEach((layout, j) => {
    if (layout === 'full') f.get(j).set(pointers[j]!)
  })

/**
 * The start of a row: each `row` operand's pointer back at its parameter, each `column` operand's
 * value for this row loaded into its `values` local (its parameter then steps to the next row's).
 */
export const startRow = (
  f: FunctionBuilder,
  lanes: Lanes,
  spec: FusedSpec,
  pointers: readonly number[],
  values: readonly number[],
): void =>
  spec.layouts.forEach((layout, j) => {
    if (layout === 'row') f.get(j).set(pointers[j]!)
    if (layout === 'column') {
      f.get(j).mem(lanes.splatLoad).set(values[j]!)
      f.get(j).i32(lanes.bytes).op('i32.add').set(j)
    }
  })
