/**
 * The words every static shape check is written in: whether a rank or a dimension is known
 * (`IsTuple`, `IsLiteral`, `Same`), and how a failed check reads (`ShapeErrorType`, with shapes
 * rendered by `ShapeString`).
 *
 * Rules of the game, for every check in src/shapes:
 * - a shape whose length is not a literal (`number[]`) switches every static check off;
 * - a dimension typed `number` switches the check off for that dimension only;
 * - a failed check resolves to `{ __shapeError: '…' }`, a type no tensor satisfies, so the call
 *   does not compile and the message shows up in the compiler's error;
 * - each op has a result type (`Concat<…>`) and a check (`CheckConcat<…>`, `unknown` when the call
 *   is fine or cannot be judged, a `ShapeErrorType` naming the shapes otherwise);
 * - a generic dimension `B` is carried through untouched and compared only with itself: TypeScript
 *   cannot decide a conditional on a type parameter, so where a size has to be computed from `B` (a
 *   concat along the batch axis) the result stays deferred until `B` is known, and is assignable
 *   wherever a `number` dimension is.
 *
 * @module shapes/check
 */
import type { Shape } from './shape.js'

/**
 * True when `N` is a literal number type (not `number`).
 * @example
 * import type { IsLiteral } from 'nabla'
 * type A = IsLiteral<3> // true
 * type B = IsLiteral<number> // false
 */
export type IsLiteral<N extends number> = number extends N ? false : true

/**
 * True when `S` is a tuple of known length.
 * @example
 * import type { IsTuple } from 'nabla'
 * type A = IsTuple<[2, 3]> // true
 * type B = IsTuple<number[]> // false
 */
export type IsTuple<S extends Shape> = number extends S['length'] ? false : true

/**
 * Renders a shape type as a string: `[2,3]`.
 * @example
 * import type { ShapeString } from 'nabla'
 * type S = ShapeString<[2, number]> // '[2,number]'
 */
export type ShapeString<S extends Shape> = IsTuple<S> extends true ? `[${Join<S>}]` : 'number[]'
type Join<S extends Shape> = S extends readonly []
  ? ''
  : S extends readonly [infer H extends number]
    ? `${H}`
    : S extends readonly [infer H extends number, ...infer R extends Shape]
      ? `${H},${Join<R>}`
      : ''
// A dimension renders as itself, with no conditional: a literal prints as `3`, a type parameter as
// `${B}`, a named dimension as `${Dim<"batch">}` and a run-time size as `${number}`. (Any
// conditional on a type parameter is deferred, and would print as `${DimString<B>}`.)

/**
 * True when `A` and `B` are the same type, decided without deferring on type parameters: two
 * mentions of one generic dimension `B` compare equal, which `B extends B ? …` (a conditional on a
 * type parameter) cannot tell until `B` is known.
 * @example
 * import type { Same } from 'nabla'
 * type A = Same<[2, 3], [2, 3]> // true
 * type B = Same<3, 4> // false
 */
export type Same<A, B> = { v: A } extends { v: B } ? ({ v: B } extends { v: A } ? true : false) : false

/**
 * The failure type of a static check: carries a readable message.
 * @example
 * import type { ShapeErrorType } from 'nabla'
 * // matmul(zeros([2, 3]), zeros([4, 5])) does not compile; the error names
 * // ShapeErrorType<"inner dimensions differ: a is [2,3], b is [4,5]">
 */
export interface ShapeErrorType<Message extends string> {
  readonly __shapeError: Message
}

/**
 * Turns a mutable or readonly tuple into a mutable one (for display).
 * @example
 * import type { Mutable } from 'nabla'
 * type M = Mutable<readonly [2, 3]> // [2, 3]
 */
export type Mutable<S extends Shape> = { -readonly [K in keyof S]: S[K] }
