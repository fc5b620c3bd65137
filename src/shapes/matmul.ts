/**
 * matmul: the result shape of `matmul(a, b)` (batch dimensions broadcast) and the check that the
 * inner dimensions agree and both operands have rank 2 or more. Rank-2 operands are read by indexed
 * access, so a generic batch dimension (`[B, 784]`) does not defer the type.
 *
 * @module shapes/matmul
 */
import type { Broadcast, CheckBroadcast } from './broadcast.js'
import type { IsLiteral, IsTuple, Same, ShapeErrorType, ShapeString } from './check.js'
import type { Shape } from './shape.js'

type Last2<S extends Shape> = S extends readonly [
  ...infer B extends Shape,
  infer M extends number,
  infer N extends number,
]
  ? [B, M, N]
  : never

/**
 * The shape of `matmul(a, b)` for a, b of rank ≥ 2 (batch dimensions broadcast).
 * @example
 * import type { MatmulShape } from 'nabla'
 * type M = MatmulShape<[5, 2, 3], [3, 4]> // [5, 2, 4]
 */
export type MatmulShape<A extends Shape, B extends Shape> =
  // rank 2 by indexed access, so a generic batch dimension ([B, 784]) does not defer the type
  A['length'] extends 2
    ? B['length'] extends 2
      ? [A[0], B[1]]
      : MatmulShapeGeneral<A, B>
    : MatmulShapeGeneral<A, B>
type MatmulShapeGeneral<A extends Shape, B extends Shape> =
  IsTuple<A> extends true
    ? IsTuple<B> extends true
      ? Last2<A> extends [infer AB extends Shape, infer M extends number, number]
        ? Last2<B> extends [infer BB extends Shape, number, infer N extends number]
          ? [...Broadcast<AB, BB>, M, N]
          : Shape
        : Shape
      : Shape
    : Shape

/**
 * `unknown` when the inner dimensions agree (or cannot be checked), an error type otherwise.
 * @example
 * import type { CheckMatmul } from 'nabla'
 * type C = CheckMatmul<[2, 3], [4, 5]> // ShapeErrorType<'inner dimensions differ: a is [2,3], b is [4,5]'>
 */
export type CheckMatmul<A extends Shape, B extends Shape> =
  // rank 2 by indexed access, so a generic batch dimension ([B, 784]) does not defer the check
  A['length'] extends 2
    ? B['length'] extends 2
      ? CheckInner<A, B, A[1], B[0]>
      : CheckMatmulGeneral<A, B>
    : CheckMatmulGeneral<A, B>
type CheckInner<A extends Shape, B extends Shape, K extends number, K2 extends number> =
  Same<K, K2> extends true ? unknown : CheckInnerDistinct<A, B, K, K2>
type CheckInnerDistinct<A extends Shape, B extends Shape, K extends number, K2 extends number> =
  IsLiteral<K> extends true
    ? IsLiteral<K2> extends true
      ? [K] extends [K2]
        ? unknown
        : ShapeErrorType<`inner dimensions differ: a is ${ShapeString<A>}, b is ${ShapeString<B>}`>
      : unknown
    : unknown
type CheckMatmulGeneral<A extends Shape, B extends Shape> =
  IsTuple<A> extends false
    ? unknown
    : IsTuple<B> extends false
      ? unknown
      : A['length'] extends 0 | 1
        ? ShapeErrorType<`matmul needs rank 2 or more: a is ${ShapeString<A>}`>
        : B['length'] extends 0 | 1
          ? ShapeErrorType<`matmul needs rank 2 or more: b is ${ShapeString<B>}`>
          : Last2<A> extends [infer AB extends Shape, number, infer K extends number]
            ? Last2<B> extends [infer BB extends Shape, infer K2 extends number, number]
              ? Same<K, K2> extends true
                ? CheckBroadcast<AB, BB>
                : IsLiteral<K> extends true
                  ? IsLiteral<K2> extends true
                    ? K extends K2
                      ? CheckBroadcast<AB, BB>
                      : ShapeErrorType<`inner dimensions differ: a is ${ShapeString<A>}, b is ${ShapeString<B>}`>
                    : CheckBroadcast<AB, BB>
                  : CheckBroadcast<AB, BB>
              : unknown
            : unknown
