/**
 * Arithmetic on ranks and axes, small literal numbers done with tuples: the difference of two ranks,
 * and a (possibly negative) axis normalised against a rank, which every check taking an axis uses.
 *
 * @module shapes/axes
 */
import type { Tuple } from './tuple.js'

/**
 * `A − B` for small non-negative literals, `never` when negative.
 * @example
 * import type { Subtract } from 'nabla'
 * type D = Subtract<5, 2> // 3
 */
export type Subtract<A extends number, B extends number> =
  Tuple<A> extends [...Tuple<B>, ...infer R] ? R['length'] : never

/**
 * Normalises a (possibly negative) literal axis against a rank; `never` when out of range.
 * @example
 * import type { NormalizeAxis } from 'nabla'
 * type A = NormalizeAxis<3, -1> // 2
 * type B = NormalizeAxis<3, 3> // never
 */
export type NormalizeAxis<Rank extends number, Axis extends number> = Axis extends number // distribute over a union of axes (`[0, -1]` gives `0 | -1`)
  ? `${Axis}` extends `-${infer P extends number}`
    ? Subtract<Rank, P>
    : Tuple<Rank> extends [...Tuple<Axis>, unknown, ...unknown[]]
      ? Axis
      : never
  : never
