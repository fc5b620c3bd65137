/** Convolution geometries for property tests: the parts they are drawn from, and the geometry. */
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
