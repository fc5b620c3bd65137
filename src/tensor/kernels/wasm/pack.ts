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
 * `i … i + width − 1` next to each other. Rows with unit stride are copied a vector at a time.
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
  // full panels
  f.block().loop()
  f.get(count).i32(width).op('i32.lt_u').brIf(1)
  if (width % lanes.lanes === 0) {
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
