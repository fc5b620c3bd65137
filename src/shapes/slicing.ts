/**
 * Type-level shapes of the ops that pick, cut or grow along axes: gather, slice, pad and oneHot.
 * The same rules as the other ops' files (see check.ts): literal sizes are computed, a generic dimension is carried
 * through untouched (and a size computed from it stays deferred), anything else is `number`.
 *
 * @module shapes/slicing
 */

import type { NormalizeAxis } from './axes.js'
import type { IsLiteral, IsTuple, Same, ShapeErrorType, ShapeString } from './check.js'
import type { AddDims, IsNatural, SubDims } from './decimal.js'
import type { Shape } from './shape.js'
import type { IsFixed, ReplaceWith } from './tuple.js'

// ---------------------------------------------------------------------------------------------
// gather

/**
 * The shape of an index argument: a tensor's shape, `[n]` for a literal array of n indices,
 * `[number]` for an array of unknown length.
 * @example
 * import type { IndexShape, Tensor } from 'nabla'
 * type A = IndexShape<readonly [2, 0]> // [2]
 * type B = IndexShape<Tensor<[4, 5]>> // [4, 5]
 */
export type IndexShape<I> = I extends readonly number[]
  ? IsFixed<I> extends true
    ? [I['length']]
    : [number]
  : I[Extract<keyof I, 'shape'>] extends infer S extends Shape
    ? S
    : Shape

/**
 * The shape of `gather(x: S, indices, axis)`: `S[:axis] + indices' shape + S[axis+1:]`.
 * @example
 * import type { Gather } from 'nabla'
 * type G = Gather<[10, 16], [32], 0> // [32, 16]
 */
export type Gather<S extends Shape, IS extends Shape, A extends number> =
  IsTuple<S> extends false
    ? Shape
    : IsLiteral<A> extends false
      ? Shape
      : NormalizeAxis<S['length'], A> extends infer I extends number
        ? [I] extends [never]
          ? Shape
          : ReplaceWith<S, I, IS>
        : Shape

// ---------------------------------------------------------------------------------------------
// pad

/**
 * The shape of `pad(x: S, widths)`: each dim grows by its two widths (a dim with widths `[0, 0]`
 * is kept as it is, even a generic one).
 * @example
 * import type { Pad } from 'nabla'
 * type P = Pad<[3, 28, 28], readonly [readonly [0, 0], readonly [2, 2], readonly [2, 2]]> // [3, 32, 32]
 */
export type Pad<S extends Shape, W extends readonly (readonly [number, number])[]> =
  IsTuple<S> extends false
    ? Shape
    : IsFixed<W> extends false
      ? { -readonly [K in keyof S]: number }
      : { -readonly [K in keyof S]: K extends keyof W ? PadDim<S[K], W[K]> : number }
type PadDim<D extends number, P> = P extends readonly [infer L extends number, infer R extends number]
  ? Same<[L, R], [0, 0]> extends true
    ? D
    : AddDims<D, AddDims<L, R>>
  : number

/**
 * `unknown` when `widths` has one pair per axis and no negative literal width, an error type
 * otherwise.
 * @example
 * import type { CheckPad } from 'nabla'
 * type C = CheckPad<[2, 3], readonly [readonly [1, 1]]>
 * // ShapeErrorType<'pad: widths has 1 pairs but [2,3] has rank 2'>
 */
export type CheckPad<S extends Shape, W extends readonly (readonly [number, number])[]> =
  IsTuple<S> extends false
    ? unknown
    : IsFixed<W> extends false
      ? unknown
      : Same<W['length'], S['length']> extends false
        ? ShapeErrorType<`pad: widths has ${W['length']} pairs but ${ShapeString<S>} has rank ${S['length']}`>
        : true extends { [K in keyof W]: IsNegative<W[K][0]> | IsNegative<W[K][1]> }[number]
          ? ShapeErrorType<`pad: widths must be non-negative, got a negative one for ${ShapeString<S>}`>
          : unknown

// ---------------------------------------------------------------------------------------------
// slice

type IsNegative<N extends number> = `${N}` extends `-${string}` ? true : false
type Magnitude<N extends number> = `${N}` extends `-${infer P extends number}` ? P : N
/** A bound counted from the start: negative literals count from the end of a literal size. */
type FromStart<V extends number, Size extends number> =
  IsNegative<V> extends true ? SubDims<Size, Magnitude<V>> : V

/**
 * The shape of `slice(x: S, begin, end?)`: `end − begin` per axis where both are literal
 * (negative ones counting from the end of a literal size; `end` omitted is the full extent, so
 * `begin` 0 keeps the dim as it is, even a generic one, and so does `end` equal to the dim),
 * `number` otherwise.
 * @example
 * import type { Slice } from 'nabla'
 * type A = Slice<[4, 10], readonly [1, 2], readonly [3, 10]> // [2, 8]
 * type B = Slice<[4, 10], readonly [0, -3], undefined> // [4, 3]
 */
export type Slice<S extends Shape, B extends readonly number[], E extends readonly number[] | undefined> =
  IsTuple<S> extends false
    ? Shape
    : E extends undefined
      ? { -readonly [K in keyof S]: SliceToEnd<S[K], BoundAt<B, K>> }
      : { -readonly [K in keyof S]: SliceDim<S[K], BoundAt<B, K>, BoundAt<E, K>> }
// Bound values may be generic (`t.shape[0]`), so they are only compared with `Same` before any
// other test: a conditional on a type parameter is never decided.
type BoundAt<T, K> = K extends keyof T ? T[K] & number : number
type SliceToEnd<D extends number, B extends number> =
  Same<B, 0> extends true
    ? D
    : IsLiteral<B> extends false
      ? number
      : IsNegative<B> extends true
        ? Magnitude<B>
        : OrNumber<SubDims<D, B>>
