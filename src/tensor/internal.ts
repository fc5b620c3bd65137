/**
 * What src/grad and src/testing need from src/tensor beyond the public API: the interpreter hooks
 * and storage access. Not exported from the package.
 *
 * @module internal
 */

export { apply, evaluate, nextLevel, popInterpreter, pushInterpreter } from './dispatch.js'
export { allocate, isDType, type Storage, storageFrom } from './dtype.js'
export * from './index.js'
export type { DomainCase, DomainTools, OutputSpec, Prim, ValueRange, VjpRule } from './prim.js'
export { definePrim, isPrim } from './prim.js'
export { primitives } from './prims/registry.js'
export { describe, maxSize, shapesEqual, sizeOf, validateShape } from './shape.js'
export { type Box, boxOf, detach, type Interpreter, lowerTo, makeTensor, storage } from './tensor.js'
