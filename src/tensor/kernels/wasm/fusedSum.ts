/**
 * Fused sums: kernels of a fused elementwise tree (`fusedExpression.ts`) that sum its values
 * instead of storing them — each row of `[outer, inner]` values (a loss `sum(square(p − y))`, a
 * finiteness check `sum(x · 0)`), or the middle axis of `[outer, middle, inner]` values (a batch
 * statistic) — so the values are never written to memory and read back.
 *
 * The sums are the back end's sums (`emitSum` in `reduce.ts`) bit for bit, since they add the same
 * values in the same order in float64. Rows: each block of eight elements added pair by pair into
 * four f64x2 partial sums, the last `inner mod 8` elements into a scalar one, the partial sums
 * added in the same order at the end. Columns: each column summed down the middle axis in order.
 * Each element is the value the elementwise kernel would have stored (float32 rounded after every
 * op), so fusing changes no bit of the result.
 *
 * @module kernels/wasm/fusedSum
 */
import { FunctionBuilder } from './encoder.js'
import { expressionEmitter, type FusedSpec, pointFullOperands, startRow, varies } from './fusedExpression.js'
import { lanesOf } from './lanes.js'
import { storeEight, storeOne } from './reduce.js'

/**
 * Adds the v128 `result` (the `v`th vector of a block of eight elements) into the four f64x2
 * partial sums `acc`: elements 2j and 2j + 1 of the block go to `acc[j]`, as the sum kernel adds
 * them (float32 lanes are widened to float64 first).
 */
const addVector = (
  f: FunctionBuilder,
  f32: boolean,
  acc: readonly number[],
  v: number,
  result: number,
): void => {
  if (!f32) {
    f.get(acc[v]!).get(result).op('f64x2.add').set(acc[v]!)
    return
  }
  f.get(acc[2 * v]!)
    .get(result)
    .op('f64x2.promote_low_f32x4')
    .op('f64x2.add')
    .set(acc[2 * v]!)
  const high = [8, 9, 10, 11, 12, 13, 14, 15]
  f.get(acc[2 * v + 1]!)
    .get(result)
    .get(result)
    .shuffle([...high, ...high])
    .op('f64x2.promote_low_f32x4')
    .op('f64x2.add')
    .set(acc[2 * v + 1]!)
}

/** Adds lane 0 of the v128 `result`, widened to float64, into the f64 local `scalar`. */
const addElement = (f: FunctionBuilder, f32: boolean, scalar: number, result: number): void => {
  f.get(scalar).get(result)
  if (f32) f.lane('f32x4.extract_lane', 0).op('f64.promote_f32')
  else f.lane('f64x2.extract_lane', 0)
  f.op('f64.add').set(scalar)
}

/** Four f64x2 partial sums. */
const partialSums = (f: FunctionBuilder): number[] => [
  f.local('v128'),
  f.local('v128'),
  f.local('v128'),
  f.local('v128'),
]

/** Sets the partial sums `acc` to zero. */
const zero = (f: FunctionBuilder, acc: readonly number[]): void => {
  for (const a of acc) f.f64(0).op('f64x2.splat').set(a)
}

/**
 * Emits `fused(operand0, …, operandK, out, outer, inner)` for a spec that sums rows: `out[o]` is
 * the sum of row `o` of the tree's values (addresses in bytes); the caller checks `canFuse` first.
 */
export const emitFusedRowSums = (spec: FusedSpec): FunctionBuilder => {
  const lanes = lanesOf(spec.precision)
  const f32 = spec.precision === 'f32'
  const k = spec.layouts.length
  const f = new FunctionBuilder(Array.from({ length: k + 3 }, () => 'i32' as const))
  const [out, outer, inner] = [k, k + 1, k + 2]
  const e = lanes.bytes
  const values = spec.layouts.map(() => f.local('v128'))
  const pointers = spec.layouts.map(() => f.local('i32'))
  const i = f.local('i32')
  const acc = partialSums(f)
  const scalar = f.local('f64')
  const evaluate = expressionEmitter(f, lanes, spec, values)
  // loads the varying operands (a vector, or one element splatted) and steps past them
  const load = (vector: boolean): void => {
    const step = vector ? 16 : e
    spec.layouts.forEach((layout, j) => {
      if (!varies(layout)) return
      f.get(pointers[j]!)
        .mem(vector ? 'v128.load' : lanes.splatLoad)
        .set(values[j]!)
      f.get(pointers[j]!).i32(step).op('i32.add').set(pointers[j]!)
    })
  }
  // eight elements: elements 2j and 2j + 1 go to partial sum j, as the row sum adds them
  const addEight = (): void => {
    for (let v = 0; v < 8 / lanes.lanes; v++) {
      load(true)
      addVector(f, f32, acc, v, evaluate())
    }
  }
  // one element, added to the scalar partial sum
  const addOne = (): void => {
    load(false)
    addElement(f, f32, scalar, evaluate())
  }
  // full operands continue where the previous row ended, rows restart, columns give one per row
  pointFullOperands(f, spec, pointers)
  f.block().loop()
  f.get(outer).op('i32.eqz').brIf(1)
  startRow(f, lanes, spec, pointers, values)
  zero(f, acc)
  f.f64(0).set(scalar)
  f.get(inner).set(i)
  f.block().loop()
  f.get(i).i32(8).op('i32.lt_u').brIf(1)
  addEight()
  f.get(i).i32(8).op('i32.sub').set(i)
  f.br(0).end().end()
  f.block().loop()
  f.get(i).op('i32.eqz').brIf(1)
  addOne()
  f.get(i).i32(1).op('i32.sub').set(i)
  f.br(0).end().end()
  // (acc0 + acc1) + (acc2 + acc3), its two lanes, then the scalar partial sum
  f.get(acc[0]!).get(acc[1]!).op('f64x2.add').get(acc[2]!).get(acc[3]!).op('f64x2.add').op('f64x2.add')
  f.set(acc[0]!)
  f.get(out)
  f.get(acc[0]!).lane('f64x2.extract_lane', 0).get(acc[0]!).lane('f64x2.extract_lane', 1).op('f64.add')
  f.get(scalar).op('f64.add')
  storeOne(f, lanes, false)
  f.get(out).i32(e).op('i32.add').set(out)
  f.get(outer).i32(1).op('i32.sub').set(outer)
  f.br(0).end().end()
  return f
}

