/**
 * Nested array literals: the type of nested number arrays, the shape a literal spells
 * (`[[1, 2, 3], [4, 5, 6]]` is `[2, 3]`, what `tensor(…)` infers), and the nested array type of a
 * shape (what `toArray` returns).
 *
 * @module shapes/nested
 */
import type { IsTuple } from './check.js'
import type { Shape } from './shape.js'

/**
 * A nested array of numbers of any depth.
 * @example
 * import type { NestedArray } from 'nabla'
 * const data: NestedArray = [[1, 2], [3, 4]]
 */
export type NestedArray = number | readonly NestedArray[]

/**
 * The shape of a nested array literal: `[[1,2,3],[4,5,6]]` is `[2, 3]`.
 * @example
 * import type { NestedShape } from 'nabla'
 * type S = NestedShape<[[1, 2, 3], [4, 5, 6]]> // [2, 3]
 */
export type NestedShape<T> = T extends number
  ? []
  : T extends readonly []
    ? [0]
    : T extends readonly (infer E)[]
      ? [T['length'], ...NestedShape<E>]
      : never

/**
 * The nested array type of a shape (what `toArray` returns).
 * @example
 * import type { Nested } from 'nabla'
 * type N = Nested<[2, 3]> // number[][]
 */
export type Nested<S extends Shape> = S extends readonly [number, ...infer R extends Shape]
  ? Nested<R>[]
  : IsTuple<S> extends true
    ? number
    : NestedArray
