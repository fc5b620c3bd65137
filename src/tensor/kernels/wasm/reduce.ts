/**
 * Emits the sum reduction over the middle axis of an `[outer, middle, inner]` array, accumulating
 * in float64 for either storage type (as the reference does). With `inner > 1` each output is
 * summed in the reference's order (sequentially over the middle axis, eight outputs side by side
 * in four f64x2 accumulators), so results match the reference bit for bit; with `inner = 1` (a
 * sum along contiguous rows) four partial sums run side by side and are added at the end, which
 * rounds differently from a sequential sum by at most a few ulps of the sum of magnitudes.
 *
 * @module kernels/wasm/reduce
 */
import { FunctionBuilder } from './encoder.js'
import type { Lanes } from './lanes.js'

/** Pushes two consecutive elements at `address + offset` as an f64x2. */
const pushPair = (f: FunctionBuilder, lanes: Lanes, address: number, offset: number): void => {
  if (lanes.precision === 'f32') f.get(address).mem('v128.load64_zero', offset).op('f64x2.promote_low_f32x4')
  else f.get(address).mem('v128.load', offset)
}

/** Pushes the element at `address` as an f64. */
const pushOne = (f: FunctionBuilder, lanes: Lanes, address: number): void => {
  f.get(address).mem(lanes.load)
  if (lanes.precision === 'f32') f.op('f64.promote_f32')
}

/**
 * Stores the f64 on the stack at `address + offset` (address pushed before): in the storage type,
 * or as the f64 itself when `wide`.
 */
export const storeOne = (f: FunctionBuilder, lanes: Lanes, wide: boolean, offset = 0): void => {
  if (wide) f.mem('f64.store', offset)
  else {
    if (lanes.precision === 'f32') f.op('f32.demote_f64')
    f.mem(lanes.store, offset)
  }
}

/**
 * Stores the eight sums of a block of columns — column `j` in lane `j & 1` of `acc[j >> 1]` — at
 * the address in local `out` (in the storage type, or as f64 when `wide`), and steps `out` past them.
 */
export const storeEight = (
  f: FunctionBuilder,
  lanes: Lanes,
  wide: boolean,
  acc: readonly number[],
  out: number,
): void => {
  const o = wide ? 8 : lanes.bytes
  for (let j = 0; j < 8; j++) {
    f.get(out)
    f.get(acc[j >> 1]!).lane('f64x2.extract_lane', j & 1)
    storeOne(f, lanes, wide, j * o)
  }
  f.get(out)
    .i32(8 * o)
    .op('i32.add')
    .set(out)
}

/**
 * `sum(x, out, outer, middle, inner)`: `out[o, i] = Σ_m x[o, m, i]`; addresses in bytes. With
 * `wide` the sums are written as float64 whatever the storage type (`sumWide`): the first pass of a
 * sum over axes that are not contiguous, whose partial sums must not be rounded to float32.
 */
export const emitSum = (lanes: Lanes, wide = false): FunctionBuilder => {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32'])
  const [x, out, outer, middle, inner] = [0, 1, 2, 3, 4]
  const [p, m, i, column, rowBytes] = [
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
  ]
  const acc = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')]
  const scalar = f.local('f64')
  const e = lanes.bytes
  // bytes per output element
  const o = wide ? 8 : e
  const zero = () => {
    for (const a of acc) f.f64(0).op('f64x2.splat').set(a)
  }
  f.get(inner).i32(lanes.shift).op('i32.shl').set(rowBytes)
  f.block().loop()
  f.get(outer).op('i32.eqz').brIf(1)
  f.get(inner).i32(1).op('i32.eq').if()
  // one contiguous row: four f64x2 partial sums, then the tail
  zero()
  f.f64(0).set(scalar).get(x).set(p).get(middle).set(m)
  f.block().loop()
  f.get(m).i32(8).op('i32.lt_u').brIf(1)
  for (let j = 0; j < 4; j++) {
    f.get(acc[j]!)
    pushPair(f, lanes, p, 2 * j * e)
    f.op('f64x2.add').set(acc[j]!)
  }
  f.get(p)
    .i32(8 * e)
    .op('i32.add')
    .set(p)
  f.get(m).i32(8).op('i32.sub').set(m)
  f.br(0).end().end()
  f.block().loop()
  f.get(m).op('i32.eqz').brIf(1)
  f.get(scalar)
  pushOne(f, lanes, p)
  f.op('f64.add').set(scalar)
  f.get(p).i32(e).op('i32.add').set(p)
  f.get(m).i32(1).op('i32.sub').set(m)
  f.br(0).end().end()
  f.get(acc[0]!)
    .get(acc[1]!)
    .op('f64x2.add')
    .get(acc[2]!)
    .get(acc[3]!)
    .op('f64x2.add')
    .op('f64x2.add')
    .set(acc[0]!)
  f.get(out)
  f.get(acc[0]!).lane('f64x2.extract_lane', 0).get(acc[0]!).lane('f64x2.extract_lane', 1).op('f64.add')
  f.get(scalar).op('f64.add')
  storeOne(f, lanes, wide)
  f.get(out).i32(o).op('i32.add').set(out)
  f.else()
  // columns: eight outputs per pass, each summed down the middle axis in order
  f.get(x).set(column).i32(0).set(i)
  f.block().loop()
  f.get(inner).get(i).op('i32.sub').i32(8).op('i32.lt_u').brIf(1)
  zero()
  f.get(column).set(p).get(middle).set(m)
  f.block().loop()
  f.get(m).op('i32.eqz').brIf(1)
  for (let j = 0; j < 4; j++) {
    f.get(acc[j]!)
    pushPair(f, lanes, p, 2 * j * e)
    f.op('f64x2.add').set(acc[j]!)
  }
  f.get(p).get(rowBytes).op('i32.add').set(p)
  f.get(m).i32(1).op('i32.sub').set(m)
  f.br(0).end().end()
  storeEight(f, lanes, wide, acc, out)
  f.get(column)
    .i32(8 * e)
    .op('i32.add')
    .set(column)
  f.get(i).i32(8).op('i32.add').set(i)
  f.br(0).end().end()
  f.block().loop()
  f.get(i).get(inner).op('i32.ge_u').brIf(1)
  f.f64(0).set(scalar).get(column).set(p).get(middle).set(m)
  f.block().loop()
  f.get(m).op('i32.eqz').brIf(1)
  f.get(scalar)
  pushOne(f, lanes, p)
  f.op('f64.add').set(scalar)
  f.get(p).get(rowBytes).op('i32.add').set(p)
  f.get(m).i32(1).op('i32.sub').set(m)
  f.br(0).end().end()
  f.get(out).get(scalar)
  storeOne(f, lanes, wide)
  f.get(out).i32(o).op('i32.add').set(out)
  f.get(column).i32(e).op('i32.add').set(column)
  f.get(i).i32(1).op('i32.add').set(i)
  f.br(0).end().end()
  f.end()
  f.get(x).get(middle).get(rowBytes).op('i32.mul').op('i32.add').set(x)
  f.get(outer).i32(1).op('i32.sub').set(outer)
  f.br(0).end().end()
  return f
}