/**
 * Emits `fused(operand0, …, operandK, out, outer, middle, inner)` for a spec that sums columns:
 * `out[o, i]` is the sum over `m` of the tree's value at `[o, m, i]` (addresses in bytes). Eight
 * columns at a time, each summed down the middle axis in order into float64 (then the last
 * `inner mod 8` columns one by one), as the sum kernel sums columns.
 */
export const emitFusedColumnSums = (spec: FusedSpec): FunctionBuilder => {
  const lanes = lanesOf(spec.precision)
  const f32 = spec.precision === 'f32'
  const k = spec.layouts.length
  const f = new FunctionBuilder(Array.from({ length: k + 4 }, () => 'i32' as const))
  const [out, outer, middle, inner] = [k, k + 1, k + 2, k + 3]
  const e = lanes.bytes
  const values = spec.layouts.map(() => f.local('v128'))
  const pointers = spec.layouts.map(() => f.local('i32'))
  const [i, m, column, slab, rowBytes] = [
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
  ]
  const acc = partialSums(f)
  const scalar = f.local('f64')
  const evaluate = expressionEmitter(f, lanes, spec, values)
  // the pointers of a column block: full operands at this outer slab, rows at the column
  const point = (): void =>
    spec.layouts.forEach((layout, j) => {
      if (layout === 'full') f.get(j).get(slab).op('i32.add').get(column).op('i32.add').set(pointers[j]!)
      if (layout === 'row') f.get(j).get(column).op('i32.add').set(pointers[j]!)
    })
  const load = (vector: boolean, offset: number): void =>
    spec.layouts.forEach((layout, j) => {
      if (varies(layout))
        f.get(pointers[j]!)
          .mem(vector ? 'v128.load' : lanes.splatLoad, offset)
          .set(values[j]!)
    })
  // full operands step down one row of the middle axis; rows stay
  const nextRow = (): void => {
    spec.layouts.forEach((layout, j) => {
      if (layout === 'full') f.get(pointers[j]!).get(rowBytes).op('i32.add').set(pointers[j]!)
    })
    f.get(m).i32(1).op('i32.sub').set(m)
  }
  f.get(inner).i32(lanes.shift).op('i32.shl').set(rowBytes)
  f.i32(0).set(slab)
  f.block().loop()
  f.get(outer).op('i32.eqz').brIf(1)
  f.i32(0).set(column)
  f.get(inner).set(i)
  // blocks of eight columns
  f.block().loop()
  f.get(i).i32(8).op('i32.lt_u').brIf(1)
  zero(f, acc)
  point()
  f.get(middle).set(m)
  f.block().loop()
  f.get(m).op('i32.eqz').brIf(1)
  for (let v = 0; v < 8 / lanes.lanes; v++) {
    load(true, 16 * v)
    addVector(f, f32, acc, v, evaluate())
  }
  nextRow()
  f.br(0).end().end()
  storeEight(f, lanes, false, acc, out)
  f.get(column)
    .i32(8 * e)
    .op('i32.add')
    .set(column)
  f.get(i).i32(8).op('i32.sub').set(i)
  f.br(0).end().end()
  // the last columns, one at a time
  f.block().loop()
  f.get(i).op('i32.eqz').brIf(1)
  f.f64(0).set(scalar)
  point()
  f.get(middle).set(m)
  f.block().loop()
  f.get(m).op('i32.eqz').brIf(1)
  load(false, 0)
  addElement(f, f32, scalar, evaluate())
  nextRow()
  f.br(0).end().end()
  f.get(out).get(scalar)
  storeOne(f, lanes, false)
  f.get(out).i32(e).op('i32.add').set(out)
  f.get(column).i32(e).op('i32.add').set(column)
  f.get(i).i32(1).op('i32.sub').set(i)
  f.br(0).end().end()
  f.get(slab).get(middle).get(rowBytes).op('i32.mul').op('i32.add').set(slab)
  f.get(outer).i32(1).op('i32.sub').set(outer)
  f.br(0).end().end()
  return f
}
