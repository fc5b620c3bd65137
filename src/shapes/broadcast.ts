/**
 * Broadcasting: the broadcast shape of two (or three) shapes and the check that they broadcast, the
 * compile-time twins of `broadcastShapes` in src/tensor/shape.ts. A dimension that is a type
 * parameter (`[B, 128]`) is carried through and compared only with itself.
 *
 * @module shapes/broadcast
 */
import type { Subtract } from './axes.js'
import type { IsLiteral, IsTuple, Mutable, Same, ShapeErrorType, ShapeString } from './check.js'
import type { Shape } from './shape.js'
import type { Tuple } from './tuple.js'

/**
 * Broadcast of two dimensions; `never` when they clash.
 * @example
 * import type { BroadcastDim } from 'nabla'
 * type A = BroadcastDim<1, 4> // 4
 * type B = BroadcastDim<3, 4> // never
 */
export type BroadcastDim<A extends number, B extends number> = A extends 1
  ? B
  : B extends 1
    ? A
    : IsLiteral<A> extends false
      ? B
      : IsLiteral<B> extends false
        ? A
        : A extends B
          ? A
          : never

// Broadcasting maps over the longer shape with indexed access (never `infer` on the tuple), so a
// shape holding a type parameter ([B, 128]) still resolves: B meets a missing or size-1 dimension.

type IndexOf<K> = K extends `${infer N extends number}` ? N : never

/** The index in the shorter shape `S` aligned with index `K` of the longer shape `L` (never if none). */
type AlignedIndex<L extends Shape, S extends Shape, K> = Subtract<
  IndexOf<K>,
  Subtract<L['length'], S['length']>
>

/** Broadcast of a dimension with its aligned partner; tests the partner first (it may be generic). */
type PairDim<A extends number, B extends number> = Same<A, B> extends true ? A : PairDistinct<A, B>
type PairDistinct<A extends number, B extends number> = [B] extends [1]
  ? A
  : [A] extends [1]
    ? B
    : BroadcastDim<A, B>

type BroadcastLonger<L extends Shape, S extends Shape> = {
  -readonly [K in keyof L]: [AlignedIndex<L, S, K>] extends [never]
    ? L[K]
    : PairDim<L[K] & number, S[AlignedIndex<L, S, K>] & number>
}

/** 1 where two aligned dimensions clash, else 0, over the longer shape. */
type ClashFlags<L extends Shape, S extends Shape> = {
  [K in keyof L]: [AlignedIndex<L, S, K>] extends [never]
    ? 0
    : ClashFlag<L[K] & number, S[AlignedIndex<L, S, K>] & number>
}
// two mentions of one generic dimension never clash (decided without deferring on it)
type ClashFlag<A extends number, B extends number> =
  Same<A, B> extends true ? 0 : [PairDistinct<A, B>] extends [never] ? 1 : 0

type IsLonger<A extends Shape, B extends Shape> =
  Tuple<A['length']> extends [...Tuple<B['length']>, ...unknown[]] ? true : false

type BroadcastTuples<A extends Shape, B extends Shape> =
  IsLonger<A, B> extends true ? BroadcastLonger<A, B> : BroadcastLonger<B, A>

type Clashes<A extends Shape, B extends Shape> = (IsLonger<A, B> extends true
  ? ClashFlags<A, B>
  : ClashFlags<B, A>)[number]

/**
 * The broadcast shape of `A` and `B` (`Shape` when either rank is unknown).
 * @example
 * import type { Broadcast } from 'nabla'
 * type B = Broadcast<[2, 1], [3]> // [2, 3]
 */
export type Broadcast<A extends Shape, B extends Shape> =
  Same<A, B> extends true ? (IsTuple<A> extends true ? Mutable<A> : Shape) : BroadcastDistinct<A, B>
type BroadcastDistinct<A extends Shape, B extends Shape> =
  IsTuple<A> extends true ? (IsTuple<B> extends true ? BroadcastTuples<A, B> : Shape) : Shape

/**
 * The broadcast shape of three shapes.
 * @example
 * import type { Broadcast3 } from 'nabla'
 * type B = Broadcast3<[2, 1, 1], [3, 1], [4]> // [2, 3, 4]
 */
export type Broadcast3<A extends Shape, B extends Shape, C extends Shape> = Broadcast<
  Broadcast<A, B> extends infer X extends Shape ? X : Shape,
  C
>

/**
 * `unknown` when `A` and `B` broadcast (or cannot be checked), a `ShapeErrorType` otherwise.
 * @example
 * import type { CheckBroadcast } from 'nabla'
 * type A = CheckBroadcast<[2, 3], [3, 4]> // ShapeErrorType<'cannot broadcast [2,3] with [3,4]'>
 * type B = CheckBroadcast<[2, 3], [3]> // unknown
 */
export type CheckBroadcast<A extends Shape, B extends Shape> =
  Same<A, B> extends true ? unknown : CheckBroadcastDistinct<A, B>
type CheckBroadcastDistinct<A extends Shape, B extends Shape> =
  IsTuple<A> extends true
    ? IsTuple<B> extends true
      ? 1 extends Clashes<A, B>
        ? ShapeErrorType<`cannot broadcast ${ShapeString<A>} with ${ShapeString<B>}`>
        : unknown
      : unknown
    : unknown
