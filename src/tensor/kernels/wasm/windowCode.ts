/**
 * The WebAssembly code of the window kernels (kernels/wasm/windows.ts runs it): row copies and
 * row additions for im2col and col2im, and the 2×2, stride-2 max pooling and its gradient, emitted
 * per precision with the project's encoder.
 *
 * @module kernels/wasm/windowCode
 */
import { type ExportedFunction, FunctionBuilder } from './encoder.js'
import type { Lanes } from './lanes.js'

/** `rows(src, dst, batch, srcBatchStride, dstBatchStride, count, srcRowStride, dstRowStride, bytes)`. */
export type RowsFunction = (...args: number[]) => void

/** `pool(x, out, planes, rows, width, outWidth)` and `poolGrad(x, ct, dx, planes, rows, width, outWidth)`. */
export type PoolFunction = (...args: number[]) => void

/**
 * Walks `bytes` bytes from the addresses in locals `src` and `dst` (advancing neither): `vector`
 * emits the step for 16 bytes at both addresses (locals `s`, `d`), then `single` the step for each
 * remaining `singleBytes`; `i`, `s`, `d` are scratch i32 locals.
 */
const emitWalk = (
  f: FunctionBuilder,
  src: number,
  dst: number,
  bytes: number,
  scratch: readonly number[],
  vector: (s: number, d: number) => void,
  singleBytes: number,
  single: (s: number, d: number) => void,
) => {
  const [i, s, d] = scratch as [number, number, number]
  f.get(src).set(s).get(dst).set(d).get(bytes).set(i)
  // each loop runs while at least one of its steps is left: 16 bytes, then `singleBytes`
  const walk = (step: number, body: (s: number, d: number) => void) => {
    f.block().loop()
    f.get(i).i32(step).op('i32.lt_u').brIf(1)
    body(s, d)
    f.get(s).i32(step).op('i32.add').set(s)
    f.get(d).i32(step).op('i32.add').set(d)
    f.get(i).i32(step).op('i32.sub').set(i)
    f.br(0).end().end()
  }
  walk(16, vector)
  walk(singleBytes, single)
}

/** Copies `bytes` bytes from `src` to `dst` (16 at a time, then 4 at a time). */
const emitCopy = (f: FunctionBuilder, src: number, dst: number, bytes: number, scratch: readonly number[]) =>
  emitWalk(
    f,
    src,
    dst,
    bytes,
    scratch,
    (s, d) => f.get(d).get(s).mem('v128.load').mem('v128.store'),
    4,
    (s, d) => f.get(d).get(s).mem('i32.load').mem('i32.store'),
  )

/** Adds the `bytes` bytes of elements at `src` onto those at `dst` (vectors, then single elements). */
const emitAdd = (
  f: FunctionBuilder,
  lanes: Lanes,
  src: number,
  dst: number,
  bytes: number,
  scratch: readonly number[],
) => {
  const add = lanes.precision === 'f32' ? 'f32.add' : 'f64.add'
  emitWalk(
    f,
    src,
    dst,
    bytes,
    scratch,
    (s, d) =>
      f.get(d).get(d).mem('v128.load').get(s).mem('v128.load').op(lanes.vector('add')).mem('v128.store'),
    lanes.bytes,
    (s, d) => f.get(d).get(d).mem(lanes.load).get(s).mem(lanes.load).op(add).mem(lanes.store),
  )
}

/**
 * `rows(src, dst, batch, srcBatchStride, dstBatchStride, count, srcRowStride, dstRowStride, bytes)`:
 * for each of `batch` images and each of `count` rows, copies (or, with `add`, adds) `bytes` bytes
 * of the source row onto the destination row. Strides in bytes.
 */
export const emitRows = (lanes: Lanes, add: boolean): FunctionBuilder => {
  const f = new FunctionBuilder(Array.from({ length: 9 }, () => 'i32' as const))
  const [src, dst, batch, srcBatchStride, dstBatchStride, count, srcRowStride, dstRowStride, bytes] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8,
  ]
  const [s, d, r] = [f.local('i32'), f.local('i32'), f.local('i32')]
  const scratch = [f.local('i32'), f.local('i32'), f.local('i32')]
  f.block().loop()
  f.get(batch).op('i32.eqz').brIf(1)
  f.get(src).set(s).get(dst).set(d).get(count).set(r)
  f.block().loop()
  f.get(r).op('i32.eqz').brIf(1)
  if (add) emitAdd(f, lanes, s, d, bytes, scratch)
  else emitCopy(f, s, d, bytes, scratch)
  f.get(s).get(srcRowStride).op('i32.add').set(s)
  f.get(d).get(dstRowStride).op('i32.add').set(d)
  f.get(r).i32(1).op('i32.sub').set(r)
  f.br(0).end().end()
  f.get(src).get(srcBatchStride).op('i32.add').set(src)
  f.get(dst).get(dstBatchStride).op('i32.add').set(dst)
  f.get(batch).i32(1).op('i32.sub').set(batch)
  f.br(0).end().end()
  return f
}

