/**
 * expandDims and squeeze: a size-1 axis inserted or removed. Without an axis, squeeze drops every
 * literal 1 (a dimension that is not a literal might be 1 at run time, so the rank is then unknown).
 *
 * @module shapes/squeeze
 */
import type { NormalizeAxis } from './axes.js'
import type { IsLiteral, IsTuple, Same, ShapeErrorType, ShapeString } from './check.js'
import type { IsNatural } from './decimal.js'
import type { Shape } from './shape.js'
import type { Inc, Insert, Remove } from './tuple.js'

/**
 * The shape of `expandDims(x: S, axis)`: a 1 inserted at `axis` (of the result; negative counts
 * from its end).
 * @example
 * import type { ExpandDims } from 'nabla'
 * type A = ExpandDims<[2, 3], 1> // [2, 1, 3]
 * type B = ExpandDims<[2, 3], -1> // [2, 3, 1]
 */
export type ExpandDims<S extends Shape, A extends number> =
  IsTuple<S> extends false
    ? Shape
    : IsLiteral<A> extends false
      ? Shape
      : Insert<S, NormalizeAxis<Inc<S['length']>, A>, 1>

/**
 * `unknown` when `axis` is a valid axis of the result of `expandDims`, an error type otherwise.
 * @example
 * import type { CheckExpandDims } from 'nabla'
 * type C = CheckExpandDims<[2, 3], 3> // ShapeErrorType<'expandDims: axis 3 is out of range for [2,3] (the result has rank 3)'>
 */
export type CheckExpandDims<S extends Shape, A extends number> =
  IsTuple<S> extends false
    ? unknown
    : IsLiteral<A> extends false
      ? unknown
      : [NormalizeAxis<Inc<S['length']>, A>] extends [never]
        ? ShapeErrorType<`expandDims: axis ${A} is out of range for ${ShapeString<S>} (the result has rank ${Inc<S['length']>})`>
        : unknown

/**
 * The shape of `squeeze(x: S, axis?)`: without an axis, every literal 1 dropped (a dim that is not
 * a literal might be 1 at run time, so the rank is unknown: `Shape`); with one, that axis removed.
 * @example
 * import type { Squeeze } from 'nabla'
 * type A = Squeeze<[1, 3, 1], undefined> // [3]
 * type B = Squeeze<[2, 1, 4], 1> // [2, 4]
 */
export type Squeeze<S extends Shape, A extends number | undefined> =
  IsTuple<S> extends false
    ? Shape
    : A extends number
      ? IsLiteral<A> extends false
        ? Shape
        : Remove<S, NormalizeAxis<S['length'], A>>
      : DropOnes<S>
type DropOnes<S extends Shape> = S extends readonly [infer H extends number, ...infer R extends Shape]
  ? Same<H, 1> extends true
    ? DropOnes<R>
    : IsNatural<H> extends true
      ? DropOnes<R> extends infer T extends number[]
        ? [H, ...T]
        : Shape
      : Shape
  : []

/**
 * `unknown` when the axis exists and has size 1 (or is not known), an error type otherwise.
 * @example
 * import type { CheckSqueeze } from 'nabla'
 * type C = CheckSqueeze<[2, 4], 1> // ShapeErrorType<'axis 1 has size 4 in [2,4], not 1'>
 */
export type CheckSqueeze<S extends Shape, A extends number | undefined> =
  IsTuple<S> extends false
    ? unknown
    : A extends number
      ? IsLiteral<A> extends false
        ? unknown
        : NormalizeAxis<S['length'], A> extends infer I extends number
          ? [I] extends [never]
            ? ShapeErrorType<`axis ${A} is out of range for shape ${ShapeString<S>}`>
            : Same<S[I], 1> extends true
              ? unknown
              : IsLiteral<S[I]> extends true
                ? ShapeErrorType<`axis ${A} has size ${S[I]} in ${ShapeString<S>}, not 1`>
                : unknown
          : unknown
      : unknown
