/**
 * nabla: differentiable programming in TypeScript. Immutable tensors whose shapes live in the type
 * system, and a reverse-mode `vjp` from which `grad`, `jvp`, `hvp`, `hessian` and the rest derive.
 *
 * @module nabla
 */

export * from './conv/index.js'
export * from './einsum/index.js'
export * from './grad/index.js'
export * from './inspect/index.js'
export * from './io/index.js'
export * from './jit/index.js'
export * from './models/index.js'
export * from './tensor/index.js'
export * from './tree/index.js'
export * from './vmap/index.js'
