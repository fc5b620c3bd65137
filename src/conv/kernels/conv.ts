/**
 * Fast 2-D convolution kernels: each group's input is unfolded into a patch matrix (im2col, laid
 * out `[C/groups · kH · kW, N · H' · W']` so the unfolding writes contiguously) and the arithmetic
 * is one matrix product on the active back end's GEMM (packed WebAssembly SIMD, threaded when
 * large). The three kernels are the three faces of one trilinear form `⟨ct, conv(x, w)⟩`:
 *
 * - forward      `y  = W · cols(x)`
 * - input grad   `dx = col2im(Wᵀ · ct)` (a transposed convolution)
 * - filter grad  `dw = ct · cols(x)ᵀ`
 *
 * They compute what the direct loops of `convReference.ts` compute (tested by property), up to
 * the rounding of a different summation order.
 *
 * The primitives call them through `conv2dForwardOn` and its two siblings: a back end that runs
 * convolutions whole in its own memory (`Kernels.conv2d`: the WebAssembly one, which unfolds the
 * patches where its product reads them, with bit for bit these results) takes the call first, and
 * what it declines (a stride along the width, a product small enough for JavaScript) or what a back
 * end without them gets (the reference kernels) runs here.
 *
 * @module kernels/conv
 */

import { type FloatArray, type Kernels, type MatmulArgs, readsPadding } from '../../tensor/internal.js'
import { type ConvGeometry, patchSize } from './convGeometry.js'
import { fastWindows } from './windows.js'

/** The matrix product the kernels run their arithmetic on (the active back end's `matmul`). */
export type MatmulKernel = (args: MatmulArgs) => void

const fresh = (like: FloatArray, size: number): FloatArray =>
  like instanceof Float32Array ? new Float32Array(size) : new Float64Array(size)

const sameKind = (a: FloatArray, like: FloatArray, size: number): boolean =>
  a.length === size && a instanceof Float32Array === like instanceof Float32Array

/**
 * Working arrays, kept between calls by use and size: a training step asks for the same sizes every
 * time (one per layer: a LeNet's two convolutions alternate two sizes per use), and allocating
 * megabytes per call kept the garbage collector busy for a fifth of a CNN step. The kernels are
 * synchronous, so a use's array is free again when its kernel returns. The contents are whatever
 * the last call left: every use overwrites all of it. At most `scratchEntries` arrays are kept (the
 * least recently used goes first).
 */
const scratch = new Map<string, FloatArray>()
const scratchEntries = 6

const scratchFor = (use: 'channels' | 'product' | 'patches', like: FloatArray, size: number): FloatArray => {
  const key = `${use},${size},${like.BYTES_PER_ELEMENT}`
  const kept = scratch.get(key)
  scratch.delete(key)
  const array = kept ?? fresh(like, size)
  scratch.set(key, array)
  if (scratch.size > scratchEntries) scratch.delete(scratch.keys().next().value!)
  return array
}

/**
 * Unfolds the input channels of `group` into `cols` (`[K, N·H'·W']`); entries that read padding are
 * left as they are (the caller zero-fills). Exported for the tests that hold the WebAssembly kernel
 * to it.
 */
export const im2col = (x: FloatArray, g: ConvGeometry, group: number, cols: FloatArray): void => {
  const { batch, channels, height, width, kernelHeight, kernelWidth, outHeight, outWidth } = g
  const { strideY, strideX, padTop, padLeft, dilationY, dilationX } = g
  const channelsPerGroup = channels / g.groups
  const positions = outHeight * outWidth
  const columns = batch * positions
  for (let ci = 0; ci < channelsPerGroup; ci++) {
    const c = group * channelsPerGroup + ci
    for (let ky = 0; ky < kernelHeight; ky++)
      for (let kx = 0; kx < kernelWidth; kx++) {
        const rowStart = ((ci * kernelHeight + ky) * kernelWidth + kx) * columns
        const xOffset = kx * dilationX - padLeft
        // the output columns whose input column lies inside the image
        const first = Math.max(0, Math.ceil(-xOffset / strideX))
        const end = Math.min(outWidth, Math.floor((width - 1 - xOffset) / strideX) + 1)
        for (let n = 0; n < batch; n++) {
          const plane = (n * channels + c) * height * width
          const base = rowStart + n * positions
          for (let oy = 0; oy < outHeight; oy++) {
            const iy = oy * strideY - padTop + ky * dilationY
            if (iy < 0 || iy >= height) continue
            const from = plane + iy * width + xOffset
            const to = base + oy * outWidth
            for (let ox = first; ox < end; ox++) cols[to + ox] = x[from + ox * strideX]!
          }
        }
      }
  }
}

/**
 * Adds the patch matrix `cols` of `group` back onto the input positions it was read from (exported
 * for the tests that hold the WebAssembly kernel to it).
 */
