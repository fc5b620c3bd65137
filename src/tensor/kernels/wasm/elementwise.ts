/**
 * Emits the elementwise kernels. Each op the WebAssembly back end accelerates is written once as a
 * lane-wise expression over v128 locals `x` and `y`; the emitters wrap it in a vector loop and a
 * one-lane tail (the tail splats the scalar, runs the same expression and keeps lane 0, so the
 * tail can never disagree with the vector body).
 *
 * Ops are keyed by the name of the primitive they accelerate (`'add'`), explicitly: a primitive
 * not named here stays on the reference kernels, and test/tensor/kernels/wasm/kernels.test.ts
 * checks that every primitive named here is registered and is actually computed here (never by the
 * fallback) with the reference's result bit for bit, so a renamed primitive or a changed
 * expression cannot silently lose its fast path or its semantics.
 * Every expression below gives bit-for-bit the reference result, float32 included: +, −, ×, ÷ and
 * √ rounded once to float32 equal the float64 result rounded to float32, and the selects copy
 * their operands exactly (NaN and signed zero follow the JavaScript expression).
 *
 * @module kernels/wasm/elementwise
 */
import { FunctionBuilder } from './encoder.js'
import type { Lanes } from './lanes.js'

/** Pushes the result of an op on the v128 locals `x` (and `y`). */
type VectorExpression = (f: FunctionBuilder, lanes: Lanes, x: number, y: number) => void

const lanewise =
  (name: 'add' | 'sub' | 'mul' | 'div'): VectorExpression =>
  (f, lanes, x, y) => {
    f.get(x).get(y).op(lanes.vector(name))
  }

const constant = (f: FunctionBuilder, lanes: Lanes, value: number): void => {
  lanes.constant(f, value)
  f.op(lanes.splat)
}

