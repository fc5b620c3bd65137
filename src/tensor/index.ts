/**
 * src/tensor: immutable shape-typed tensors, their primitives and ops, constructors, readers,
 * codecs and errors.
 *
 * @module tensor
 */

export type * from '../shapes/index.js'
export { memoryBudget, setMemoryBudget } from './budget.js'
export { fromJSON, TensorCodec, type TensorJSON, TensorRecordCodec } from './codec.js'
export * from './constructors.js'
export { setDebugNaNs } from './dispatch.js'
export type { DType, Storage } from './dtype.js'
export * from './errors.js'
export type { FormatOptions } from './format.js'
export {
  type BinaryOp,
  createWasmKernels,
  defaultKernels,
  type FloatArray,
  type Kernels,
  type MatmulArgs,
  type ReduceKind,
  referenceKernels,
  type UnaryOp,
  useKernels,
  type WasmKernelOptions,
  type WasmKernels,
} from './kernels/index.js'
export type { WorkerHost } from './kernels/wasm/workers.js'
export * from './named.js'
export * from './ops/composite.js'
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
} from './ops/conv.js'
export type * from './ops/convShapes.js'
export * from './ops/einsum.js'
export * from './ops/elementwise.js'
export * from './ops/layout.js'
export * from './ops/linalg.js'
export type { TensorOrNumber } from './ops/operand.js'
export * from './ops/reduce.js'
export type { PadWidths } from './prims/pad.js'
export * from './readers.js'
export { broadcastShapes, type Shape } from './shape.js'
export { type AnyTensor, isTensor, Tensor } from './tensor.js'
export type * from './typesEinsum.js'
