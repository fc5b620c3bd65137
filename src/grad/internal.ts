/**
 * What other parts of nabla (src/inspect) need from src/grad beyond the public API: a read-only
 * view of the reverse tape. Not exported from the package.
 *
 * @module grad/internal
 */
export * from './index.js'
export { type Recording, type ReverseTrace, recordReverse, type TapeNode } from './trace.js'