/**
 * `unfold(table, first, rows, firstImage, images)` (or `fold`): runs the row kernel at function index
 * `rows` (`copyRows`, or `addRows`) for entries `[first, first + rows)` of a patch table
 * (`writePatchTable` in windows.ts: eight i32 per entry, `src, dst, srcBatchStride, dstBatchStride,
 * count, srcRowStride, dstRowStride, bytes` for image 0) over images `[firstImage, firstImage +
 * images)`.
 */
export const emitTableRows = (rowsFunction: number): FunctionBuilder => {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32'])
  const [table, first, rows, firstImage, images] = [0, 1, 2, 3, 4]
  const [at, end] = [f.local('i32'), f.local('i32')]
  f.get(table).get(first).i32(5).op('i32.shl').op('i32.add').set(at)
  f.get(at).get(rows).i32(5).op('i32.shl').op('i32.add').set(end)
  f.block().loop()
  f.get(at).get(end).op('i32.ge_u').brIf(1)
  // src + firstImage·srcBatchStride, dst + firstImage·dstBatchStride, images, then the rest
  f.get(at).mem('i32.load', 0).get(firstImage).get(at).mem('i32.load', 8).op('i32.mul').op('i32.add')
  f.get(at).mem('i32.load', 4).get(firstImage).get(at).mem('i32.load', 12).op('i32.mul').op('i32.add')
  f.get(images)
  for (const offset of [8, 12, 16, 20, 24, 28]) f.get(at).mem('i32.load', offset)
  f.call(rowsFunction)
  f.get(at).i32(32).op('i32.add').set(at)
  f.br(0).end().end()
  return f
}

/** Byte lanes of elements `indices` of the 32-byte concatenation of two vectors. */
const byteLanes = (lanes: Lanes, indices: readonly number[]): number[] =>
  indices.flatMap((index) => Array.from({ length: lanes.bytes }, (_, b) => index * lanes.bytes + b))

/** Element indices (into two concatenated vectors) of the even and the odd elements. */
const evens = (lanes: Lanes) =>
  byteLanes(
    lanes,
    Array.from({ length: lanes.lanes }, (_, i) => 2 * i),
  )
const odds = (lanes: Lanes) =>
  byteLanes(
    lanes,
    Array.from({ length: lanes.lanes }, (_, i) => 2 * i + 1),
  )

/** Interleaving two vectors `p`, `q` back: the low half `p0 q0 p1 q1 …` and the high half. */
const interleaved = (lanes: Lanes, high: boolean): number[] =>
  byteLanes(
    lanes,
    Array.from({ length: lanes.lanes }, (_, k) => {
      const m = (high ? lanes.lanes : 0) + k
      return m % 2 === 0 ? m / 2 : lanes.lanes + (m - 1) / 2
    }),
  )

/**
 * The loops of a 2×2, stride-2 pooling pass: for each of `planes` images, each of `rows` output
 * rows and each output column, `body(vector)` runs with locals `top` and `bottom` pointing at the
 * window's two input rows and `o` at its output (vectors of `lanes` windows while they last, then
 * one window at a time). Parameters: `(x, …extra, planes, rows, width, outWidth)`; `extra` are
 * per-window arrays laid out like the output (`ct`) or the input (`dx`), advanced alongside.
 */
