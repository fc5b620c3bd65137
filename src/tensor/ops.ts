/**
 * The op set: every tensor operation users call, and the toolbox vjp rules are written with.
 * Primitive-backed ops and composites look the same from outside.
 *
 * @module ops
 */
export * from './ops/composite.js'
export * from './ops/elementwise.js'
export * from './ops/layout.js'
export * from './ops/linalg.js'
export * from './ops/reduce.js'
