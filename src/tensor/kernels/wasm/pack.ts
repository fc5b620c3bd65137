/**
 * Emits the packing routine of the matrix product: it copies a block of a strided matrix into
 * panels the register tile reads with unit stride. Packing is where transposes disappear: a
 * transposed operand is the same matrix read with its two strides swapped.
 *
 * @module kernels/wasm/pack
 */
import { FunctionBuilder } from './encoder.js'
import type { Lanes } from './lanes.js'

/**
 * `pack(src, stride, step, count, depth, dst)`: packs `count` rows of a strided matrix into panels
 * of `width` rows (the last panel zero-padded): element `(i, p)` sits at `src + (i·stride + p·step)`
 * elements, and panel `i / width` holds, for each `p < depth`, the `width` values of rows
 * `i … i + width − 1` next to each other. Rows with unit stride are copied a vector at a time;
 * float32 panels of two rows (the product's A panels) are copied eight bytes at a time when the
 * rows are adjacent (a transposed operand), and four depths at a time, interleaved by shuffles,
 * when each row is contiguous (a row-major operand): the same layout, in a quarter of the
 * instructions of a value-by-value copy.
 */
export const emitPack = (lanes: Lanes, width: number): FunctionBuilder => {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32', 'i32'])
  const [src, stride, step, count, depth, dst] = [0, 1, 2, 3, 4, 5]
  const e = lanes.bytes
  const rowOffset = Array.from({ length: width }, () => f.local('i32'))
  const [panel, at, p, valid] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')]
  f.get(stride).i32(lanes.shift).op('i32.shl').set(stride)
  f.get(step).i32(lanes.shift).op('i32.shl').set(step)
  for (let r = 1; r < width; r++) f.get(stride).i32(r).op('i32.mul').set(rowOffset[r]!)
  f.get(src).set(panel)
  const copyRows = (rows: number, vectorised: boolean) => {
    // for p in depth: dst[0 … width) = rows of src at `at`; at += step; dst += width
    f.get(panel).set(at).get(depth).set(p)
    f.block().loop()
    f.get(p).op('i32.eqz').brIf(1)
    if (vectorised) {
      for (let v = 0; v < width / lanes.lanes; v++)
        f.get(dst)
          .get(at)
          .mem('v128.load', v * 16)
          .mem('v128.store', v * 16)
    } else {
      for (let r = 0; r < rows; r++) {
        f.get(dst).get(at)
        if (r > 0) f.get(rowOffset[r]!).op('i32.add')
        f.mem(lanes.load).mem(lanes.store, r * e)
      }
    }
    f.get(at).get(step).op('i32.add').set(at)
    f.get(dst)
      .i32(width * e)
      .op('i32.add')
      .set(dst)
    f.get(p).i32(1).op('i32.sub').set(p)
    f.br(0).end().end()
  }
  const pairs = lanes.precision === 'f32' && width === 2
  const [low, high] = [f.local('v128'), f.local('v128')]
  // two adjacent values per depth: one 8-byte copy each
  const copyAdjacentPairs = () => {
    f.get(panel).set(at).get(depth).set(p)
    f.block().loop()
    f.get(p).op('i32.eqz').brIf(1)
    f.get(dst).get(at).mem('i64.load').mem('i64.store')
    f.get(at).get(step).op('i32.add').set(at)
    f.get(dst).i32(8).op('i32.add').set(dst)
    f.get(p).i32(1).op('i32.sub').set(p)
    f.br(0).end().end()
  }
  // two contiguous rows: four depths of each per turn, interleaved (r0 p, r1 p, r0 p+1, …)
  const interleavePairs = () => {
    f.get(panel).set(at).get(depth).set(p)
    f.block().loop()
    f.get(p).i32(4).op('i32.lt_u').brIf(1)
    f.get(at).mem('v128.load').set(low)
    f.get(at).get(rowOffset[1]!).op('i32.add').mem('v128.load').set(high)
    const bytesOf = (lanesOf: number[]) => lanesOf.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])
    f.get(dst)
      .get(low)
      .get(high)
      .shuffle(bytesOf([0, 4, 1, 5]))
      .mem('v128.store')
    f.get(dst)
      .get(low)
      .get(high)
      .shuffle(bytesOf([2, 6, 3, 7]))
      .mem('v128.store', 16)
    f.get(at).i32(16).op('i32.add').set(at)
    f.get(dst).i32(32).op('i32.add').set(dst)
    f.get(p).i32(4).op('i32.sub').set(p)
    f.br(0).end().end()
    f.block().loop()
    f.get(p).op('i32.eqz').brIf(1)
    f.get(dst).get(at).mem('f32.load').mem('f32.store')
    f.get(dst).get(at).get(rowOffset[1]!).op('i32.add').mem('f32.load').mem('f32.store', 4)
    f.get(at).i32(4).op('i32.add').set(at)
    f.get(dst).i32(8).op('i32.add').set(dst)
    f.get(p).i32(1).op('i32.sub').set(p)
    f.br(0).end().end()
  }
  // full panels
  f.block().loop()
  f.get(count).i32(width).op('i32.lt_u').brIf(1)
  if (pairs) {
    f.get(stride).i32(e).op('i32.eq').if()
    copyAdjacentPairs()
    f.else()
    f.get(step).i32(e).op('i32.eq').if()
    interleavePairs()
    f.else()
    copyRows(width, false)
    f.end()
    f.end()
  } else if (width % lanes.lanes === 0) {
    f.get(stride).i32(e).op('i32.eq').if()
    copyRows(width, true)
    f.else()
    copyRows(width, false)
    f.end()
  } else copyRows(width, false)
  f.get(panel).get(stride).i32(width).op('i32.mul').op('i32.add').set(panel)
  f.get(count).i32(width).op('i32.sub').set(count)
  f.br(0).end().end()
  // the last, partial panel: zero the padding rows, then copy the valid ones one by one
  f.get(count).op('i32.eqz').if()
  f.else()
  f.get(count).set(valid)
  f.get(depth).set(p).get(dst).set(at)
  f.block().loop()
  f.get(p).op('i32.eqz').brIf(1)
  for (let r = 0; r < width; r++) {
    f.get(at)
    lanes.constant(f, 0)
    f.mem(lanes.store, r * e)
  }
  f.get(at)
    .i32(width * e)
    .op('i32.add')
    .set(at)
  f.get(p).i32(1).op('i32.sub').set(p)
  f.br(0).end().end()
  for (let r = 0; r < width - 1; r++) {
    // copy row r when r < valid
    f.get(valid).i32(r).op('i32.gt_u').if()
    f.get(panel).set(at).get(depth).set(p).get(dst).set(count)
    f.block().loop()
    f.get(p).op('i32.eqz').brIf(1)
    f.get(count).get(at)
    if (r > 0) f.get(rowOffset[r]!).op('i32.add')
    f.mem(lanes.load).mem(lanes.store, r * e)
    f.get(at).get(step).op('i32.add').set(at)
    f.get(count)
      .i32(width * e)
      .op('i32.add')
      .set(count)
    f.get(p).i32(1).op('i32.sub').set(p)
    f.br(0).end().end()
    f.end()
  }
  f.end()
  return f
}
