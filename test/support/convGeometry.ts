/** Convolution geometries for property tests: the parts they are drawn from, and the geometry. */
import * as fc from 'fast-check'
import { type ConvGeometry, convOutputSize } from '../../src/conv/kernels/convGeometry.js'

/** What a test draws: sizes per group, the kernel, stride, dilation, padding (top, bottom, left, right), image size. */
export interface GeometryParts {
  readonly batch: number
  readonly groups: number
  readonly inPerGroup: number
  readonly outPerGroup: number
  readonly kernel: readonly [number, number]
  readonly stride: readonly [number, number]
  readonly dilation: readonly [number, number]
  readonly pad: readonly [number, number, number, number]
  readonly size: readonly [number, number]
}

const outSizes = ({ size, kernel, stride, dilation, pad }: Omit<GeometryParts, 'outPerGroup'>) => [
  convOutputSize(size[0], kernel[0], stride[0], pad[0], pad[1], dilation[0]),
  convOutputSize(size[1], kernel[1], stride[1], pad[2], pad[3], dilation[1]),
]

/** Whether the window fits the padded image (at least one output row and column). */
export const fits = (parts: Omit<GeometryParts, 'outPerGroup'>): boolean =>
  outSizes(parts).every((s) => s >= 1)

/** The geometry the parts describe. */
export const geometryOf = (parts: GeometryParts): ConvGeometry => {
  const { batch, groups, inPerGroup, outPerGroup, kernel, stride, dilation, pad, size } = parts
  const [outHeight, outWidth] = outSizes(parts)
  return {
    batch,
    channels: groups * inPerGroup,
    height: size[0],
    width: size[1],
    outChannels: groups * outPerGroup,
    kernelHeight: kernel[0],
    kernelWidth: kernel[1],
    outHeight: outHeight!,
    outWidth: outWidth!,
    strideY: stride[0],
    strideX: stride[1],
    padTop: pad[0],
    padLeft: pad[2],
    dilationY: dilation[0],
    dilationX: dilation[1],
    groups,
  }
}

/**
 * Random convolution geometries: batch 0–3 (or as `batch` draws it), 1–3 groups, kernels, strides and dilations, padding on
 * every side, images up to `size` (default 14) on a side; `strideX` draws the horizontal stride
 * (default 1–3), and the per-group channels, kernel and padding go up to 4, 5, 5 and 3 (`small`:
 * 3, 4, 4 and 2).
 */
export const arbConvGeometry = (
  options: {
    readonly strideX?: fc.Arbitrary<number>
    readonly small?: boolean
    readonly size?: number
    readonly batch?: fc.Arbitrary<number>
  } = {},
): fc.Arbitrary<ConvGeometry> => {
  const [inPerGroup, outPerGroup, kernel, pad] = options.small === true ? [3, 4, 4, 2] : [4, 5, 5, 3]
  const size = options.size ?? 14
  return fc
    .record({
      batch: options.batch ?? fc.integer({ min: 0, max: 3 }),
      groups: fc.integer({ min: 1, max: 3 }),
      inPerGroup: fc.integer({ min: 1, max: inPerGroup }),
      outPerGroup: fc.integer({ min: 1, max: outPerGroup }),
      kernel: fc.tuple(fc.integer({ min: 1, max: kernel }), fc.integer({ min: 1, max: kernel })),
      stride: fc.tuple(fc.integer({ min: 1, max: 3 }), options.strideX ?? fc.integer({ min: 1, max: 3 })),
      dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      pad: fc.tuple(fc.nat(pad), fc.nat(pad), fc.nat(pad), fc.nat(pad)),
      size: fc.tuple(fc.integer({ min: 1, max: size }), fc.integer({ min: 1, max: size })),
    })
    .filter(fits)
    .map(geometryOf)
}
