/**
 * Reductions (sum, mean, max, …): the axis argument, the shape a reduction over literal axes leaves
 * (the axes removed, or kept as 1), and the check that every literal axis is in range.
 *
 * @module shapes/reduce
 */
import type { NormalizeAxis } from './axes.js'
import type { IsLiteral, IsTuple, ShapeErrorType, ShapeString } from './check.js'
import type { Shape } from './shape.js'
import type { AllIndices } from './tuple.js'

type AxesUnion<Rank extends number, Axes> = Axes extends number
  ? NormalizeAxis<Rank, Axes>
  : Axes extends readonly number[]
    ? NormalizeAxis<Rank, Axes[number]>
    : never

type ReduceRec<
  S extends Shape,
  Axes extends number,
  Keep extends boolean,
  Index extends unknown[],
> = S extends readonly [infer H extends number, ...infer R extends Shape]
  ? Index['length'] extends Axes
    ? Keep extends true
      ? [1, ...ReduceRec<R, Axes, Keep, [...Index, unknown]>]
      : ReduceRec<R, Axes, Keep, [...Index, unknown]>
    : [H, ...ReduceRec<R, Axes, Keep, [...Index, unknown]>]
  : []

/**
 * The axis argument of a reduction.
 * @example
 * import type { AxisArg } from 'nabla'
 * const axes: AxisArg[] = [0, [0, 1], undefined] // sum(x, 0), sum(x, [0, 1]), sum(x)
 */
export type AxisArg = number | readonly number[] | undefined

/**
 * The shape of a reduction of `S` over `Axis` (all axes when undefined), keeping reduced axes as
 * 1 when `Keep` is true. Non-literal axes or ranks give `Shape`.

 * @example
 * import type { Reduce } from 'nabla'
 * type A = Reduce<[2, 3, 4], 1, false> // [2, 4]
 * type B = Reduce<[2, 3], undefined, true> // [1, 1] */
export type Reduce<S extends Shape, Axis extends AxisArg, Keep extends boolean> =
  IsTuple<S> extends false
    ? Shape
    : Axis extends undefined
      ? ReduceRec<S, S['length'] extends number ? AllIndices<S> : never, Keep, []>
      : Axis extends number
        ? IsLiteral<Axis> extends true
          ? ReduceRec<S, AxesUnion<S['length'], Axis>, Keep, []>
          : Shape
        : Axis extends readonly number[]
          ? IsTuple<Axis> extends true
            ? IsLiteral<Axis[number]> extends true
              ? ReduceRec<S, AxesUnion<S['length'], Axis>, Keep, []>
              : Shape
            : Shape
          : Shape

/**
 * `unknown` when every literal axis is in range, an error type otherwise.
 * @example
 * import type { CheckAxis } from 'nabla'
 * // sum(zeros([2, 3]), 2) does not compile:
 * // ShapeErrorType<'axis 2 is out of range for shape [2,3]'>
 */
export type CheckAxis<S extends Shape, Axis extends AxisArg> =
  IsTuple<S> extends false
    ? unknown
    : Axis extends undefined
      ? unknown
      : Axis extends number
        ? IsLiteral<Axis> extends false
          ? unknown
          : [NormalizeAxis<S['length'], Axis>] extends [never]
            ? ShapeErrorType<`axis ${Axis} is out of range for shape ${ShapeString<S>}`>
            : unknown
        : Axis extends readonly number[]
          ? CheckAxesList<S, Axis>
          : unknown
type CheckAxesList<S extends Shape, Axes extends readonly number[]> = Axes extends readonly [
  infer H extends number,
  ...infer R extends readonly number[],
]
  ? CheckAxis<S, H> extends ShapeErrorType<string>
    ? CheckAxis<S, H>
    : CheckAxesList<S, R>
  : unknown
