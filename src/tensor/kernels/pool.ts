/**
 * Window kernels over `[N, C, H, W]` images: max and average pooling, and the window extraction
 * (`patches`, `[N, C, H', W', kH, kW]`) with its transpose (adding every window back onto the
 * positions it was read from), which the pooling gradients are written with. Geometry as in
 * `convGeometry.ts` (`outChannels` = `channels`).
 *
 * @module kernels/pool
 */
import type { ConvGeometry } from './convGeometry.js'
import type { FloatArray } from './types.js'

/**
 * Calls `visit(outIndex, inIndex)` for the in-image positions of every window, and `done(outIndex)`
 * after each window.
 */
const forEachWindow = (
  g: ConvGeometry,
  visit: (out: number, input: number) => void,
  done: (out: number) => void,
): void => {
  const planes = g.batch * g.channels
  for (let plane = 0; plane < planes; plane++) {
    const inBase = plane * g.height * g.width
    for (let i = 0; i < g.outHeight; i++) {
      const top = i * g.strideY - g.padTop
      const yFrom = Math.max(0, top)
      const yTo = Math.min(g.height, top + g.kernelHeight)
      for (let j = 0; j < g.outWidth; j++) {
        const left = j * g.strideX - g.padLeft
        const xFrom = Math.max(0, left)
        const xTo = Math.min(g.width, left + g.kernelWidth)
        const out = (plane * g.outHeight + i) * g.outWidth + j
        for (let y = yFrom; y < yTo; y++)
          for (let x = xFrom; x < xTo; x++) visit(out, inBase + y * g.width + x)
        done(out)
      }
    }
  }
}

/** The maximum of each window (padding never wins; NaN propagates). */
export const maxPool2dKernel = (x: FloatArray, g: ConvGeometry, out: FloatArray): void => {
  const planes = g.batch * g.channels
  for (let plane = 0; plane < planes; plane++) {
    const inBase = plane * g.height * g.width
    for (let i = 0; i < g.outHeight; i++) {
      const top = i * g.strideY - g.padTop
      const yFrom = Math.max(0, top)
      const yTo = Math.min(g.height, top + g.kernelHeight)
      for (let j = 0; j < g.outWidth; j++) {
        const left = j * g.strideX - g.padLeft
        const xFrom = Math.max(0, left)
        const xTo = Math.min(g.width, left + g.kernelWidth)
        let best = Number.NEGATIVE_INFINITY
        for (let y = yFrom; y < yTo; y++)
          for (let k = inBase + y * g.width + xFrom, end = k - xFrom + xTo; k < end; k++) {
            const v = x[k]!
            if (v > best || Number.isNaN(v)) best = Number.isNaN(best) ? best : v
          }
        out[(plane * g.outHeight + i) * g.outWidth + j] = best
      }
    }
  }
}

/**
 * The cotangent of max pooling for its input: each window's cotangent split equally among the
 * elements equal to the window's maximum, added onto them (dx zero-filled by the caller).
 */
export const maxPool2dGradKernel = (x: FloatArray, ct: FloatArray, g: ConvGeometry, dx: FloatArray): void => {
  const planes = g.batch * g.channels
  for (let plane = 0; plane < planes; plane++) {
    const inBase = plane * g.height * g.width
    for (let i = 0; i < g.outHeight; i++) {
      const top = i * g.strideY - g.padTop
      const yFrom = Math.max(0, top)
      const yTo = Math.min(g.height, top + g.kernelHeight)
      for (let j = 0; j < g.outWidth; j++) {
        const left = j * g.strideX - g.padLeft
        const xFrom = Math.max(0, left)
        const xTo = Math.min(g.width, left + g.kernelWidth)
        let best = Number.NEGATIVE_INFINITY
        let ties = 0
        for (let y = yFrom; y < yTo; y++)
          for (let k = inBase + y * g.width + xFrom, end = k - xFrom + xTo; k < end; k++) {
            const v = x[k]!
            if (v > best) {
              best = v
              ties = 1
            } else if (v === best) ties++
          }
        if (ties === 0) continue // a window of NaN: no element equals its maximum
        const share = ct[(plane * g.outHeight + i) * g.outWidth + j]! / ties
        for (let y = yFrom; y < yTo; y++)
          for (let k = inBase + y * g.width + xFrom, end = k - xFrom + xTo; k < end; k++)
            if (x[k] === best) dx[k]! += share
      }
    }
  }
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