type SliceDim<D extends number, B extends number, E extends number> =
  Same<B, 0> extends true ? (Same<E, D> extends true ? D : LiteralSpan<D, B, E>) : LiteralSpan<D, B, E>
type LiteralSpan<D extends number, B extends number, E extends number> =
  IsLiteral<B> extends false
    ? number
    : IsLiteral<E> extends false
      ? number
      : Same<B, E> extends true
        ? 0
        : Same<E, D> extends true
          ? SliceToEnd<D, B>
          : IsNegative<B> extends false
            ? IsNegative<E> extends false
              ? OrNumber<SubDims<E, B>>
              : OrNumber<SubDims<FromStart<E, D>, B>>
            : OrNumber<SubDims<FromStart<E, D>, FromStart<B, D>>>
type OrNumber<N> = [N] extends [never] ? number : N

/**
 * `unknown` when `begin` (and `end`) have one entry per axis and, where the bounds and the size are
 * literal, lie within the axis with begin ≤ end; an error type naming the axis otherwise.
 * @example
 * import type { CheckSlice } from 'nabla'
 * type C = CheckSlice<[4, 10], readonly [0, 11], undefined> // ShapeErrorType<'begin[1] = 11 is out of range for an axis of size 10 in [4,10]'>
 */
export type CheckSlice<
  S extends Shape,
  B extends readonly number[],
  E extends readonly number[] | undefined,
> =
  IsTuple<S> extends false
    ? unknown
    : IsFixed<B> extends false
      ? unknown
      : Same<B['length'], S['length']> extends false
        ? ShapeErrorType<`begin and end must have one entry per axis of ${ShapeString<S>}`>
        : E extends undefined
          ? FirstError<{ [K in keyof S]: BoundError<S, S[K], K & string, 'begin', BoundAt<B, K>> }>
          : IsFixed<E & readonly number[]> extends false
            ? unknown
            : Same<(E & readonly number[])['length'], S['length']> extends false
              ? ShapeErrorType<`begin and end must have one entry per axis of ${ShapeString<S>}`>
              : FirstError<{ [K in keyof S]: SliceError<S, S[K], K & string, BoundAt<B, K>, BoundAt<E, K>> }>
type FirstError<Errors> = Errors[keyof Errors & `${number}`] extends infer Err
  ? [Err] extends [never]
    ? unknown
    : Err
  : unknown
type SliceError<S extends Shape, D extends number, K extends string, B extends number, E extends number> =
  BoundError<S, D, K, 'begin', B> extends infer BE
    ? [BE] extends [never]
      ? BoundError<S, D, K, 'end', E> extends infer EE
        ? [EE] extends [never]
          ? OrderError<S, D, K, B, E>
          : EE
        : never
      : BE
    : never
// the size is consulted only for a bound other than 0 and the size itself, so a generic dim
// sliced with those stays decided
type BoundError<
  S extends Shape,
  D extends number,
  K extends string,
  Name extends string,
  V extends number,
> = Name extends 'begin'
  ? Same<V, 0> extends true
    ? never
    : OutOfRange<S, D, K, Name, V>
  : Same<V, D> extends true
    ? never
    : OutOfRange<S, D, K, Name, V>
// begin is tested against 0 first and end against the size first: each is compared with the other
// only when literal, since `Same<0, B>` on a generic B is never decided
type OutOfRange<S extends Shape, D extends number, K extends string, Name extends string, V extends number> =
  IsLiteral<V> extends false
    ? never
    : IsNatural<D> extends false
      ? never
      : [SubDims<D, Magnitude<V>>] extends [never]
        ? ShapeErrorType<`${Name}[${K}] = ${V} is out of range for an axis of size ${D} in ${ShapeString<S>}`>
        : never
type OrderError<S extends Shape, D extends number, K extends string, B extends number, E extends number> =
  Same<B, 0> extends true
    ? never
    : IsLiteral<B> extends false
      ? never
      : IsLiteral<E> extends false
        ? never
        : Same<B, E> extends true
          ? never
          : IsNegative<B> extends false
            ? IsNegative<E> extends false
              ? [SubDims<E, B>] extends [never]
                ? ShapeErrorType<`begin[${K}] = ${B} is after end[${K}] = ${E} in ${ShapeString<S>}`>
                : never
              : OrderWithSize<S, D, K, B, E>
            : OrderWithSize<S, D, K, B, E>
type OrderWithSize<S extends Shape, D extends number, K extends string, B extends number, E extends number> =
  IsNatural<D> extends false
    ? never
    : [SubDims<FromStart<E, D>, FromStart<B, D>>] extends [never]
      ? ShapeErrorType<`begin[${K}] = ${B} is after end[${K}] = ${E} in ${ShapeString<S>}`>
      : never

// ---------------------------------------------------------------------------------------------
// oneHot

/**
 * `unknown` when a literal depth is a positive integer, an error type otherwise.
 * @example
 * import type { CheckDepth } from 'nabla'
 * type C = CheckDepth<0> // ShapeErrorType<'oneHot: depth must be a positive integer, got 0'>
 */
export type CheckDepth<N extends number> =
  IsLiteral<N> extends false
    ? unknown
    : Same<N, 0> extends true
      ? ShapeErrorType<`oneHot: depth must be a positive integer, got ${N}`>
      : `${N}` extends `-${string}` | `${string}.${string}`
        ? ShapeErrorType<`oneHot: depth must be a positive integer, got ${N}`>
        : unknown
