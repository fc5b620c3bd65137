/**
 * What the convolution and pooling primitives share: their resolved parameters, the shape checks
 * that turn shapes and parameters into a kernel geometry (throwing a `ShapeError` that names both
 * shapes), and the random cases their gradient tests draw from.
 *
 * The convolution family is three primitives, the three faces of the trilinear form
 * `⟨ct, conv2d(x, w)⟩`: `conv2d` (the output), `conv2dInputGrad` (the input's cotangent, a
 * transposed convolution) and `conv2dFilterGrad` (the filters' cotangent). The vjp of each is
 * written with the other two, so every derivative of a convolution, to any order, is again a
 * convolution of this family.
 *
 * @module prims/convolution
 */

import type { Arbitrary } from 'fast-check'
import {
  type AnyTensor,
  type DomainTools,
  formatShape,
  type Shape,
  ShapeError,
} from '../../tensor/internal.js'
import { type ConvGeometry, convOutputSize } from '../kernels/convGeometry.js'

/** A pair of numbers, one per spatial axis (height, width). */
export type Pair = readonly [number, number]

/** Explicit zero padding: `[[top, bottom], [left, right]]`. */
export type Padding2d = readonly [Pair, Pair]

/** Resolved parameters of a convolution (the op `conv2d` resolves user options into these). */
export interface Conv2dParams {
  readonly stride: Pair
  readonly padding: Padding2d
  readonly dilation: Pair
  readonly groups: number
}

/** Resolved parameters of a pooling window (the stride defaults to the window in the ops). */
export interface Pool2dParams {
  readonly window: Pair
  readonly stride: Pair
  readonly padding: Padding2d
}

const describeParams = ({ stride, padding, dilation, groups }: Conv2dParams): string =>
  `stride ${formatShape(stride)}, padding ${JSON.stringify(padding)}, dilation ${formatShape(dilation)}, groups ${groups}`

const expectImages = (op: string, name: string, t: AnyTensor, layout: string): void => {
  if (t.shape.length !== 4)
    throw new ShapeError(op, `${name} must have rank 4 (${layout}), got ${formatShape(t.shape)}`)
}

/**
 * The geometry of `conv2d(x, w)` from the shapes of x `[N, C, H, W]` and w `[O, C/groups, kH, kW]`;
 * throws a `ShapeError` naming both shapes when they do not fit.
 */
export const convGeometry = (
  op: string,
  xShape: Shape,
  wShape: Shape,
  params: Conv2dParams,
): ConvGeometry => {
  const [batch, channels, height, width] = xShape as [number, number, number, number]
  const [outChannels, filterChannels, kernelHeight, kernelWidth] = wShape as [number, number, number, number]
  const { stride, padding, dilation, groups } = params
  const shapes = `x is ${formatShape(xShape)}, w is ${formatShape(wShape)}`
  if (channels % groups !== 0 || outChannels % groups !== 0)
    throw new ShapeError(
      op,
      `${groups} groups must divide the input channels (${channels}) and the output channels (${outChannels}): ${shapes}`,
    )
  if (filterChannels * groups !== channels)
    throw new ShapeError(
      op,
      `w must have C/groups = ${channels / groups} input channels (axis 1) to match x's ${channels} channels in ${groups} group(s): ${shapes}`,
    )
  const outHeight = convOutputSize(height, kernelHeight, stride[0], padding[0][0], padding[0][1], dilation[0])
  const outWidth = convOutputSize(width, kernelWidth, stride[1], padding[1][0], padding[1][1], dilation[1])
  if (outHeight < 1 || outWidth < 1 || kernelHeight < 1 || kernelWidth < 1)
    throw new ShapeError(
      op,
      `the (dilated) ${kernelHeight}×${kernelWidth} kernel does not fit the padded ${height}×${width} image: ${shapes} (${describeParams(params)})`,
    )
  return {
    batch,
    channels,
    height,
    width,
    outChannels,
    kernelHeight,
    kernelWidth,
    outHeight,
    outWidth,
    strideY: stride[0],
    strideX: stride[1],
    padTop: padding[0][0],
    padLeft: padding[1][0],
    dilationY: dilation[0],
    dilationX: dilation[1],
    groups,
  }
}

/** Checks the ranks of `conv2d`'s operands. */
export const expectConvOperands = (op: string, x: AnyTensor, w: AnyTensor): void => {
  expectImages(op, 'x', x, '[N, C, H, W]')
  expectImages(op, 'w', w, '[O, C/groups, kH, kW]')
}

/**
 * Checks that a cotangent `[N, O, H', W']` has the shape `conv2d` gives for the geometry `g`.
 */
