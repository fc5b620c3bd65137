/**
 * reshape: the shape `reshape(x, newShape)` gives, with its one `-1` computed where the sizes or
 * the structure allow it, and the check that the element counts agree. Element counts are decimal
 * arithmetic on digit strings (decimal.ts), so large literal shapes (`[784, 128]`) still check
 * without building huge tuples.
 *
 * @module shapes/reshape
 */
import type { IsTuple, Mutable, ShapeErrorType, ShapeString } from './check.js'
import type { DivideStrings, SizeOf, SizeString } from './decimal.js'
import type { Shape } from './shape.js'

type WithoutMinusOne<S extends Shape> = S extends readonly [infer H extends number, ...infer R extends Shape]
  ? H extends -1
    ? WithoutMinusOne<R>
    : [H, ...WithoutMinusOne<R>]
  : []
type CountMinusOne<S extends Shape> = S extends readonly [infer H extends number, ...infer R extends Shape]
  ? H extends -1
    ? [0, ...CountMinusOne<R>]
    : CountMinusOne<R>
  : []
/** The target split around its `-1`: `[before, after]`. */
type AroundMinusOne<NS extends Shape, Pre extends number[] = []> = NS extends readonly [
  infer H extends number,
  ...infer R extends Shape,
]
  ? H extends -1
    ? [Pre, Mutable<R>]
    : AroundMinusOne<R, [...Pre, H]>
  : never
/**
 * What a `-1` stands for: when the source is the target's dims around the `-1` with some dims in
 * between (`[B,T,D]` to `[-1,D]`), those dims' product, decided even with generic dims (a single
 * dim is kept as itself); else, a leading `-1` over a rest of equal size keeps the leading dim;
 * else the quotient of the literal sizes; else `number` (and the run time checks it).
 */
type MinusOne<S extends Shape, NS extends Shape> =
  AroundMinusOne<NS> extends [infer Pre extends Shape, infer Post extends Shape]
    ? S extends readonly [...Pre, ...infer Mid extends Shape, ...Post]
      ? Mid extends readonly [infer Only extends number]
        ? Only
        : SizeOf<Mid>
      : NS extends readonly [-1, ...infer Rest extends Shape]
        ? LeadingDim<S, Rest>
        : Quotient<S, WithoutMinusOne<NS>>
    : number
type LeadingDim<S extends Shape, Rest extends Shape> =
  LeadingKept<S, Rest> extends true ? S[0] : Quotient<S, Rest>
/** True when `S` is `[Lead, ...SR]` with SR holding as many elements as `Rest` (both literal). */
type LeadingKept<S extends Shape, Rest extends Shape> = S extends readonly [
  unknown,
  ...infer SR extends Shape,
]
  ? [SizeString<SR>] extends [never]
    ? false
    : [SizeString<Rest>] extends [never]
      ? false
      : SizeString<SR> extends SizeString<Rest>
        ? true
        : false
  : false
/** True when the structure alone fixes the `-1` (see MinusOne), with no arithmetic on sizes. */
type KeptAround<S extends Shape, NS extends Shape> =
  AroundMinusOne<NS> extends [infer Pre extends Shape, infer Post extends Shape]
    ? S extends readonly [...Pre, ...unknown[], ...Post]
      ? true
      : NS extends readonly [-1, ...infer Rest extends Shape]
        ? LeadingKept<S, Rest>
        : false
    : false
type Quotient<S extends Shape, Rest extends Shape> = [SizeString<S>] extends [never]
  ? number
  : [SizeString<Rest>] extends [never]
    ? number
    : SizeString<Rest> extends '0'
      ? number
      : DivideStrings<SizeString<S>, SizeString<Rest>> extends [`${infer Q extends number}`, '0']
        ? Q
        : number
/** An error when the literal sizes do not divide (`unknown` when they do or are not all known). */
type CheckDivides<S extends Shape, NS extends Shape> = [SizeString<S>] extends [never]
  ? unknown
  : [SizeString<WithoutMinusOne<NS>>] extends [never]
    ? unknown
    : SizeString<WithoutMinusOne<NS>> extends '0'
      ? ShapeErrorType<`cannot reshape ${ShapeString<S>} (${SizeString<S>} elements) to ${ShapeString<NS>}`>
      : DivideStrings<SizeString<S>, SizeString<WithoutMinusOne<NS>>> extends [string, '0']
        ? unknown
        : ShapeErrorType<`cannot reshape ${ShapeString<S>} (${SizeString<S>} elements) to ${ShapeString<NS>}`>
// Either check passing is enough: the structural one decides with generic dims in the source
// ([B,28,28] to [-1,784]), the size one with generic dims in the target (it is `unknown` as soon as
// the source holds a non-literal); a wrong literal call fails both.
type CheckMinusOne<S extends Shape, NS extends Shape> =
  | CheckDivides<S, NS>
  | (KeptAround<S, NS> extends true ? unknown : CheckDivides<S, NS>)

/**
 * The shape `reshape(x: S, NS)` gives. A `-1` is computed: from literal sizes (`[2,3,4]` to
 * `[-1,12]` gives `[2,12]`), or, with generic dims, when the target keeps the source's dims around
 * it (`[B,28,28]` to `[-1,784]` gives `[B,784]`, `[B,T,D]` to `[-1,D]` gives `[B·T,D]` as a
 * deferred size); otherwise it is `number`, checked at run time.
 * @example
 * import type { Reshape } from 'nabla'
 * type R = Reshape<[2, 3], [3, -1]> // [3, 2]
 * type F = Reshape<[32, 28, 28], [-1, 784]> // [32, 784]
 */
export type Reshape<S extends Shape, NS extends Shape> =
  IsTuple<NS> extends false
    ? Shape
    : CountMinusOne<NS>['length'] extends 1
      ? IsTuple<S> extends true
        ? { -readonly [K in keyof NS]: NS[K] extends -1 ? MinusOne<S, NS> : NS[K] }
        : { -readonly [K in keyof NS]: NS[K] extends -1 ? number : NS[K] }
      : Mutable<NS>

/**
 * `unknown` when the element counts of literal shapes agree (or cannot be checked).
 * @example
 * import type { CheckReshape } from 'nabla'
 * // reshape(zeros([2, 3]), [4, 2]) does not compile:
 * // ShapeErrorType<'cannot reshape [2,3] (6 elements) to [4,2] (8 elements)'>
 */
export type CheckReshape<S extends Shape, NS extends Shape> =
  IsTuple<S> extends false
    ? unknown
    : IsTuple<NS> extends false
      ? unknown
      : CountMinusOne<NS>['length'] extends 0 | 1
        ? CountMinusOne<NS>['length'] extends 1
          ? CheckMinusOne<S, NS>
          : [SizeString<S>] extends [never]
            ? unknown
            : [SizeString<NS>] extends [never]
              ? unknown
              : SizeString<S> extends SizeString<WithoutMinusOne<NS>>
                ? unknown
                : ShapeErrorType<`cannot reshape ${ShapeString<S>} (${SizeString<S>} elements) to ${ShapeString<NS>} (${SizeString<NS>} elements)`>
        : ShapeErrorType<`reshape to ${ShapeString<NS>}: at most one dimension may be -1`>
