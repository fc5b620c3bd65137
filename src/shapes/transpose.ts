/**
 * transpose: the shape of `transpose(x, perm)` (reversed axes without a perm) and the check that
 * `perm` is a permutation of the tensor's axes.
 *
 * @module shapes/transpose
 */
import type { NormalizeAxis } from './axes.js'
import type { IsLiteral, IsTuple, ShapeErrorType, ShapeString } from './check.js'
import type { Shape } from './shape.js'
import type { AllIndices } from './tuple.js'

/**
 * Reverses a tuple.
 * @example
 * import type { Reverse } from 'nabla'
 * type R = Reverse<[2, 3, 4]> // [4, 3, 2]
 */
export type Reverse<S extends Shape> = S extends readonly [infer H extends number, ...infer R extends Shape]
  ? [...Reverse<R>, H]
  : []

/**
 * The shape of `transpose(x, perm)`.
 * @example
 * import type { Permute } from 'nabla'
 * type A = Permute<[2, 3, 4], [0, 2, 1]> // [2, 4, 3]
 * type B = Permute<[2, 3], undefined> // [3, 2]
 */
export type Permute<S extends Shape, P extends readonly number[] | undefined> =
  IsTuple<S> extends false
    ? Shape
    : P extends readonly number[]
      ? IsTuple<P> extends true
        ? { -readonly [K in keyof P]: PermutedDim<S, P[K]> }
        : Shape
      : Reverse<S>

// the dimension of S at a (possibly negative) literal axis; `number` when the axis is not literal
type PermutedDim<S extends Shape, A> = A extends number
  ? IsLiteral<A> extends true
    ? NormalizeAxis<S['length'], A> extends infer I extends keyof S
      ? S[I]
      : number
    : number
  : number

/**
 * `unknown` when `P` is a permutation of `S`'s axes (or cannot be checked).
 * @example
 * import type { CheckPermutation } from 'nabla'
 * // transpose(zeros([2, 3]), [0, 0]) does not compile:
 * // ShapeErrorType<'perm is not a permutation of the axes of [2,3]'>
 */
export type CheckPermutation<S extends Shape, P extends readonly number[] | undefined> =
  IsTuple<S> extends false
    ? unknown
    : P extends readonly number[]
      ? IsTuple<P> extends false
        ? unknown
        : P['length'] extends S['length']
          ? [Exclude<AllIndices<S>, NormalizeAxis<S['length'], P[number]>>] extends [never]
            ? unknown
            : ShapeErrorType<`perm is not a permutation of the axes of ${ShapeString<S>}`>
          : ShapeErrorType<`perm has ${P['length']} axes but the tensor has rank ${S['length']}`>
      : unknown
