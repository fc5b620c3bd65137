/**
 * src/conv: convolution and pooling over images `[N, C, H, W]` — a family of primitives built on
 * src/tensor (reached through its internal door only), with its own ops, batching rules and
 * kernels (kernels/: im2col on the active matmul, pooling loops). The public door: `conv2d`,
 * `maxPool2d`, `avgPool2d` and their option and shape types.
 *
 * @module conv
 */
// the convolution family's other faces (conv2dWithParams, conv2dInputGrad, conv2dFilterGrad,
// maxPool2dGrad, patches2d, patches2dTranspose) are the primitives' vjp rules: internal
export {
  avgPool2d,
  type Conv2dFilterGradParams,
  type Conv2dInputGradParams,
  type Conv2dOptions,
  type Conv2dParams,
  conv2d,
  maxPool2d,
  type Padding,
  type Padding2d,
  type Pair,
  type Patches2dParams,
  type Patches2dTransposeParams,
  type Pool2dOptions,
  type Pool2dParams,
} from './ops.js'
export type * from './shapes.js'
