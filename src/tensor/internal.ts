/**
 * What src/grad and src/testing need from src/tensor beyond the public API: the interpreter hooks
 * and storage access. Not exported from the package.
 *
 * @module internal
 */

export {
  type AvailableMemory,
  budgetProblem,
  checkBudget,
  formatBytes,
  parseBytes,
  resourceErrorIn,
  setAvailableMemory,
} from './budget.js'
export { apply, evaluate, nextLevel, popInterpreter, pushInterpreter } from './dispatch.js'
export { allocate, allocateUnfilled, bytesPerElement, isDType, type Storage, storageFrom } from './dtype.js'
export * from './index.js'
export { exactJson } from './kernels/exactJson.js'
export { kernels } from './kernels/index.js'
export { broadcastStrides } from './kernels/reference.js'
export { type Arena, createArena } from './kernels/wasm/arena.js'
export { canFuse, type FusedExpression, type FusedSpec, type OperandLayout } from './kernels/wasm/fused.js'
export { packedBytes } from './kernels/wasm/shared.js'
export {
  type GemmCall,
  planThreadThreshold,
  type SharedArena,
  sharedArena,
} from './kernels/wasm/sharedArena.js'
export { SplitChoice } from './kernels/wasm/splitChoice.js'
export { readsPadding, type WindowGeometry, windowKernels } from './kernels/wasm/windows.js'
export { expectTensor } from './ops/operand.js'
export * as ops from './ops.js'
export type { BatchRule, DomainCase, DomainTools, OutputSpec, Prim, ValueRange, VjpRule } from './prim.js'
export { definePrim, isPrim, writtenInto } from './prim.js'
export { batchedInput, batchLoopCount, moveAxis } from './prims/batching.js'
export { sameDType } from './prims/elementwise.js'
export * as prims from './prims/index.js'
export { stopGradientPrim } from './prims/index.js'
export { primitives } from './prims/registry.js'
export { describe, maxSize, normalizeAxis, shapesEqual, sizeOf, validateShape } from './shape.js'
export {
  type Box,
  boxFor,
  boxOf,
  detach,
  hasValues,
  type Interpreter,
  lend,
  lowerTo,
  makeTensor,
  moveStorage,
  placeholderOf,
  storage,
} from './tensor.js'
