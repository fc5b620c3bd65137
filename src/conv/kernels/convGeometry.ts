/**
 * The geometry of a 2-D convolution or pooling window over `[N, C, H, W]` images: sizes, strides,
 * padding and dilation, resolved to numbers once, shared by the fast and the reference kernels.
 *
 * Output size along an axis: `⌊(size + padBefore + padAfter − dilation·(kernel − 1) − 1) / stride⌋ + 1`.
 *
 * @module kernels/convGeometry
 */
/**
 * Everything a convolution kernel loops over: batch, channels of all groups, sizes, strides,
 * padding, dilation, groups and the output channels (all groups; for pooling, equal to
 * `channels`). Defined with the back-end interface (src/tensor), which runs convolutions whole
 * when it can (`Kernels.conv2d`).
 */
import type { ConvGeometry } from '../../tensor/internal.js'

export type { ConvGeometry }

/** The output size along one axis (may be ≤ 0 when the window does not fit). */
export const convOutputSize = (
  size: number,
  kernel: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
): number => Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1

/** Elements of one filter (`C/groups · kH · kW`): the inner dimension of the convolution's GEMM. */
export const patchSize = (g: ConvGeometry): number => (g.channels / g.groups) * g.kernelHeight * g.kernelWidth