/** `x OP y ? 1 : 0` as a mask of ones and'ed with 1.0. */
const comparison =
  (name: 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge'): VectorExpression =>
  (f, lanes, x, y) => {
    f.get(x).get(y).op(lanes.vector(name))
    constant(f, lanes, 1)
    f.op('v128.and')
  }

/** `x OP y || x !== x ? x : y` */
const pick =
  (name: 'gt' | 'lt'): VectorExpression =>
  (f, lanes, x, y) => {
    f.get(x).get(y)
    f.get(x).get(y).op(lanes.vector(name))
    f.get(x).get(x).op(lanes.vector('ne'))
    f.op('v128.or').op('v128.bitselect')
  }

/** Binary ops by the name of the primitive they compute (its expression in the comment). */
export const binaryVectorOps: Readonly<Record<string, VectorExpression>> = {
  add: lanewise('add'), // x + y
  sub: lanewise('sub'), // x - y
  mul: lanewise('mul'), // x * y
  div: lanewise('div'), // x / y
  maximum: pick('gt'), // x > y || x !== x ? x : y
  minimum: pick('lt'), // x < y || x !== x ? x : y
  equal: comparison('eq'), // x === y ? 1 : 0
  notEqual: comparison('ne'), // x !== y ? 1 : 0
  less: comparison('lt'), // x < y ? 1 : 0
  greater: comparison('gt'), // x > y ? 1 : 0
  lessEqual: comparison('le'), // x <= y ? 1 : 0
  greaterEqual: comparison('ge'), // x >= y ? 1 : 0
}

/** Unary ops by the name of the primitive they compute (its expression in the comment). */
export const unaryVectorOps: Readonly<Record<string, VectorExpression>> = {
  // -x
  neg: (f, lanes, x) => {
    f.get(x).op(lanes.vector('neg'))
  },
  // Math.abs(x)
  abs: (f, lanes, x) => {
    f.get(x).op(lanes.vector('abs'))
  },
  // Math.sqrt(x)
  sqrt: (f, lanes, x) => {
    f.get(x).op(lanes.vector('sqrt'))
  },
  // x < 0 ? 0 : x
  relu: (f, lanes, x) => {
    constant(f, lanes, 0)
    f.get(x)
    f.get(x)
    constant(f, lanes, 0)
    f.op(lanes.vector('lt')).op('v128.bitselect')
  },
  // x > 0 ? 1 : x < 0 ? -1 : x
  sign: (f, lanes, x) => {
    constant(f, lanes, 1)
    constant(f, lanes, -1)
    f.get(x)
    f.get(x)
    constant(f, lanes, 0)
    f.op(lanes.vector('lt')).op('v128.bitselect')
    f.get(x)
    constant(f, lanes, 0)
    f.op(lanes.vector('gt')).op('v128.bitselect')
  },
}

/** How each operand of a binary kernel varies along a row. */
export const BinaryMode = {
  /** Both operands are rows of `inner` values. */
  bothRows: 0,
  /** `b` is one value per row (broadcast along the row). */
  bPerRow: 1,
  /** `a` is one value per row. */
  aPerRow: 2,
} as const

/**
 * `binary(a, b, out, outer, inner, aStride, bStride, mode)`: for each of `outer` rows, `out`'s next
 * `inner` values are `op(aRow, bRow)`; `a` and `b` advance by `aStride`/`bStride` elements per row
 * (0 broadcasts a row to every row) and `mode` (`BinaryMode`) says which operand, if any, is one
 * value per row. Addresses are in bytes.
 */
export const emitBinary = (lanes: Lanes, expression: VectorExpression): FunctionBuilder => {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'])
  const [a, b, out, outer, inner, aStride, bStride, mode] = [0, 1, 2, 3, 4, 5, 6, 7]
  const [pa, pb, i, x, y] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('v128'), f.local('v128')]
  const e = lanes.bytes
  const step = 2 * lanes.lanes
  f.get(aStride).i32(lanes.shift).op('i32.shl').set(aStride)
  f.get(bStride).i32(lanes.shift).op('i32.shl').set(bStride)
  const row = (aVaries: boolean, bVaries: boolean) => {
    // vector body, two vectors per pass
    f.block().loop()
    f.get(i).i32(step).op('i32.lt_u').brIf(1)
    for (let v = 0; v < 2; v++) {
      if (aVaries)
        f.get(pa)
          .mem('v128.load', v * 16)
          .set(x)
      if (bVaries)
        f.get(pb)
          .mem('v128.load', v * 16)
          .set(y)
      f.get(out)
      expression(f, lanes, x, y)
      f.mem('v128.store', v * 16)
    }
    if (aVaries)
      f.get(pa)
        .i32(step * e)
        .op('i32.add')
        .set(pa)
    if (bVaries)
      f.get(pb)
        .i32(step * e)
        .op('i32.add')
        .set(pb)
    f.get(out)
      .i32(step * e)
      .op('i32.add')
      .set(out)
    f.get(i).i32(step).op('i32.sub').set(i)
    f.br(0).end().end()
    // tail, one element per pass
    f.block().loop()
    f.get(i).op('i32.eqz').brIf(1)
    if (aVaries) f.get(pa).mem(lanes.splatLoad).set(x)
    if (bVaries) f.get(pb).mem(lanes.splatLoad).set(y)
    f.get(out)
    expression(f, lanes, x, y)
    f.lane(lanes.precision === 'f32' ? 'f32x4.extract_lane' : 'f64x2.extract_lane', 0)
    f.mem(lanes.store)
    if (aVaries) f.get(pa).i32(e).op('i32.add').set(pa)
    if (bVaries) f.get(pb).i32(e).op('i32.add').set(pb)
    f.get(out).i32(e).op('i32.add').set(out)
    f.get(i).i32(1).op('i32.sub').set(i)
    f.br(0).end().end()
  }
  f.block().loop()
  f.get(outer).op('i32.eqz').brIf(1)
  f.get(a).set(pa).get(b).set(pb).get(inner).set(i)
  f.get(mode).i32(BinaryMode.bPerRow).op('i32.eq').if()
  f.get(pb).mem(lanes.splatLoad).set(y)
  row(true, false)
  f.else()
  f.get(mode).i32(BinaryMode.aPerRow).op('i32.eq').if()
  f.get(pa).mem(lanes.splatLoad).set(x)
  row(false, true)
  f.else()
  row(true, true)
  f.end()
  f.end()
  f.get(a).get(aStride).op('i32.add').set(a)
  f.get(b).get(bStride).op('i32.add').set(b)
  f.get(outer).i32(1).op('i32.sub').set(outer)
  f.br(0).end().end()
  return f
}

