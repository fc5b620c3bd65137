/**
 * What nabla's own floors (grad, vmap, jit, models) need from src/tree beyond its public door:
 * structure comparison and keys. Not exported from the package.
 *
 * @module tree/internal
 */
export * from './index.js'
export { sameStructure, structureKey } from './tree.js'