const emitPoolLoops = (
  f: FunctionBuilder,
  lanes: Lanes,
  params: { x: number; planes: number; rows: number; width: number; outWidth: number },
  outputs: readonly number[],
  inputs: readonly number[],
  body: (
    vector: boolean,
    top: number,
    bottom: number,
    outputAt: readonly number[],
    inputAt: readonly number[],
  ) => void,
) => {
  const e = lanes.bytes
  const [top, bottom, j, rowBytes, row] = [
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
  ]
  const outputAt = outputs.map(() => f.local('i32'))
  const inputAt = inputs.map(() => f.local('i32'))
  f.get(params.width).i32(lanes.shift).op('i32.shl').set(rowBytes)
  for (const [k, p] of outputs.entries()) f.get(p).set(outputAt[k]!)
  f.get(params.planes).get(params.rows).op('i32.mul').set(row)
  f.get(params.x).set(top)
  for (const [k, p] of inputs.entries()) f.get(p).set(inputAt[k]!)
  f.block().loop()
  f.get(row).op('i32.eqz').brIf(1)
  const step = (vector: boolean) => {
    const windows = vector ? lanes.lanes : 1
    body(vector, top, bottom, outputAt, inputAt)
    f.get(top)
      .i32(2 * windows * e)
      .op('i32.add')
      .set(top)
    f.get(bottom)
      .i32(2 * windows * e)
      .op('i32.add')
      .set(bottom)
    for (const p of inputAt)
      f.get(p)
        .i32(2 * windows * e)
        .op('i32.add')
        .set(p)
    for (const p of outputAt)
      f.get(p)
        .i32(windows * e)
        .op('i32.add')
        .set(p)
    f.get(j).i32(windows).op('i32.sub').set(j)
  }
  // the row's windows: `top` walks the upper input row, `bottom` the one below
  const rowStart = f.local('i32')
  const inputRowStarts = inputAt.map(() => f.local('i32'))
  f.get(top).set(rowStart)
  for (const [k, p] of inputAt.entries()) f.get(p).set(inputRowStarts[k]!)
  f.get(top).get(rowBytes).op('i32.add').set(bottom)
  f.get(params.outWidth).set(j)
  f.block().loop()
  f.get(j).i32(lanes.lanes).op('i32.lt_u').brIf(1)
  step(true)
  f.br(0).end().end()
  f.block().loop()
  f.get(j).op('i32.eqz').brIf(1)
  step(false)
  f.br(0).end().end()
  // the next output row starts two input rows down (a leftover odd row or column is never read:
  // rows counts the planes' output rows, and a plane of odd height skips its last row below)
  f.get(rowStart).get(rowBytes).i32(1).op('i32.shl').op('i32.add').set(top)
  for (const [k, p] of inputAt.entries())
    f.get(inputRowStarts[k]!).get(rowBytes).i32(1).op('i32.shl').op('i32.add').set(p)
  f.get(row).i32(1).op('i32.sub').set(row)
  f.br(0).end().end()
}

/** Loads the four window corners `a b / c d` of `lanes` windows (or one, splatted) into locals. */
const loadCorners = (
  f: FunctionBuilder,
  lanes: Lanes,
  vector: boolean,
  top: number,
  bottom: number,
  corners: readonly [number, number, number, number],
) => {
  const [a, b, c, d] = corners
  const e = lanes.bytes
  for (const [row, first, second] of [
    [top, a, b],
    [bottom, c, d],
  ] as const) {
    if (vector) {
      f.get(row).mem('v128.load').get(row).mem('v128.load', 16).shuffle(evens(lanes)).set(first)
      f.get(row).mem('v128.load').get(row).mem('v128.load', 16).shuffle(odds(lanes)).set(second)
    } else {
      f.get(row).mem(lanes.splatLoad).set(first)
      f.get(row).mem(lanes.splatLoad, e).set(second)
    }
  }
}

/** Stores lane 0 of the vector on the stack below the address (the single-window tail). */
const storeLane0 = (f: FunctionBuilder, lanes: Lanes) =>
  f.lane(lanes.precision === 'f32' ? 'f32x4.extract_lane' : 'f64x2.extract_lane', 0).mem(lanes.store)

/**
 * `maxPool2x2(x, out, planes, rows, width, outWidth)`: the first largest of each window (`>` in the
 * order a, b, c, d), NaN when the window holds one (the canonical NaN, as a JavaScript store of
 * `NaN` writes it).
 */
