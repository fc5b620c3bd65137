/**
 * WebAssembly SIMD kernels for the data movement of convolutions and pooling over `[N, C, H, W]`
 * images: unfolding rows of an image into a patch matrix (im2col, stride 1 along the width),
 * adding them back (col2im), and the 2×2, stride-2 max pooling with its gradient. They compute
 * exactly what the TypeScript loops of src/conv compute (the same copies, the same additions in the
 * same order, the same comparisons), bit for bit, and the convolution kernels use them when the
 * WebAssembly back end is active.
 *
 * They run in a memory of their own (compiled on first use): each call copies its operands in from
 * address 0 on, runs, and copies the result out, so the memory only grows to the largest call.
 *
 * @module kernels/wasm/windows
 */
import type { FloatArray } from '../types.js'
import { type WasmMemory, webAssembly } from './api.js'
import { buildModule, type ExportedFunction, FunctionBuilder } from './encoder.js'
import { align16, Heap } from './heap.js'
import { f32Lanes, f64Lanes, type Lanes } from './lanes.js'
import { maximumPages, supportsSimd } from './module.js'

/** The sizes a window kernel loops over (a convolution's geometry has them all). */
export interface WindowGeometry {
  readonly batch: number
  readonly channels: number
  readonly height: number
  readonly width: number
  readonly kernelHeight: number
  readonly kernelWidth: number
  readonly outHeight: number
  readonly outWidth: number
  readonly strideY: number
  readonly strideX: number
  readonly padTop: number
  readonly padLeft: number
  readonly dilationY: number
  readonly dilationX: number
  readonly groups: number
}

/** `rows(src, dst, batch, srcBatchStride, dstBatchStride, count, srcRowStride, dstRowStride, bytes)`. */
type RowsFunction = (...args: number[]) => void

/** `pool(x, out, planes, rows, width, outWidth)` and `poolGrad(x, ct, dx, planes, rows, width, outWidth)`. */
type PoolFunction = (...args: number[]) => void

/**
 * Copies `bytes` bytes from the address in local `src` to the one in `dst` (16 at a time, then 4 at
 * a time), advancing neither; `i`, `s`, `d` are scratch i32 locals.
 */
const emitCopy = (
  f: FunctionBuilder,
  src: number,
  dst: number,
  bytes: number,
  scratch: readonly number[],
) => {
  const [i, s, d] = scratch as [number, number, number]
  f.get(src).set(s).get(dst).set(d).get(bytes).set(i)
  f.block().loop()
  f.get(i).i32(16).op('i32.lt_u').brIf(1)
  f.get(d).get(s).mem('v128.load').mem('v128.store')
  f.get(s).i32(16).op('i32.add').set(s)
  f.get(d).i32(16).op('i32.add').set(d)
  f.get(i).i32(16).op('i32.sub').set(i)
  f.br(0).end().end()
  f.block().loop()
  f.get(i).op('i32.eqz').brIf(1)
  f.get(d).get(s).mem('i32.load').mem('i32.store')
  f.get(s).i32(4).op('i32.add').set(s)
  f.get(d).i32(4).op('i32.add').set(d)
  f.get(i).i32(4).op('i32.sub').set(i)
  f.br(0).end().end()
}

/** Adds the `bytes` bytes of elements at `src` onto those at `dst` (vectors, then single elements). */
const emitAdd = (
  f: FunctionBuilder,
  lanes: Lanes,
  src: number,
  dst: number,
  bytes: number,
  scratch: readonly number[],
) => {
  const [i, s, d] = scratch as [number, number, number]
  f.get(src).set(s).get(dst).set(d).get(bytes).set(i)
  f.block().loop()
  f.get(i).i32(16).op('i32.lt_u').brIf(1)
  f.get(d).get(d).mem('v128.load').get(s).mem('v128.load').op(lanes.vector('add')).mem('v128.store')
  f.get(s).i32(16).op('i32.add').set(s)
  f.get(d).i32(16).op('i32.add').set(d)
  f.get(i).i32(16).op('i32.sub').set(i)
  f.br(0).end().end()
  f.block().loop()
  f.get(i).op('i32.eqz').brIf(1)
  const add = lanes.precision === 'f32' ? 'f32.add' : 'f64.add'
  f.get(d).get(d).mem(lanes.load).get(s).mem(lanes.load).op(add).mem(lanes.store)
  f.get(s).i32(lanes.bytes).op('i32.add').set(s)
  f.get(d).i32(lanes.bytes).op('i32.add').set(d)
  f.get(i).i32(lanes.bytes).op('i32.sub').set(i)
  f.br(0).end().end()
}

