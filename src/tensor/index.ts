/**
 * src/tensor: immutable shape-typed tensors, their primitives and ops, constructors, readers,
 * codecs and errors.
 *
 * @module tensor
 */
export { memoryBudget, setMemoryBudget } from './budget.js'
export { fromJSON, TensorCodec, type TensorJSON, TensorRecordCodec } from './codec.js'
export * from './constructors.js'
export { setDebugNaNs } from './dispatch.js'
export type { DType } from './dtype.js'
export * from './errors.js'
export type { FormatOptions } from './format.js'
export {
  createWasmKernels,
  defaultKernels,
  type Kernels,
  referenceKernels,
  useKernels,
  type WasmKernelOptions,
  type WasmKernels,
} from './kernels/index.js'
export * from './ops.js'
export * from './readers.js'
export { broadcastShapes, type Shape } from './shape.js'
export { isTensor, Tensor } from './tensor.js'
export type * from './types.js'
export type * from './typesEinsum.js'
