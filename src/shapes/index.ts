/**
 * src/shapes: the type-level shape arithmetic, the compile-time twins of src/tensor's runtime shape
 * rules (broadcasting, reductions, matmul, layout, slicing, decimal sizes). Types only: nothing
 * here runs, and nothing here imports from the rest of src/. src/tensor builds on it and re-exports
 * it; everything else reaches it through this door.
 *
 * One file a topic: check.ts (the words every check is written in, and the rules they follow),
 * shape.ts and dtype.ts (the runtime values described), axes.ts (rank and axis arithmetic),
 * decimal.ts (sizes as digit strings), broadcast.ts, operand.ts (operands and dtypes of the
 * elementwise ops), reduce.ts, matmul.ts, reshape.ts, transpose.ts, squeeze.ts (and expandDims),
 * concat.ts (and stack), slicing.ts (gather, slice, pad), nested.ts (nested array literals).
 * tuple.ts holds internal tuple helpers and is not re-exported.
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
