/**
 * concat and stack, over the tuple of the tensors' shapes: the result shape (sizes along the axis
 * add up for concat; the number of tensors is inserted for stack) and the checks that name the
 * first tensor whose shape provably differs from `xs[0]`'s, or the dtype clash.
 *
 * @module shapes/concat
 */
import type { NormalizeAxis } from './axes.js'
import type { IsLiteral, IsTuple, Same, ShapeErrorType, ShapeString } from './check.js'
import type { AddDims } from './decimal.js'
import type { DType } from './dtype.js'
import type { Shape } from './shape.js'
import type { Inc, Insert, IsFixed, ShapesDiffer } from './tuple.js'

/**
 * The shapes of a list of tensors (a tuple for a tuple, an array for an array).
 * @example
 * import type { ShapesOf, Tensor } from 'nabla'
 * type S = ShapesOf<[Tensor<[2, 3]>, Tensor<[4, 3]>]> // [[2, 3], [4, 3]]
 */
export type ShapesOf<Xs extends readonly { readonly shape: Shape }[]> = {
  -readonly [K in keyof Xs]: Xs[K]['shape']
}
type SumAxis<Ss extends readonly Shape[], A extends number> =
  IsFixed<Ss> extends false
    ? number
    : Ss extends readonly [infer H extends Shape, ...infer R extends readonly Shape[]]
      ? R extends readonly []
        ? H[A]
        : AddDims<H[A], SumAxis<R, A>>
      : 0

/**
 * The shape of `concat(xs, axis)` from the shapes of `xs`: the sizes along `axis` add up (`number`
 * when one is not a literal or `xs` is an array of unknown length).
 * @example
 * import type { Concat } from 'nabla'
 * type C = Concat<[[2, 3], [4, 3]], 0> // [6, 3]
 */
export type Concat<Ss extends readonly Shape[], A extends number> = Ss[0] extends infer F extends Shape
  ? IsTuple<F> extends false
    ? Shape
    : IsLiteral<A> extends false
      ? { -readonly [K in keyof F]: number }
      : NormalizeAxis<F['length'], A> extends infer I extends number
        ? [I] extends [never]
          ? Shape
          : { -readonly [K in keyof F]: K extends `${I}` ? SumAxis<Ss, I> : F[K] }
        : Shape
  : Shape

/**
 * `unknown` when `concat(xs, axis)` is fine (or cannot be judged), an error type naming both shapes
 * and the axis when a tensor's rank or a dim off the axis provably differs from `xs[0]`'s.
 * @example
 * import type { CheckConcat } from 'nabla'
 * type C = CheckConcat<[[2, 3], [2, 4]], 0>
 * // ShapeErrorType<'xs[1] has shape [2,4] but xs[0] has [2,3]; only axis 0 may differ'>
 */
export type CheckConcat<Ss extends readonly Shape[], A extends number> = Ss['length'] extends 0
  ? ShapeErrorType<'concat needs a non-empty array of tensors'>
  : Ss[0] extends infer F extends Shape
    ? IsTuple<F> extends false
      ? unknown
      : IsLiteral<A> extends false
        ? unknown
        : NormalizeAxis<F['length'], A> extends infer I extends number
          ? [I] extends [never]
            ? ShapeErrorType<`concat: axis ${A} is out of range for shape ${ShapeString<F>}`>
            : FirstMismatch<Ss, F, I, `; only axis ${I} may differ`>
          : unknown
    : unknown
/** The error for the first shape in `Ss` that provably differs from `F` off `Skip`, or unknown. */
type FirstMismatch<Ss extends readonly Shape[], F extends Shape, Skip, Tail extends string> =
  IsFixed<Ss> extends false
    ? unknown
    : {
          [K in keyof Ss]: ShapesDiffer<F, Ss[K], Skip> extends true
            ? ShapeErrorType<`xs[${K & string}] has shape ${ShapeString<Ss[K]>} but xs[0] has ${ShapeString<F>}${Tail}`>
            : never
        }[number] extends infer E
      ? [E] extends [never]
        ? unknown
        : E
      : unknown

/**
 * `unknown` unless one tensor of `xs` is known to be float32 and another float64.
 * @example
 * import type { CheckSameDTypes, Tensor } from 'nabla'
 * type C = CheckSameDTypes<[Tensor<[2]>, Tensor<[2], 'float64'>]>
 * // ShapeErrorType<'dtypes differ: float32 and float64; cast one explicitly'>
 */
export type CheckSameDTypes<Xs extends readonly { readonly dtype: DType }[]> = true extends {
  [K in keyof Xs]: Same<Xs[K]['dtype'], 'float32'>
}[number]
  ? true extends { [K in keyof Xs]: Same<Xs[K]['dtype'], 'float64'> }[number]
    ? ShapeErrorType<'dtypes differ: float32 and float64; cast one explicitly'>
    : unknown
  : unknown

/**
 * The shape of `stack(xs, axis)`: the common shape with the number of tensors inserted at `axis`
 * (`number` when `xs` is an array of unknown length).
 * @example
 * import type { Stack } from 'nabla'
 * type S = Stack<[[2, 3], [2, 3], [2, 3]], 0> // [3, 2, 3]
 */
export type Stack<Ss extends readonly Shape[], A extends number> = Ss[0] extends infer F extends Shape
  ? IsTuple<F> extends false
    ? Shape
    : IsLiteral<A> extends false
      ? Shape
      : Insert<F, NormalizeAxis<Inc<F['length']>, A>, IsFixed<Ss> extends true ? Ss['length'] : number>
  : Shape

/**
 * `unknown` when `stack(xs, axis)` is fine (or cannot be judged), an error type when a shape
 * provably differs from `xs[0]`'s or the axis is out of range.
 * @example
 * import type { CheckStack } from 'nabla'
 * type C = CheckStack<[[2, 3], [2, 4]], 0> // ShapeErrorType<'xs[1] has shape [2,4] but xs[0] has [2,3]'>
 */
export type CheckStack<Ss extends readonly Shape[], A extends number> = Ss['length'] extends 0
  ? ShapeErrorType<'stack needs a non-empty array of tensors'>
  : Ss[0] extends infer F extends Shape
    ? IsTuple<F> extends false
      ? unknown
      : IsLiteral<A> extends true
        ? [NormalizeAxis<Inc<F['length']>, A>] extends [never]
          ? ShapeErrorType<`stack: axis ${A} is out of range for shapes ${ShapeString<F>} (the result has rank ${Inc<F['length']>})`>
          : FirstMismatch<Ss, F, never, ''>
        : FirstMismatch<Ss, F, never, ''>
    : unknown