/**
 * `rows(src, dst, batch, srcBatchStride, dstBatchStride, count, srcRowStride, dstRowStride, bytes)`:
 * for each of `batch` images and each of `count` rows, copies (or, with `add`, adds) `bytes` bytes
 * of the source row onto the destination row. Strides in bytes.
 */
const emitRows = (lanes: Lanes, add: boolean): FunctionBuilder => {
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

const functionsOf = (lanes: Lanes): ExportedFunction[] => [
  { name: `copyRows_${lanes.precision}`, body: emitRows(lanes, false) },
  { name: `addRows_${lanes.precision}`, body: emitRows(lanes, true) },
  { name: `maxPool2x2_${lanes.precision}`, body: emitMaxPool2x2(lanes) },
  { name: `maxPool2x2Grad_${lanes.precision}`, body: emitMaxPool2x2Grad(lanes) },
]

/** The compiled kernels over their memory. */
interface Instance {
  readonly heap: Heap
  readonly exports: Readonly<Record<string, unknown>>
}

let instance: Instance | undefined | null = null

const instanceOf = (): Instance | undefined => {
  if (instance !== null) return instance
  instance = undefined
  if (!supportsSimd()) return undefined
  try {
    const bytes = buildModule({ initial: 1, maximum: maximumPages, shared: false }, [
      ...functionsOf(f32Lanes),
      ...functionsOf(f64Lanes),
    ])
    const memory: WasmMemory = new webAssembly!.Memory({ initial: 16, maximum: maximumPages })
    const { exports } = new webAssembly!.Instance(new webAssembly!.Module(bytes), { env: { memory } })
    instance = { heap: new Heap(memory), exports }
  } catch (error) {
    // no address space for the memory: the callers keep their TypeScript loops
    if (!(error instanceof RangeError)) throw error
  }
  return instance
}

const precisionOf = (a: FloatArray): string => (a instanceof Float32Array ? 'f32' : 'f64')

/** Lays `arrays` out from address 0 (16-byte aligned); undefined when the memory cannot hold them. */
const layOut = (heap: Heap, sizes: readonly number[], e: number): number[] | undefined => {
  const at: number[] = []
  let next = 0
  for (const size of sizes) {
    at.push(next)
    next += align16(size * e)
  }
  return heap.ensure(next) ? at : undefined
}

/** Whether `unfoldRows`/`foldRows` handle this geometry (stride 1 along the width). */
export const rowsApply = (g: WindowGeometry): boolean => g.strideX === 1

/** The valid output rows `[first, end)` of kernel row `ky` and columns of kernel column `kx`. */
const validRange = (out: number, stride: number, offset: number, size: number): [number, number] => [
  Math.max(0, Math.ceil(-offset / stride)),
  Math.min(out, Math.floor((size - 1 - offset) / stride) + 1),
]

/**
 * For each (channel, ky, kx) of `group` and each image: runs `rows` over the output rows that read
 * inside the image, the image row at `imageRow(...)` against the patch row `patchRow(...)`.
 */
const forEachPatchRow = (
  g: WindowGeometry,
  group: number,
  imageAt: number,
  patchesAt: number,
  e: number,
  rows: RowsFunction,
  copy: boolean,
): void => {
  const perGroup = g.channels / g.groups
  const positions = g.outHeight * g.outWidth
  const columns = g.batch * positions
  for (let ci = 0; ci < perGroup; ci++) {
    const c = group * perGroup + ci
    for (let ky = 0; ky < g.kernelHeight; ky++) {
      const yOffset = ky * g.dilationY - g.padTop
      const [oyFirst, oyEnd] = validRange(g.outHeight, g.strideY, yOffset, g.height)
      for (let kx = 0; kx < g.kernelWidth; kx++) {
        const xOffset = kx * g.dilationX - g.padLeft
        const [first, end] = validRange(g.outWidth, 1, xOffset, g.width)
        const rowStart = ((ci * g.kernelHeight + ky) * g.kernelWidth + kx) * columns
        const count = Math.max(0, oyEnd - oyFirst)
        const bytes = Math.max(0, end - first) * e
        const patch = patchesAt + (rowStart + oyFirst * g.outWidth + first) * e
        const image =
          imageAt + (c * g.height * g.width + (oyFirst * g.strideY + yOffset) * g.width + xOffset + first) * e
        const [src, dst, srcBatch, dstBatch, srcRow, dstRow] = copy
          ? [
              image,
              patch,
              g.channels * g.height * g.width * e,
              positions * e,
              g.strideY * g.width * e,
              g.outWidth * e,
            ]
          : [
              patch,
              image,
              positions * e,
              g.channels * g.height * g.width * e,
              g.outWidth * e,
              g.strideY * g.width * e,
            ]
        if (count > 0 && bytes > 0) rows(src, dst, g.batch, srcBatch, dstBatch, count, srcRow, dstRow, bytes)
      }
    }
  }
}

/** Whether some window reaches outside the image (those patch entries are zero). */
const readsPadding = (g: WindowGeometry): boolean =>
  g.padTop > 0 ||
  g.padLeft > 0 ||
  (g.outHeight - 1) * g.strideY + (g.kernelHeight - 1) * g.dilationY - g.padTop >= g.height ||
  (g.outWidth - 1) * g.strideX + (g.kernelWidth - 1) * g.dilationX - g.padLeft >= g.width

/**
 * im2col: unfolds the input channels of `group` of `x` into `cols` (`[C/groups·kH·kW, N·H'·W']`,
 * zero where a window reads padding). Returns false, having written nothing, when the kernels are
 * unavailable, the geometry is not one they handle (`rowsApply`) or the memory cannot hold it.
 */
export const unfoldRows = (x: FloatArray, g: WindowGeometry, group: number, cols: FloatArray): boolean => {
  const kernels = instanceOf()
  if (kernels === undefined || !rowsApply(g)) return false
  const e = x.BYTES_PER_ELEMENT
  const at = layOut(kernels.heap, [x.length, cols.length], e)
  if (at === undefined) return false
  const [xAt, colsAt] = at as [number, number]
  const heap = kernels.heap.viewFor(x)
  heap.set(x, xAt / e)
  if (readsPadding(g)) heap.fill(0, colsAt / e, colsAt / e + cols.length)
  const rows = kernels.exports[`copyRows_${precisionOf(x)}`] as RowsFunction
  forEachPatchRow(g, group, xAt, colsAt, e, rows, true)
  cols.set(heap.subarray(colsAt / e, colsAt / e + cols.length))
  return true
}

/**
 * col2im: adds the patch matrix `cols` of `group` onto the positions of `dx` it was read from, in
 * the order of the TypeScript loop (channel, ky, kx, image, row). False as for `unfoldRows`.
 */
export const foldRows = (cols: FloatArray, g: WindowGeometry, group: number, dx: FloatArray): boolean => {
  const kernels = instanceOf()
  if (kernels === undefined || !rowsApply(g)) return false
  const e = dx.BYTES_PER_ELEMENT
  const at = layOut(kernels.heap, [dx.length, cols.length], e)
  if (at === undefined) return false
  const [dxAt, colsAt] = at as [number, number]
  const heap = kernels.heap.viewFor(dx)
  heap.set(dx, dxAt / e)
  heap.set(cols, colsAt / e)
  const rows = kernels.exports[`addRows_${precisionOf(dx)}`] as RowsFunction
  forEachPatchRow(g, group, dxAt, colsAt, e, rows, false)
  dx.set(heap.subarray(dxAt / e, dxAt / e + dx.length))
  return true
}

/** The pooling geometry the 2×2 kernels take: planes `N·C` of `height × width`, outputs `outHeight × outWidth`. */
export interface PairGeometry {
  readonly batch: number
  readonly channels: number
  readonly height: number
  readonly width: number
  readonly outHeight: number
  readonly outWidth: number
}

/**
 * The 2×2, stride-2 max pooling of `x` into `out` (windows inside the image: `2·outHeight ≤ height`,
 * `2·outWidth ≤ width`). False, having written nothing, when the kernels are unavailable or the
 * memory cannot hold the operands.
 */
export const maxPool2x2Rows = (x: FloatArray, g: PairGeometry, out: FloatArray): boolean => {
  const kernels = instanceOf()
  if (kernels === undefined) return false
  const e = x.BYTES_PER_ELEMENT
  const at = layOut(kernels.heap, [x.length, out.length], e)
  if (at === undefined) return false
  const [xAt, outAt] = at as [number, number]
  const heap = kernels.heap.viewFor(x)
  heap.set(x, xAt / e)
  const pool = kernels.exports[`maxPool2x2_${precisionOf(x)}`] as PoolFunction
  poolPlanes(g, (planeIn, planeOut, planes, rows) =>
    pool(xAt + planeIn * e, outAt + planeOut * e, planes, rows, g.width, g.outWidth),
  )
  out.set(heap.subarray(outAt / e, outAt / e + out.length))
  return true
}

/**
 * The cotangent of the 2×2, stride-2 max pooling, added onto `dx` (zero-filled by the caller, as
 * the TypeScript loop expects). False as for `maxPool2x2Rows`.
 */
export const maxPool2x2GradRows = (
  x: FloatArray,
  ct: FloatArray,
  g: PairGeometry,
  dx: FloatArray,
): boolean => {
  const kernels = instanceOf()
  if (kernels === undefined) return false
  const e = x.BYTES_PER_ELEMENT
  const at = layOut(kernels.heap, [x.length, ct.length, dx.length], e)
  if (at === undefined) return false
  const [xAt, ctAt, dxAt] = at as [number, number, number]
  const heap = kernels.heap.viewFor(x)
  heap.set(x, xAt / e)
  heap.set(ct, ctAt / e)
  heap.set(dx, dxAt / e)
  const grad = kernels.exports[`maxPool2x2Grad_${precisionOf(x)}`] as PoolFunction
  poolPlanes(g, (planeIn, planeOut, planes, rows) =>
    grad(xAt + planeIn * e, ctAt + planeOut * e, dxAt + planeIn * e, planes, rows, g.width, g.outWidth),
  )
  dx.set(heap.subarray(dxAt / e, dxAt / e + dx.length))
  return true
}

/**
 * Calls `run(inputOffset, outputOffset, planes, rows)` over all planes: once when every plane's
 * output rows cover its input rows exactly (`height = 2·outHeight`), else once per plane (the rows
 * the windows leave out sit between planes).
 */
const poolPlanes = (
  g: PairGeometry,
  run: (planeIn: number, planeOut: number, planes: number, rows: number) => void,
) => {
  const planes = g.batch * g.channels
  if (g.height === 2 * g.outHeight) {
    run(0, 0, 1, planes * g.outHeight)
    return
  }
  for (let p = 0; p < planes; p++) run(p * g.height * g.width, p * g.outHeight * g.outWidth, 1, g.outHeight)
}

/**
 * The window kernels as one value (what src/conv imports through the internal door).
 *
 * @example
 * import { windowKernels } from './windows.js'
 * const x = new Float32Array([1, 2, 3, 4])
 * const out = new Float32Array(1)
 * const geometry = { batch: 1, channels: 1, height: 2, width: 2, outHeight: 1, outWidth: 1 }
 * windowKernels.maxPool2x2(x, geometry, out) // true where WebAssembly SIMD runs; out is [4]
 */
export const windowKernels = {
  unfold: unfoldRows,
  fold: foldRows,
  maxPool2x2: maxPool2x2Rows,
  maxPool2x2Grad: maxPool2x2GradRows,
} as const
