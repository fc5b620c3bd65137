/**
 * Operands of the elementwise ops: a tensor or a plain number (a scalar), their shapes and dtypes,
 * the dtype of a result, and the checks a binary op runs (shapes broadcast, dtypes agree).
 *
 * @module shapes/operand
 */
import type { CheckBroadcast } from './broadcast.js'
import type { ShapeErrorType } from './check.js'
import type { DType } from './dtype.js'
import type { Shape } from './shape.js'

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