/** `unary(x, out, n)`: `out[i] = op(x[i])` for `n` elements; addresses in bytes. */
export const emitUnary = (lanes: Lanes, expression: VectorExpression): FunctionBuilder => {
  const f = new FunctionBuilder(['i32', 'i32', 'i32'])
  const [input, out, n] = [0, 1, 2]
  const x = f.local('v128')
  const e = lanes.bytes
  const step = 2 * lanes.lanes
  f.block().loop()
  f.get(n).i32(step).op('i32.lt_u').brIf(1)
  for (let v = 0; v < 2; v++) {
    f.get(input)
      .mem('v128.load', v * 16)
      .set(x)
    f.get(out)
    expression(f, lanes, x, x)
    f.mem('v128.store', v * 16)
  }
  f.get(input)
    .i32(step * e)
    .op('i32.add')
    .set(input)
  f.get(out)
    .i32(step * e)
    .op('i32.add')
    .set(out)
  f.get(n).i32(step).op('i32.sub').set(n)
  f.br(0).end().end()
  f.block().loop()
  f.get(n).op('i32.eqz').brIf(1)
  f.get(input).mem(lanes.splatLoad).set(x)
  f.get(out)
  expression(f, lanes, x, x)
  f.lane(lanes.precision === 'f32' ? 'f32x4.extract_lane' : 'f64x2.extract_lane', 0)
  f.mem(lanes.store)
  f.get(input).i32(e).op('i32.add').set(input)
  f.get(out).i32(e).op('i32.add').set(out)
  f.get(n).i32(1).op('i32.sub').set(n)
  f.br(0).end().end()
  return f
}

/** How the operands of `where` vary: bit 1 set when `a` is one value, bit 2 when `b` is. */
export const WhereMode = { aScalar: 1, bScalar: 2 } as const

/**
 * `where(condition, a, b, out, n, mode)`: `out[i] = condition[i] !== 0 ? a[i] : b[i]` for `n`
 * elements, without branches (a lane mask and `v128.bitselect`; a NaN condition picks `a`, −0
 * picks `b`, as in JavaScript). `mode` (`WhereMode`) marks operands that are one repeated value.
 */
export const emitWhere = (lanes: Lanes): FunctionBuilder => {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32', 'i32'])
  const [condition, a, b, out, n, mode] = [0, 1, 2, 3, 4, 5]
  const [x, y, mask] = [f.local('v128'), f.local('v128'), f.local('v128')]
  const e = lanes.bytes
  const select = () => {
    f.get(x).get(y).get(mask).op('v128.bitselect')
  }
  const loops = (aVaries: boolean, bVaries: boolean) => {
    f.block().loop()
    f.get(n).i32(lanes.lanes).op('i32.lt_u').brIf(1)
    f.get(condition).mem('v128.load')
    constant(f, lanes, 0)
    f.op(lanes.vector('ne')).set(mask)
    if (aVaries) f.get(a).mem('v128.load').set(x)
    if (bVaries) f.get(b).mem('v128.load').set(y)
    f.get(out)
    select()
    f.mem('v128.store')
    for (const [pointer, varies] of [
      [condition, true],
      [a, aVaries],
      [b, bVaries],
      [out, true],
    ] as const)
      if (varies) f.get(pointer).i32(16).op('i32.add').set(pointer)
    f.get(n).i32(lanes.lanes).op('i32.sub').set(n)
    f.br(0).end().end()
    f.block().loop()
    f.get(n).op('i32.eqz').brIf(1)
    f.get(condition).mem(lanes.splatLoad)
    constant(f, lanes, 0)
    f.op(lanes.vector('ne')).set(mask)
    if (aVaries) f.get(a).mem(lanes.splatLoad).set(x)
    if (bVaries) f.get(b).mem(lanes.splatLoad).set(y)
    f.get(out)
    select()
    f.lane(lanes.precision === 'f32' ? 'f32x4.extract_lane' : 'f64x2.extract_lane', 0)
    f.mem(lanes.store)
    for (const [pointer, varies] of [
      [condition, true],
      [a, aVaries],
      [b, bVaries],
      [out, true],
    ] as const)
      if (varies) f.get(pointer).i32(e).op('i32.add').set(pointer)
    f.get(n).i32(1).op('i32.sub').set(n)
    f.br(0).end().end()
  }
  f.get(a).mem(lanes.splatLoad).set(x)
  f.get(b).mem(lanes.splatLoad).set(y)
  const variants: [number, boolean, boolean][] = [
    [0, true, true],
    [WhereMode.aScalar, false, true],
    [WhereMode.bScalar, true, false],
  ]
  for (const [value, aVaries, bVaries] of variants) {
    f.get(mode).i32(value).op('i32.eq').if()
    loops(aVaries, bVaries)
    f.end()
  }
  f.get(mode)
    .i32(WhereMode.aScalar | WhereMode.bScalar)
    .op('i32.eq')
    .if()
  loops(false, false)
  f.end()
  return f
}
