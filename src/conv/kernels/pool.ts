/**
 * Window kernels over `[N, C, H, W]` images: max and average pooling, and the window extraction
 * (`patches`, `[N, C, H', W', kH, kW]`) with its transpose (adding every window back onto the
 * positions it was read from), which the pooling gradients are written with. Geometry as in
 * `convGeometry.ts` (`outChannels` = `channels`).
 *
 * @module kernels/pool
 */

import type { FloatArray } from '../../tensor/internal.js'
import type { ConvGeometry } from './convGeometry.js'
import { fastWindows } from './windows.js'

/** Where each window starts and ends along one axis, padding cut off: `[from[i], to[i])`. */
interface Ranges {
  readonly from: Int32Array
  readonly to: Int32Array
}

const rangesAlong = (outSize: number, stride: number, pad: number, kernel: number, size: number): Ranges => {
  const from = new Int32Array(outSize)
  const to = new Int32Array(outSize)
  for (let i = 0; i < outSize; i++) {
    const start = i * stride - pad
    from[i] = Math.max(0, start)
    to[i] = Math.min(size, start + kernel)
  }
  return { from, to }
}

/** The window bounds of every output row and column (computed once per call, not per window). */
const windowsOf = (g: ConvGeometry): { rows: Ranges; cols: Ranges } => ({
  rows: rangesAlong(g.outHeight, g.strideY, g.padTop, g.kernelHeight, g.height),
  cols: rangesAlong(g.outWidth, g.strideX, g.padLeft, g.kernelWidth, g.width),
})

/** A window's in-image rows `[yFrom, yTo)` and columns `[xFrom, xTo)` of the plane at `inBase`. */
type WindowVisit = (o: number, inBase: number, yFrom: number, yTo: number, xFrom: number, xTo: number) => void

/** Calls `visit` for every window, in output order (`o` = output index). */
const forEachWindowBox = (g: ConvGeometry, visit: WindowVisit): void => {
  const { rows, cols } = windowsOf(g)
  const planes = g.batch * g.channels
  let o = 0
  for (let plane = 0; plane < planes; plane++) {
    const inBase = plane * g.height * g.width
    for (let i = 0; i < g.outHeight; i++)
      for (let j = 0; j < g.outWidth; j++, o++)
        visit(o, inBase, rows.from[i]!, rows.to[i]!, cols.from[j]!, cols.to[j]!)
  }
}

/**
 * Calls `visit(outIndex, inIndex)` for the in-image positions of every window, and `done(outIndex)`
 * after each window.
 */
const forEachWindow = (
  g: ConvGeometry,
  visit: (out: number, input: number) => void,
  done: (out: number) => void,
): void => {
  const width = g.width
  forEachWindowBox(g, (o, inBase, yFrom, yTo, xFrom, xTo) => {
    for (let y = yFrom; y < yTo; y++)
      for (let k = inBase + y * width + xFrom, end = k - xFrom + xTo; k < end; k++) visit(o, k)
    done(o)
  })
}

/** 2×2 windows with stride 2 inside the image: the LeNet pooling, worth a loop of its own. */
const isPairwise = (g: ConvGeometry): boolean =>
  g.kernelHeight === 2 &&
  g.kernelWidth === 2 &&
  g.strideY === 2 &&
  g.strideX === 2 &&
  g.padTop === 0 &&
  g.padLeft === 0 &&
  2 * g.outHeight <= g.height &&
  2 * g.outWidth <= g.width

/** Calls `visit(top, o)` for every 2×2 window: `top` its top-left input index, `o` its output index. */
const forEachPair = (g: ConvGeometry, visit: (top: number, o: number) => void): void => {
  const planes = g.batch * g.channels
  const width = g.width
  const outHeight = g.outHeight
  const outWidth = g.outWidth
  let o = 0
  for (let plane = 0; plane < planes; plane++)
    for (let i = 0; i < outHeight; i++) {
      let top = (plane * g.height + 2 * i) * width
      for (let j = 0; j < outWidth; j++, o++, top += 2) visit(top, o)
    }
}

/** The 2×2, stride-2 max pooling loop (exported for the tests that hold the WebAssembly kernel to it). */
export const maxPool2x2 = (x: FloatArray, g: ConvGeometry, out: FloatArray): void => {
  const width = g.width
  forEachPair(g, (top, o) => {
    const a = x[top]!
    const b = x[top + 1]!
    const c = x[top + width]!
    const d = x[top + width + 1]!
    // the first of equal values wins (as in the general loop: -0 and 0 keep their order)
    // (not Math.max, which would prefer 0 to an earlier -0)
    let best = a
    if (b > best) best = b
    if (c > best) best = c
    if (d > best) best = d
    // a NaN anywhere makes the window NaN (the comparisons above would skip it)
    out[o] = Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(c) || Number.isNaN(d) ? Number.NaN : best
  })
}

