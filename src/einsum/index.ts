/**
 * src/einsum: `einsum`, Einstein summation over labelled axes, built from src/tensor's primitives
 * (transpose, reshape, sum, gather, mul, the batched matmul) through its internal door, and the
 * type-level parser that computes its result shape and dtype at compile time.
 *
 * @module einsum
 */
export * from './einsum.js'
export type * from './types.js'
