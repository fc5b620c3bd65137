/**
 * WebAssembly SIMD kernels for the data movement of convolutions and pooling over `[N, C, H, W]`
 * images: unfolding rows of an image into a patch matrix (im2col, stride 1 along the width),
 * adding them back (col2im), and the 2×2, stride-2 max pooling with its gradient. They compute
 * exactly what the TypeScript loops of src/conv compute (the same copies, the same additions in the
 * same order, the same comparisons), bit for bit, and the convolution kernels use them when the
 * WebAssembly back end is active.
 *
 * Their code is emitted in kernels/wasm/windowCode.ts; this module compiles it and runs it over
 * arrays. They run in a memory of their own (compiled on first use): each call copies its operands in from
 * address 0 on, runs, and copies the result out, so the memory only grows to the largest call.
 * The row copies and additions are also compiled into the product's module, where the back end's
 * convolutions (`convolution.ts`) walk them with `forEachPatchRow` over its own memory; these
 * array-to-array forms serve the unfolding path of src/conv and the pooling.
 *
 * @module kernels/wasm/windows
 */
import type { ConvGeometry, FloatArray } from '../types.js'
import { type WasmMemory, webAssembly } from './api.js'
import { buildModule } from './encoder.js'
import { Heap, layOut } from './heap.js'
import { f32Lanes, f64Lanes, precisionOf } from './lanes.js'
import { createMemory, maximumPages, supportsSimd } from './module.js'
import { madeSharedArena } from './sharedArena.js'
import { functionsOf, type PoolFunction, type RowsFunction } from './windowCode.js'

/**
 * The sizes a window kernel loops over (a convolution's geometry, which has them all, without its
 * output channels).
 */
export type WindowGeometry = Omit<ConvGeometry, 'outChannels'>

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
    const memory: WasmMemory = createMemory(false)
    const { exports } = new webAssembly!.Instance(new webAssembly!.Module(bytes), { env: { memory } })
    instance = { heap: new Heap(memory), exports }
  } catch (error) {
    // no address space for the memory: the callers keep their TypeScript loops
    if (!(error instanceof RangeError)) throw error
  }
  return instance
}

/** Whether `unfoldRows`/`foldRows` handle this geometry (stride 1 along the width). */
export const rowsApply = (g: WindowGeometry): boolean => g.strideX === 1

/** The valid output rows `[first, end)` of kernel row `ky` and columns of kernel column `kx`. */
const validRange = (out: number, stride: number, offset: number, size: number): [number, number] => [
  Math.max(0, Math.ceil(-offset / stride)),
  Math.min(out, Math.floor((size - 1 - offset) / stride) + 1),
]

/**
 * For each (channel, ky, kx) of `group`, in the patch matrix's row order: calls `visit` with the
 * row's index and the arguments of the row kernel (`windowCode.ts`) that copies it over every image
 * from the image at `imageAt` to the patch matrix at `patchesAt` (`copy`) or back (addresses in
 * bytes; `e` bytes per element). A row whose windows all read padding gets a count or a byte length
 * of 0.
 */
const visitPatchRows = (
  g: WindowGeometry,
  group: number,
  imageAt: number,
  patchesAt: number,
  e: number,
  copy: boolean,
  visit: (row: number, ...rowArguments: number[]) => void,
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
        const row = (ci * g.kernelHeight + ky) * g.kernelWidth + kx
        const count = Math.max(0, oyEnd - oyFirst)
        const bytes = Math.max(0, end - first) * e
        const patch = patchesAt + (row * columns + oyFirst * g.outWidth + first) * e
        const image =
          imageAt + (c * g.height * g.width + (oyFirst * g.strideY + yOffset) * g.width + xOffset + first) * e
        const [imageBatch, patchBatch, imageRow, patchRow] = [
          g.channels * g.height * g.width * e,
          positions * e,
          g.strideY * g.width * e,
          g.outWidth * e,
        ]
        if (copy) visit(row, image, patch, imageBatch, patchBatch, count, imageRow, patchRow, bytes)
        else visit(row, patch, image, patchBatch, imageBatch, count, patchRow, imageRow, bytes)
      }
    }
  }
}

/**
 * For each (channel, ky, kx) of `group` and each image: runs `rows` over the output rows that read
 * inside the image, from the image at `imageAt` to the patch matrix at `patchesAt` (`copy`) or
 * back (addresses in bytes; `e` bytes per element).
 */
