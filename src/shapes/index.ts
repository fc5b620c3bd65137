/**
 * src/shapes: the type-level shape arithmetic, the compile-time twins of src/tensor's runtime shape
 * rules (broadcasting, reductions, matmul, layout, slicing, decimal sizes). Types only: nothing
 * here runs, and nothing here imports from the rest of src/. src/tensor builds on it and re-exports
 * it; everything else reaches it through this door.
 *
 * @module shapes
 */
export type * from './axes.js'
export type * from './broadcast.js'
export type * from './check.js'
export type * from './concat.js'
export type * from './decimal.js'
export type * from './dtype.js'
export type * from './matmul.js'
export type * from './nested.js'
export type * from './operand.js'
export type * from './reduce.js'
export type * from './reshape.js'
export type * from './shape.js'
export type * from './slicing.js'
export type * from './squeeze.js'
export type * from './transpose.js'