/** Its cotangent, added onto `dx` (zero-filled by the caller); exported like `maxPool2x2`. */
export const maxPool2x2Grad = (x: FloatArray, ct: FloatArray, g: ConvGeometry, dx: FloatArray): void => {
  const width = g.width
  forEachPair(g, (top, o) => {
    const a = x[top]!
    const b = x[top + 1]!
    const c = x[top + width]!
    const d = x[top + width + 1]!
    // the largest value that is not NaN, and how many elements equal it
    let best = Number.NEGATIVE_INFINITY
    if (a > best) best = a
    if (b > best) best = b
    if (c > best) best = c
    if (d > best) best = d
    const ties = (a === best ? 1 : 0) + (b === best ? 1 : 0) + (c === best ? 1 : 0) + (d === best ? 1 : 0)
    if (ties === 0) return // a window of NaN
    const share = ct[o]! / ties
    if (a === best) dx[top]! += share
    if (b === best) dx[top + 1]! += share
    if (c === best) dx[top + width]! += share
    if (d === best) dx[top + width + 1]! += share
  })
}

/** The maximum of each window (padding never wins; NaN propagates). */
export const maxPool2dKernel = (x: FloatArray, g: ConvGeometry, out: FloatArray): void => {
  if (isPairwise(g)) {
    if (fastWindows()?.maxPool2x2(x, g, out) !== true) maxPool2x2(x, g, out)
    return
  }
  const width = g.width
  forEachWindowBox(g, (o, inBase, yFrom, yTo, xFrom, xTo) => {
    let best = Number.NEGATIVE_INFINITY
    let nan = false
    for (let y = yFrom; y < yTo; y++)
      for (let k = inBase + y * width + xFrom, end = k - xFrom + xTo; k < end; k++) {
        const v = x[k]!
        if (v > best) best = v
        else if (Number.isNaN(v)) nan = true
      }
    out[o] = nan ? Number.NaN : best
  })
}

/**
 * The cotangent of max pooling for its input: each window's cotangent split equally among the
 * elements equal to the window's maximum, added onto them (dx zero-filled by the caller).
 */
export const maxPool2dGradKernel = (x: FloatArray, ct: FloatArray, g: ConvGeometry, dx: FloatArray): void => {
  if (isPairwise(g)) {
    if (fastWindows()?.maxPool2x2Grad(x, ct, g, dx) !== true) maxPool2x2Grad(x, ct, g, dx)
    return
  }
  const width = g.width
  forEachWindowBox(g, (o, inBase, yFrom, yTo, xFrom, xTo) => {
    let best = Number.NEGATIVE_INFINITY
    let ties = 0
    for (let y = yFrom; y < yTo; y++)
      for (let k = inBase + y * width + xFrom, end = k - xFrom + xTo; k < end; k++) {
        const v = x[k]!
        if (v > best) {
          best = v
          ties = 1
        } else if (v === best) ties++
      }
    if (ties === 0) return // a window of NaN: no element equals its maximum
    const share = ct[o]! / ties
    for (let y = yFrom; y < yTo; y++)
      for (let k = inBase + y * width + xFrom, end = k - xFrom + xTo; k < end; k++)
        if (x[k] === best) dx[k]! += share
  })
}

/** The mean of each window, padding counted as zeros (every window divides by `kH · kW`). */
export const avgPool2dKernel = (x: FloatArray, g: ConvGeometry, out: FloatArray): void => {
  const scale = 1 / (g.kernelHeight * g.kernelWidth)
  let total = 0
  forEachWindow(
    g,
    (_, input) => {
      total += x[input]!
    },
    (o) => {
      out[o] = total * scale
      total = 0
    },
  )
}

/** Every window as its own `kH × kW` block: out `[N, C, H', W', kH, kW]`, `padValue` outside. */
export const patches2dKernel = (x: FloatArray, g: ConvGeometry, padValue: number, out: FloatArray): void => {
  const planes = g.batch * g.channels
  const window = g.kernelHeight * g.kernelWidth
  if (padValue !== 0) out.fill(padValue)
  for (let plane = 0; plane < planes; plane++) {
    const inBase = plane * g.height * g.width
    for (let i = 0; i < g.outHeight; i++)
      for (let j = 0; j < g.outWidth; j++) {
        const outBase = ((plane * g.outHeight + i) * g.outWidth + j) * window
        for (let a = 0; a < g.kernelHeight; a++) {
          const y = i * g.strideY - g.padTop + a
          if (y < 0 || y >= g.height) continue
          for (let b = 0; b < g.kernelWidth; b++) {
            const x0 = j * g.strideX - g.padLeft + b
            if (x0 >= 0 && x0 < g.width) out[outBase + a * g.kernelWidth + b] = x[inBase + y * g.width + x0]!
          }
        }
      }
  }
}

/** The transpose of `patches2dKernel`: adds each window entry onto its image position (out zeroed). */
export const patches2dTransposeKernel = (p: FloatArray, g: ConvGeometry, out: FloatArray): void => {
  const planes = g.batch * g.channels
  const window = g.kernelHeight * g.kernelWidth
  for (let plane = 0; plane < planes; plane++) {
    const outBase = plane * g.height * g.width
    for (let i = 0; i < g.outHeight; i++)
      for (let j = 0; j < g.outWidth; j++) {
        const inBase = ((plane * g.outHeight + i) * g.outWidth + j) * window
        for (let a = 0; a < g.kernelHeight; a++) {
          const y = i * g.strideY - g.padTop + a
          if (y < 0 || y >= g.height) continue
          for (let b = 0; b < g.kernelWidth; b++) {
            const x0 = j * g.strideX - g.padLeft + b
            if (x0 >= 0 && x0 < g.width)
              out[outBase + y * g.width + x0]! += p[inBase + a * g.kernelWidth + b]!
          }
        }
      }
  }
}