export const col2im = (cols: FloatArray, g: ConvGeometry, group: number, dx: FloatArray): void => {
  const { batch, channels, height, width, kernelHeight, kernelWidth, outHeight, outWidth } = g
  const { strideY, strideX, padTop, padLeft, dilationY, dilationX } = g
  const channelsPerGroup = channels / g.groups
  const positions = outHeight * outWidth
  const columns = batch * positions
  for (let ci = 0; ci < channelsPerGroup; ci++) {
    const c = group * channelsPerGroup + ci
    for (let ky = 0; ky < kernelHeight; ky++)
      for (let kx = 0; kx < kernelWidth; kx++) {
        const rowStart = ((ci * kernelHeight + ky) * kernelWidth + kx) * columns
        const xOffset = kx * dilationX - padLeft
        const first = Math.max(0, Math.ceil(-xOffset / strideX))
        const end = Math.min(outWidth, Math.floor((width - 1 - xOffset) / strideX) + 1)
        for (let n = 0; n < batch; n++) {
          const plane = (n * channels + c) * height * width
          const base = rowStart + n * positions
          for (let oy = 0; oy < outHeight; oy++) {
            const iy = oy * strideY - padTop + ky * dilationY
            if (iy < 0 || iy >= height) continue
            const to = plane + iy * width + xOffset
            const from = base + oy * outWidth
            for (let ox = first; ox < end; ox++) dx[to + ox * strideX]! += cols[from + ox]!
          }
        }
      }
  }
}

/** The output channels of `group` of an `[N, O, H'·W']` array, as `[O/groups, N·H'·W']`. */
const gatherChannels = (y: FloatArray, g: ConvGeometry, group: number): FloatArray => {
  const perGroup = g.outChannels / g.groups
  const positions = g.outHeight * g.outWidth
  const columns = g.batch * positions
  const out = scratchFor('channels', y, perGroup * columns)
  for (let o = 0; o < perGroup; o++)
    for (let n = 0; n < g.batch; n++) {
      const from = (n * g.outChannels + group * perGroup + o) * positions
      out.set(y.subarray(from, from + positions), o * columns + n * positions)
    }
  return out
}

/** Writes `[O/groups, N·H'·W']` into the output channels of `group` of an `[N, O, H'·W']` array. */
const scatterChannels = (part: FloatArray, g: ConvGeometry, group: number, y: FloatArray): void => {
  const perGroup = g.outChannels / g.groups
  const positions = g.outHeight * g.outWidth
  const columns = g.batch * positions
  for (let o = 0; o < perGroup; o++)
    for (let n = 0; n < g.batch; n++) {
      const from = o * columns + n * positions
      y.set(part.subarray(from, from + positions), (n * g.outChannels + group * perGroup + o) * positions)
    }
}

/**
 * The last few patch matrices, each with a copy of the input it unfolded: the filter gradient of a
 * training step unfolds the very input its forward pass unfolded, so it finds the matrix here
 * instead of unfolding again. An entry is used only when the geometry matches and the input is
 * bit for bit the copy — never by the array's identity, because a compiled plan's buffers are
 * views that every run rewrites (and the check costs a pass over the input, a fraction of the
 * `kH·kW` times larger unfolding). Small: a few entries, each at most `cacheLimit` elements.
 */
const unfolded: { input: Int32Array; key: string; cols: FloatArray }[] = []
const cacheEntries = 4
const cacheLimit = 8 * 1024 * 1024

const geometryKey = (g: ConvGeometry, group: number): string =>
  [
    g.batch,
    g.channels,
    g.height,
    g.width,
    g.outChannels,
    g.kernelHeight,
    g.kernelWidth,
    g.strideY,
    g.strideX,
    g.padTop,
    g.padLeft,
    g.outHeight,
    g.outWidth,
    g.dilationY,
    g.dilationX,
    g.groups,
    group,
  ].join(',')

/** The bits of `x` (a float array's bytes read as 32-bit integers, so -0, 0 and NaNs are told apart). */
const bitsOf = (x: FloatArray): Int32Array => new Int32Array(x.buffer, x.byteOffset, x.byteLength / 4)