const emitMaxPool2x2 = (lanes: Lanes): FunctionBuilder => {
  const f = new FunctionBuilder(Array.from({ length: 6 }, () => 'i32' as const))
  const [x, out, planes, rows, width, outWidth] = [0, 1, 2, 3, 4, 5]
  const corners = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')] as const
  const [best, nan] = [f.local('v128'), f.local('v128')]
  lanes.constant(f, Number.NaN)
  f.op(lanes.splat).set(nan)
  emitPoolLoops(f, lanes, { x, planes, rows, width, outWidth }, [out], [], (vector, top, bottom, [o]) => {
    loadCorners(f, lanes, vector, top, bottom, corners)
    const [a, b, c, d] = corners
    f.get(a).set(best)
    for (const v of [b, c, d])
      f.get(v).get(best).get(v).get(best).op(lanes.vector('gt')).op('v128.bitselect').set(best)
    f.get(o!)
    f.get(nan).get(best)
    f.get(a).get(a).op(lanes.vector('ne'))
    for (const v of [b, c, d]) f.get(v).get(v).op(lanes.vector('ne')).op('v128.or')
    f.op('v128.bitselect')
    if (vector) f.mem('v128.store')
    else storeLane0(f, lanes)
  })
  return f
}

/**
 * `maxPool2x2Grad(x, ct, dx, planes, rows, width, outWidth)`: adds each window's cotangent, divided
 * by the number of elements equal to the window's largest non-NaN value, onto those elements.
 */
const emitMaxPool2x2Grad = (lanes: Lanes): FunctionBuilder => {
  const f = new FunctionBuilder(Array.from({ length: 7 }, () => 'i32' as const))
  const [x, ct, dx, planes, rows, width, outWidth] = [0, 1, 2, 3, 4, 5, 6]
  const corners = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')] as const
  const masks = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')] as const
  const gradients = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')] as const
  const [best, ties, share, one, lowest] = [
    f.local('v128'),
    f.local('v128'),
    f.local('v128'),
    f.local('v128'),
    f.local('v128'),
  ]
  const e = lanes.bytes
  lanes.constant(f, 1)
  f.op(lanes.splat).set(one)
  lanes.constant(f, Number.NEGATIVE_INFINITY)
  f.op(lanes.splat).set(lowest)
  const add = lanes.vector('add')
  emitPoolLoops(
    f,
    lanes,
    { x, planes, rows, width, outWidth },
    [ct],
    [dx],
    (vector, top, bottom, [o], [g]) => {
      const gBottom = f.local('i32')
      f.get(g!).get(bottom).op('i32.add').get(top).op('i32.sub').set(gBottom)
      loadCorners(f, lanes, vector, top, bottom, corners)
      loadCorners(f, lanes, vector, g!, gBottom, gradients)
      f.get(lowest).set(best)
      for (const v of corners)
        f.get(v).get(best).get(v).get(best).op(lanes.vector('gt')).op('v128.bitselect').set(best)
      corners.forEach((v, k) => {
        f.get(v).get(best).op(lanes.vector('eq')).set(masks[k]!)
      })
      // ties counted in floating point (exact: at most 4)
      f.get(masks[0]).get(one).op('v128.and')
      for (const m of masks.slice(1)) f.get(m).get(one).op('v128.and').op(add)
      f.set(ties)
      f.get(o!)
        .mem(vector ? 'v128.load' : lanes.splatLoad)
        .get(ties)
        .op(lanes.vector('div'))
        .set(share)
      // an element that is not a maximum keeps its value (not even -0 becomes 0)
      gradients.forEach((v, k) => {
        f.get(v).get(share).op(add).get(v).get(masks[k]!).op('v128.bitselect').set(v)
      })
      const [ga, gb, gc, gd] = gradients
      for (const [row, first, second] of [
        [g!, ga, gb],
        [gBottom, gc, gd],
      ] as const) {
        if (vector) {
          f.get(row).get(first).get(second).shuffle(interleaved(lanes, false)).mem('v128.store')
          f.get(row).get(first).get(second).shuffle(interleaved(lanes, true)).mem('v128.store', 16)
        } else {
          f.get(row).get(first)
          storeLane0(f, lanes)
          f.get(row).i32(e).op('i32.add').get(second)
          storeLane0(f, lanes)
        }
      }
    },
  )
  return f
}

/** The window kernels of one precision, as the module's exported functions. */
export const functionsOf = (lanes: Lanes): ExportedFunction[] => [
  { name: `copyRows_${lanes.precision}`, body: emitRows(lanes, false) },
  { name: `addRows_${lanes.precision}`, body: emitRows(lanes, true) },
  { name: `maxPool2x2_${lanes.precision}`, body: emitMaxPool2x2(lanes) },
  { name: `maxPool2x2Grad_${lanes.precision}`, body: emitMaxPool2x2Grad(lanes) },
]
