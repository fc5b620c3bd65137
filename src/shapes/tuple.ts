/**
 * Tuple helpers for the shape types (internal: not exported from the package): splitting a shape
 * at an index, inserting, removing and replacing dims, and telling when two shapes provably differ.
 *
 * @module shapes/tuple
 */
import type { IsLiteral, IsTuple, Mutable, Same } from './check.js'
import type { Shape } from './shape.js'

export type AllIndices<S extends Shape> =
  Exclude<keyof S & `${number}`, never> extends `${infer I extends number}` ? I : never
export type IsFixed<T extends readonly unknown[]> = number extends T['length'] ? false : true
export type Inc<N extends number> = [...Tuple<N>, unknown]['length'] & number
export type Tuple<N extends number, Acc extends unknown[] = []> = Acc['length'] extends N
  ? Acc
  : Acc['length'] extends 64
    ? never
    : Tuple<N, [...Acc, unknown]>
/** `[first N dims, the rest]`. */
export type SplitAt<S extends Shape, N extends number, Head extends number[] = []> = Head['length'] extends N
  ? [Head, Mutable<S>]
  : S extends readonly [infer H extends number, ...infer R extends Shape]
    ? SplitAt<R, N, [...Head, H]>
    : [Head, []]
/** `S` with `X` inserted before index `N`. */
export type Insert<S extends Shape, N extends number, X extends number> =
  SplitAt<S, N> extends [infer H extends Shape, infer T extends Shape] ? [...H, X, ...T] : never
/** `S` without index `N`. */
export type Remove<S extends Shape, N extends number> =
  SplitAt<S, N> extends [infer H extends Shape, readonly [number, ...infer T extends Shape]]
    ? [...H, ...T]
    : never
/** `S` with `X` (a shape) in place of index `N`. */
export type ReplaceWith<S extends Shape, N extends number, X extends Shape> =
  SplitAt<S, N> extends [infer H extends Shape, readonly [number, ...infer T extends Shape]]
    ? [...H, ...X, ...T]
    : never
/** Two dims that are both known (literal or named) and not the same type: provably different. */
export type Differ<A, B> =
  Same<A, B> extends true
    ? false
    : A extends number
      ? B extends number
        ? IsLiteral<A> extends true
          ? IsLiteral<B> extends true
            ? true
            : false
          : false
        : false
      : false
/** True when two shapes provably differ (rank, or a known dim), ignoring index `Skip`. */
export type ShapesDiffer<A extends Shape, B extends Shape, Skip = never> =
  Same<A, B> extends true
    ? false
    : IsTuple<A> extends false
      ? false
      : IsTuple<B> extends false
        ? false
        : Same<A['length'], B['length']> extends false
          ? true
          : true extends {
                [K in keyof A]: K extends `${Skip & number}` ? false : Differ<A[K], B[K & keyof B]>
              }[number]
            ? true
            : false