const sameBits = (a: Int32Array, b: Int32Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const unfold = (x: FloatArray, g: ConvGeometry, group: number): FloatArray => {
  const key = `${geometryKey(g, group)},${x.BYTES_PER_ELEMENT}`
  const bits = bitsOf(x)
  const at = unfolded.findIndex((e) => e.key === key && sameBits(e.input, bits))
  if (at >= 0) {
    // most recently used first: an input unfolded every step (a fixed batch) is not pushed out
    const hit = unfolded.splice(at, 1)[0]!
    unfolded.unshift(hit)
    return hit.cols
  }
  const size = patchSize(g) * g.batch * g.outHeight * g.outWidth
  // a full cache gives up the arrays of its least recently used entry of this size (the matrix is
  // zeroed where padding is read), else its oldest entry, and a new matrix is made
  const full = unfolded.length >= cacheEntries
  const same = full ? unfolded.findLastIndex((e) => sameKind(e.cols, x, size)) : -1
  const old = same >= 0 ? unfolded.splice(same, 1)[0]! : undefined
  const cols = old !== undefined ? old.cols : fresh(x, size)
  if (fastWindows()?.unfold(x, g, group, cols) !== true) {
    if (old !== undefined && readsPadding(g)) cols.fill(0)
    im2col(x, g, group, cols)
  }
  if (cols.length <= cacheLimit) {
    const input =
      old !== undefined && old.input.length === bits.length ? old.input : new Int32Array(bits.length)
    input.set(bits)
    unfolded.unshift({ input, key, cols })
    if (unfolded.length > cacheEntries) unfolded.pop()
  }
  return cols
}

const filtersOf = (w: FloatArray, g: ConvGeometry, group: number): FloatArray => {
  const size = (g.outChannels / g.groups) * patchSize(g)
  return w.subarray(group * size, (group + 1) * size)
}

/** `out = conv(x, w)`: x `[N, C, H, W]`, w `[O, C/groups, kH, kW]`, out `[N, O, H', W']`. */
export const conv2dForward = (
  matmul: MatmulKernel,
  x: FloatArray,
  w: FloatArray,
  g: ConvGeometry,
  out: FloatArray,
): void => {
  const k = patchSize(g)
  const perGroup = g.outChannels / g.groups
  const columns = g.batch * g.outHeight * g.outWidth
  for (let group = 0; group < g.groups; group++) {
    const part = scratchFor('product', out, perGroup * columns)
    matmul({
      a: filtersOf(w, g, group),
      aShape: [perGroup, k],
      b: unfold(x, g, group),
      bShape: [k, columns],
      transposeA: false,
      transposeB: false,
      out: part,
      outShape: [perGroup, columns],
    })
    scatterChannels(part, g, group, out)
  }
}

/**
 * `dx += convᵀ(ct, w)`, the cotangent of the input (a transposed convolution): ct `[N, O, H', W']`,
 * dx `[N, C, H, W]` (zero-filled by the caller).
 */
export const conv2dInputGrad = (
  matmul: MatmulKernel,
  ct: FloatArray,
  w: FloatArray,
  g: ConvGeometry,
  dx: FloatArray,
): void => {
  const k = patchSize(g)
  const perGroup = g.outChannels / g.groups
  const columns = g.batch * g.outHeight * g.outWidth
  for (let group = 0; group < g.groups; group++) {
    const cols = scratchFor('patches', dx, k * columns)
    matmul({
      a: filtersOf(w, g, group),
      aShape: [perGroup, k],
      b: gatherChannels(ct, g, group),
      bShape: [perGroup, columns],
      transposeA: true,
      transposeB: false,
      out: cols,
      outShape: [k, columns],
    })
    if (fastWindows()?.fold(cols, g, group, dx) !== true) col2im(cols, g, group, dx)
  }
}

/** `dw = ct ⋆ x`, the cotangent of the filters: x `[N, C, H, W]`, ct `[N, O, H', W']`, dw like w. */
export const conv2dFilterGrad = (
  matmul: MatmulKernel,
  x: FloatArray,
  ct: FloatArray,
  g: ConvGeometry,
  dw: FloatArray,
): void => {
  const k = patchSize(g)
  const perGroup = g.outChannels / g.groups
  const columns = g.batch * g.outHeight * g.outWidth
  for (let group = 0; group < g.groups; group++)
    matmul({
      a: gatherChannels(ct, g, group),
      aShape: [perGroup, columns],
      b: unfold(x, g, group),
      bShape: [k, columns],
      transposeA: false,
      transposeB: true,
      out: filtersOf(dw, g, group),
      outShape: [perGroup, k],
    })
}

/**
 * `out = conv(x, w)` on `backEnd`: whole in its own memory when it runs convolutions and takes this
 * one (`Kernels.conv2d`, bit for bit the same result), else unfolded here and multiplied with its
 * `matmul`.
 */
export const conv2dForwardOn = (
  backEnd: Kernels,
  x: FloatArray,
  w: FloatArray,
  g: ConvGeometry,
  out: FloatArray,
) => {
  if (backEnd.conv2d?.forward(x, w, g, out) !== true) conv2dForward(backEnd.matmul, x, w, g, out)
}

/** `dx += convᵀ(ct, w)` on `backEnd`, as `conv2dForwardOn` chooses. */
export const conv2dInputGradOn = (
  backEnd: Kernels,
  ct: FloatArray,
  w: FloatArray,
  g: ConvGeometry,
  dx: FloatArray,
) => {
  if (backEnd.conv2d?.inputGrad(ct, w, g, dx) !== true) conv2dInputGrad(backEnd.matmul, ct, w, g, dx)
}

/** `dw = ct ⋆ x` on `backEnd`, as `conv2dForwardOn` chooses. */
export const conv2dFilterGradOn = (
  backEnd: Kernels,
  x: FloatArray,
  ct: FloatArray,
  g: ConvGeometry,
  dw: FloatArray,
) => {
  if (backEnd.conv2d?.filterGrad(x, ct, g, dw) !== true) conv2dFilterGrad(backEnd.matmul, x, ct, g, dw)
}
