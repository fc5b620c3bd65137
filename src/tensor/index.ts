/**
 * src/tensor: immutable shape-typed tensors, their primitives and ops, constructors and errors.
 *
 * @module tensor
 */

export type { FormatOptions } from '../format/index.js'
export type * from '../shapes/index.js'
export { memoryBudget, setMemoryBudget } from './budget.js'
export * from './constructors.js'
export { setDebugNaNs } from './dispatch.js'
export type { DType, Storage } from './dtype.js'
export * from './errors.js'
export {
  type BinaryOp,
  type ConvGeometry,
  type ConvKernels,
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
export * from './ops/composite.js'
export * from './ops/elementwise.js'
export * from './ops/layout.js'
export * from './ops/linalg.js'
export type { TensorOrNumber } from './ops/operand.js'
export * from './ops/reduce.js'
export type { PadWidths } from './prims/pad.js'
export { broadcastShapes, type Shape } from './shape.js'
export { type AnyTensor, isTensor, Tensor, type TensorJSON } from './tensor.js'
