/**
 * Direct convolution loops, written from the definition
 * `y[n, o, i, j] = Σ_{c, a, b} x[n, g·C/G + c, i·s − p + a·d, j·s − p + b·d] · w[o, c, a, b]`
 * (g the group of output channel o, out-of-image positions reading zero). Slow and plain on
 * purpose: they are the reference the fast im2col kernels (`conv.ts`) are property-tested against.
 *
 * @module kernels/convReference
 */

import type { FloatArray } from '../../tensor/internal.js'
import type { ConvGeometry } from './convGeometry.js'

/** Calls `visit(outIndex, inIndex, filterIndex)` for every multiply-add of the convolution. */
const forEachTerm = (g: ConvGeometry, visit: (y: number, x: number, w: number) => void): void => {
  const channelsPerGroup = g.channels / g.groups
  const outPerGroup = g.outChannels / g.groups
  for (let n = 0; n < g.batch; n++)
    for (let o = 0; o < g.outChannels; o++) {
      const group = Math.floor(o / outPerGroup)
      for (let i = 0; i < g.outHeight; i++)
        for (let j = 0; j < g.outWidth; j++) {
          const y = ((n * g.outChannels + o) * g.outHeight + i) * g.outWidth + j
          for (let c = 0; c < channelsPerGroup; c++)
            for (let a = 0; a < g.kernelHeight; a++) {
              const iy = i * g.strideY - g.padTop + a * g.dilationY
              if (iy < 0 || iy >= g.height) continue
              for (let b = 0; b < g.kernelWidth; b++) {
                const ix = j * g.strideX - g.padLeft + b * g.dilationX
                if (ix < 0 || ix >= g.width) continue
                const x = ((n * g.channels + group * channelsPerGroup + c) * g.height + iy) * g.width + ix
                const w = ((o * channelsPerGroup + c) * g.kernelHeight + a) * g.kernelWidth + b
                visit(y, x, w)
              }
            }
        }
    }
}

/** `out = conv(x, w)` by the definition (out zero-filled). */
export const conv2dForwardReference = (
  x: FloatArray,
  w: FloatArray,
  g: ConvGeometry,
  out: FloatArray,
): void =>
  forEachTerm(g, (yi, xi, wi) => {
    out[yi]! += x[xi]! * w[wi]!
  })

/** `dx += convᵀ(ct, w)` by the definition. */
export const conv2dInputGradReference = (
  ct: FloatArray,
  w: FloatArray,
  g: ConvGeometry,
  dx: FloatArray,
): void =>
  forEachTerm(g, (yi, xi, wi) => {
    dx[xi]! += ct[yi]! * w[wi]!
  })

/** `dw += ct ⋆ x` by the definition. */
export const conv2dFilterGradReference = (
  x: FloatArray,
  ct: FloatArray,
  g: ConvGeometry,
  dw: FloatArray,
): void =>
  forEachTerm(g, (yi, xi, wi) => {
    dw[wi]! += ct[yi]! * x[xi]!
  })
