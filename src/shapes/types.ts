/**
 * Type-level shape arithmetic: the compile-time twins of the runtime rules in src/tensor/shape.ts.
 * (Being split by topic into files of their own; the words every check uses live in check.ts.)
 *
 * @module shapes/types
 */
import type { Broadcast, CheckBroadcast } from './broadcast.js'
import type { IsLiteral, IsTuple, Same, ShapeErrorType, ShapeString } from './check.js'
import type { DType } from './dtype.js'
import type { Shape } from './shape.js'

// ---------------------------------------------------------------------------------------------
// Operands: a tensor or a plain number (a scalar)

/**
 * Something that names a tensor type.
 * @example
 * import { type TensorType, tensor } from 'nabla'
 * const t: TensorType<[2], 'float32'> = tensor([1, 2])
 */
export interface TensorType<S extends Shape = Shape, D extends DType = DType> {
  readonly shape: S
  readonly dtype: D
}

/**
 * A tensor or a JavaScript number standing for a scalar of the other operand's dtype.
 * @example
 * import { type Operand, tensor } from 'nabla'
 * const operands: Operand[] = [tensor([1, 2]), 2]
 */
export type Operand = TensorType | number

/**
 * The shape of an operand (`[]` for a number).
 * @example
 * import type { ShapeOf, Tensor } from 'nabla'
 * type A = ShapeOf<Tensor<[2, 3]>> // [2, 3]
 * type B = ShapeOf<number> // []
 */
export type ShapeOf<T> = T extends number
  ? []
  : T[Extract<keyof T, 'shape'>] extends infer S extends Shape
    ? S
    : Shape
// Reading the `shape` field (rather than matching `T extends TensorType<infer S>`) keeps a shape that
// holds a type parameter: the match is decided on a restrictive copy of T whose parameters lose
// their `extends number`, so it would be deferred and every later check with it.

/**
 * The dtype of an operand (`never` for a number).
 * @example
 * import type { DTypeOf, Tensor } from 'nabla'
 * type D = DTypeOf<Tensor<[2], 'float64'>> // 'float64'
 */
export type DTypeOf<T> = T extends number
  ? never
  : T[Extract<keyof T, 'dtype'>] extends infer D extends DType
    ? D
    : never

/**
 * The dtype of the result of a binary op.
 * @example
 * import type { ResultDType, Tensor } from 'nabla'
 * type D = ResultDType<number, Tensor<[2], 'float64'>> // 'float64'
 */
export type ResultDType<A, B> = [DTypeOf<A>] extends [never]
  ? [DTypeOf<B>] extends [never]
    ? 'float32'
    : DTypeOf<B>
  : DTypeOf<A>

/**
 * `unknown` when the operand dtypes agree (or cannot be checked), an error type otherwise.
 * @example
 * import type { CheckDTypes, Tensor } from 'nabla'
 * type C = CheckDTypes<Tensor<[2], 'float32'>, Tensor<[2], 'float64'>>
 * // ShapeErrorType<'dtypes differ: float32 and float64; cast one explicitly'>
 */
export type CheckDTypes<A, B> = [DTypeOf<A>] extends [never]
  ? unknown
  : [DTypeOf<B>] extends [never]
    ? unknown
    : DType extends DTypeOf<A>
      ? unknown
      : DType extends DTypeOf<B>
        ? unknown
        : DTypeOf<A> extends DTypeOf<B>
          ? unknown
          : ShapeErrorType<`dtypes differ: ${DTypeOf<A>} and ${DTypeOf<B>}; cast one explicitly`>

/**
 * `unknown` when two dtypes agree (or either is unknown), an error type otherwise.
 * @example
 * import type { CheckSameDType } from 'nabla'
 * type C = CheckSameDType<'float32', 'float64'> // ShapeErrorType<'dtypes differ: float32 and float64; …'>
 */
export type CheckSameDType<A extends DType, B extends DType> = DType extends A
  ? unknown
  : DType extends B
    ? unknown
    : A extends B
      ? unknown
      : ShapeErrorType<`dtypes differ: ${A} and ${B}; cast one explicitly`>

/**
 * The known one of two dtypes (the first when both are known).
 * @example
 * import type { DType, JoinDType } from 'nabla'
 * type D = JoinDType<DType, 'float64'> // 'float64'
 */
export type JoinDType<A extends DType, B extends DType> = DType extends A ? B : A

/**
 * Both checks of an elementwise binary op.
 * @example
 * import type { CheckBinary } from 'nabla'
 * // add(zeros([2, 3]), zeros([3, 2])) does not compile:
 * // CheckBinary gives ShapeErrorType<'cannot broadcast [2,3] with [3,2]'>
 */
export type CheckBinary<A, B> = CheckBroadcast<ShapeOf<A>, ShapeOf<B>> & CheckDTypes<A, B>

// ---------------------------------------------------------------------------------------------
// matmul

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