export const forEachPatchRow = (
  g: WindowGeometry,
  group: number,
  imageAt: number,
  patchesAt: number,
  e: number,
  rows: RowsFunction,
  copy: boolean,
): void =>
  visitPatchRows(g, group, imageAt, patchesAt, e, copy, (_, src, dst, ...strides) => {
    // strides: srcBatchStride, dstBatchStride, count, srcRowStride, dstRowStride, bytes
    if (strides[2]! > 0 && strides[5]! > 0) rows(src!, dst!, g.batch, ...strides)
  })

/** Bytes of one entry of a patch table (`writePatchTable`). */
export const patchTableEntryBytes = 32

/**
 * Writes the unfolding of `group` (im2col, as `forEachPatchRow` with `copy` runs it; or with `copy`
 * false the folding back, col2im) as a table of one entry per patch row at `table` (an `Int32Array`
 * index) of `words`: the row kernel's arguments less the image count, `src, dst, srcBatchStride,
 * dstBatchStride, count, srcRowStride, dstRowStride, bytes`, for image 0. The kernel module's
 * `unfold` (`fold`) runs any range of its rows over any range of images, so threads can share it.
 */
export const writePatchTable = (
  g: WindowGeometry,
  group: number,
  imageAt: number,
  patchesAt: number,
  e: number,
  words: Int32Array,
  table: number,
  copy = true,
): void =>
  visitPatchRows(g, group, imageAt, patchesAt, e, copy, (row, src, dst, ...rest) => {
    const at = table + row * (patchTableEntryBytes / 4)
    words[at] = src!
    words[at + 1] = dst!
    for (let i = 0; i < 6; i++) words[at + 2 + i] = rest[i]!
  })

/** Whether some window reaches outside the image (those patch entries are zero). */
export const readsPadding = (g: WindowGeometry): boolean =>
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
 * Runs the pooling kernel `name` over `arrays` (its arrays in argument order, the last one written;
 * the first `read` of them are read) on every plane, each array at the input plane's offset or the
 * output plane's as `planeOf` says. A plan's buffers in the shared arena are pooled where they are,
 * with the arena's kernels; other arrays are copied into the window kernels' memory and the written
 * one copied back. False, having written nothing, when the kernels are unavailable or the memory
 * cannot hold the arrays.
 */
const pool = (
  name: 'maxPool2x2' | 'maxPool2x2Grad',
  arrays: readonly FloatArray[],
  read: number,
  planeOf: readonly ('in' | 'out')[],
  g: PairGeometry,
): boolean => {
  const x = arrays[0]!
  const e = x.BYTES_PER_ELEMENT
  const arena = madeSharedArena()
  let kernel: PoolFunction
  let addresses: number[]
  let finish = (): void => {}
  if (arena?.holds(...arrays) === true) {
    kernel = arena.kernels[precisionOf(x)][name]
    addresses = arrays.map((a) => a.byteOffset)
  } else {
    const kernels = instanceOf()
    if (kernels === undefined) return false
    const at = layOut(
      kernels.heap,
      arrays.map((a) => a.length),
      e,
    )
    if (at === undefined) return false
    const heap = kernels.heap.viewFor(x)
    for (let i = 0; i < read; i++) heap.set(arrays[i]!, at[i]! / e)
    kernel = kernels.exports[`${name}_${precisionOf(x)}`] as PoolFunction
    addresses = at.slice(0, arrays.length)
    const [written, writtenAt] = [arrays.at(-1)!, addresses.at(-1)! / e]
    finish = () => written.set(heap.subarray(writtenAt, writtenAt + written.length))
  }
  poolPlanes(g, (planeIn, planeOut, planes, rows) =>
    kernel(
      ...addresses.map((at, i) => at + (planeOf[i] === 'in' ? planeIn : planeOut) * e),
      planes,
      rows,
      g.width,
      g.outWidth,
    ),
  )
  finish()
  return true
}

/**
 * The 2×2, stride-2 max pooling of `x` into `out` (windows inside the image: `2·outHeight ≤ height`,
 * `2·outWidth ≤ width`). False, having written nothing, when the kernels are unavailable or the
 * memory cannot hold the operands.
 */
export const maxPool2x2Rows = (x: FloatArray, g: PairGeometry, out: FloatArray): boolean =>
  pool('maxPool2x2', [x, out], 1, ['in', 'out'], g)

/**
 * The cotangent of the 2×2, stride-2 max pooling, added onto `dx` (zero-filled by the caller, as
 * the TypeScript loop expects). False as for `maxPool2x2Rows`.
 */
export const maxPool2x2GradRows = (x: FloatArray, ct: FloatArray, g: PairGeometry, dx: FloatArray): boolean =>
  pool('maxPool2x2Grad', [x, ct, dx], 3, ['in', 'out', 'in'], g)

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