export const expectOutputShape = (op: string, ct: AnyTensor, g: ConvGeometry, other: string): void => {
  expectImages(op, 'the cotangent', ct, "[N, O, H', W']")
  const want = [g.batch, g.outChannels, g.outHeight, g.outWidth]
  if (ct.shape.some((d, i) => d !== want[i]))
    throw new ShapeError(
      op,
      `the cotangent must have the convolution's output shape ${formatShape(want)}, got ${formatShape(ct.shape)} (${other})`,
    )
}

/** The geometry of a pooling window over x `[N, C, H, W]`; padding must be smaller than the window. */
export const poolGeometry = (
  op: string,
  xShape: Shape,
  { window, stride, padding }: Pool2dParams,
): ConvGeometry => {
  if (xShape.length !== 4)
    throw new ShapeError(op, `x must have rank 4 ([N, C, H, W]), got ${formatShape(xShape)}`)
  const [batch, channels, height, width] = xShape as [number, number, number, number]
  const outHeight = convOutputSize(height, window[0], stride[0], padding[0][0], padding[0][1], 1)
  const outWidth = convOutputSize(width, window[1], stride[1], padding[1][0], padding[1][1], 1)
  if (outHeight < 1 || outWidth < 1)
    throw new ShapeError(
      op,
      `the ${window[0]}×${window[1]} window does not fit x of shape ${formatShape(xShape)} with padding ${JSON.stringify(padding)}`,
    )
  return {
    batch,
    channels,
    height,
    width,
    outChannels: channels,
    kernelHeight: window[0],
    kernelWidth: window[1],
    outHeight,
    outWidth,
    strideY: stride[0],
    strideX: stride[1],
    padTop: padding[0][0],
    padLeft: padding[1][0],
    dilationY: 1,
    dilationX: 1,
    groups: 1,
  }
}

/** One random convolution for the gradient tests: shapes and parameters that fit. */
export interface ConvCase {
  readonly xShape: Shape
  readonly wShape: Shape
  readonly outShape: Shape
  readonly params: Conv2dParams
}

/** Small random convolutions (grouped, strided, dilated, padded) whose output is non-empty. */
export const convCases = (t: DomainTools): Arbitrary<ConvCase> => {
  const { fc } = t
  const small = (max: number) => fc.integer({ min: 1, max })
  return fc
    .record({
      batch: small(2),
      groups: small(2),
      perGroupIn: small(2),
      perGroupOut: small(2),
      kernel: fc.tuple(small(3), small(2)),
      stride: fc.tuple(small(2), small(2)),
      dilation: fc.tuple(small(2), small(1)),
      padding: fc.tuple(
        fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
        fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
      ),
      extra: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
    })
    .map(({ batch, groups, perGroupIn, perGroupOut, kernel, stride, dilation, padding, extra }) => {
      // the smallest image the dilated kernel fits, plus a little
      const size = (axis: 0 | 1) =>
        Math.max(1, dilation[axis] * (kernel[axis] - 1) + 1 - padding[axis][0] - padding[axis][1]) +
        extra[axis]
      const xShape = [batch, groups * perGroupIn, size(0), size(1)]
      const wShape = [groups * perGroupOut, perGroupIn, kernel[0], kernel[1]]
      const params: Conv2dParams = { stride, padding, dilation, groups }
      const g = convGeometry('conv2d', xShape, wShape, params)
      return { xShape, wShape, outShape: [batch, g.outChannels, g.outHeight, g.outWidth], params }
    })
}

/** Small random pooling windows over small images (padding smaller than the window). */
export const poolCases = (
  t: DomainTools,
): Arbitrary<{ xShape: Shape; params: Pool2dParams; outShape: Shape }> => {
  const { fc } = t
  const small = (max: number) => fc.integer({ min: 1, max })
  return fc
    .record({
      batch: small(2),
      channels: small(2),
      window: fc.tuple(small(3), small(2)),
      stride: fc.tuple(small(2), small(2)),
      padding: fc.tuple(fc.tuple(fc.nat(2), fc.nat(2)), fc.tuple(fc.nat(1), fc.nat(1))),
      extra: fc.tuple(fc.nat(2), fc.nat(2)),
    })
    .map(({ batch, channels, window, stride, padding, extra }) => {
      const clamp = (axis: 0 | 1): Pair => [
        Math.min(padding[axis][0], window[axis] - 1),
        Math.min(padding[axis][1], window[axis] - 1),
      ]
      const pad: Padding2d = [clamp(0), clamp(1)]
      const size = (axis: 0 | 1) => Math.max(1, window[axis] - pad[axis][0] - pad[axis][1]) + extra[axis]
      const xShape = [batch, channels, size(0), size(1)]
      const params: Pool2dParams = { window, stride, padding: pad }
      const g = poolGeometry('pool', xShape, params)
      return { xShape, params, outShape: [batch, channels, g.outHeight, g.outWidth] }
    })
}
