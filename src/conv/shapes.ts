/**
 * Result shapes of `conv2d`, `maxPool2d` and `avgPool2d` in the type system. Where the image
 * size, the kernel or window and the options are literals (up to 256), the output height and width
 * are computed: `⌊(size + padding − kernel) / stride⌋ + 1` (with `'same'` padding, `⌈size /
 * stride⌉`); anything else (a dilation, a size known only at run time) gives `number` for that
 * dimension, and the run-time check still runs.
 *
 * @module ops/convShapes
 */

import type { IsLiteral, ShapeErrorType, ShapeString } from '../shapes/index.js'
import type { Shape } from '../tensor/internal.js'

type Tuple<N extends number, Acc extends unknown[] = []> = Acc['length'] extends N
  ? Acc
  : Acc['length'] extends 256
    ? never
    : Tuple<N, [...Acc, unknown]>
type Plus<A extends number, B extends number> = [...Tuple<A>, ...Tuple<B>]['length'] & number
type Minus<A extends number, B extends number> =
  Tuple<A> extends [...Tuple<B>, ...infer R] ? R['length'] : never
type FloorDiv<A extends number, B extends number, Acc extends unknown[] = []> = B extends 0
  ? never
  : Tuple<A> extends [...Tuple<B>, ...infer R]
    ? FloorDiv<R['length'], B, [...Acc, unknown]>
    : Acc['length']

/** An option's type, `undefined` when absent (an optional option reads as its union, so `number`). */
type Get<O, K extends string> = K extends keyof O ? O[K] : undefined

/** `never` (an out-of-range literal) becomes `number`. */
type OrNumber<N> = [N] extends [never] ? number : N extends number ? N : number

/** A per-axis option (`n` or `[height, width]`) read at one axis; `Default` when absent. */
type AxisValue<V, I extends 0 | 1, Default extends number> = V extends number
  ? V
  : V extends readonly [infer H extends number, infer W extends number]
    ? I extends 0
      ? H
      : W
    : Default

/** Total zero padding along an axis, or `number` when it is not a literal. */
type PadTotal<P, I extends 0 | 1> = P extends undefined | 'valid'
  ? 0
  : P extends number
    ? Plus<P, P>
    : P extends readonly [
          readonly [infer A extends number, infer B extends number],
          readonly [infer C extends number, infer D extends number],
        ]
      ? I extends 0
        ? Plus<A, B>
        : Plus<C, D>
      : number

/** `⌊(size + pad − kernel) / stride⌋ + 1` when all are literals, else `number`. */
type WindowOut<Size extends number, Kernel extends number, Stride extends number, Pad extends number> =
  IsLiteral<Size> extends false
    ? number
    : IsLiteral<Kernel> extends false
      ? number
      : IsLiteral<Stride> extends false
        ? number
        : IsLiteral<Pad> extends false
          ? number
          : OrNumber<Plus<FloorDiv<Minus<Plus<Size, Pad>, Kernel>, Stride>, 1>>

/** One output dimension of a convolution. */
type ConvDim<Size extends number, Kernel extends number, O, I extends 0 | 1> =
  AxisValue<Get<O, 'dilation'>, I, 1> extends 1
    ? Get<O, 'padding'> extends 'same'
      ? IsLiteral<Size> extends true
        ? OrNumber<
            FloorDiv<
              Plus<Size, Minus<AxisValue<Get<O, 'stride'>, I, 1>, 1>>,
              AxisValue<Get<O, 'stride'>, I, 1>
            >
          >
        : number
      : WindowOut<Size, Kernel, AxisValue<Get<O, 'stride'>, I, 1>, PadTotal<Get<O, 'padding'>, I>>
    : number

/**
 * The shape of `conv2d(x, w, options)`: `[N, O, H', W']`.
 * @example
 * import type { Conv2dShape } from 'nabla'
 * type Y = Conv2dShape<[8, 1, 28, 28], [16, 1, 5, 5], {}> // [8, 16, 24, 24]
 * type Z = Conv2dShape<[8, 1, 28, 28], [16, 1, 5, 5], { padding: 'same' }> // [8, 16, 28, 28]
 */
export type Conv2dShape<X extends Shape, W extends Shape, O> = X extends readonly [
  infer N extends number,
  number,
  infer H extends number,
  infer Wd extends number,
]
  ? W extends readonly [infer Out extends number, number, infer KH extends number, infer KW extends number]
    ? [N, Out, ConvDim<H, KH, O, 0>, ConvDim<Wd, KW, O, 1>]
    : [N, number, number, number]
  : number[]

/**
 * The shape of `maxPool2d(x, options)` or `avgPool2d(x, options)`: `[N, C, H', W']` (the stride
 * defaults to the window).
 * @example
 * import type { Pool2dShape } from 'nabla'
 * type Y = Pool2dShape<[8, 16, 24, 24], { window: 2 }> // [8, 16, 12, 12]
 */
export type Pool2dShape<X extends Shape, O> = X extends readonly [
  infer N extends number,
  infer C extends number,
  infer H extends number,
  infer W extends number,
]
  ? O extends { readonly window: infer K }
    ? [N, C, PoolDim<H, K, O, 0>, PoolDim<W, K, O, 1>]
    : [N, C, number, number]
  : number[]

type PoolDim<Size extends number, K, O, I extends 0 | 1> = WindowOut<
  Size,
  AxisValue<K, I, never>,
  AxisValue<Get<O, 'stride'>, I, AxisValue<K, I, never>>,
  PadTotal<Get<O, 'padding'>, I>
>

/**
 * `unknown` when x `[N, C, H, W]` and w `[O, C/groups, kH, kW]` fit (or cannot be checked), a
 * `ShapeErrorType` naming both shapes otherwise (ranks, and the channels when there is one group).
 * @example
 * import type { CheckConv2d } from 'nabla'
 * type E = CheckConv2d<[8, 3, 28, 28], [16, 1, 5, 5], {}> // ShapeErrorType<'conv2d: x has 3 channels ...'>
 */
export type CheckConv2d<X extends Shape, W extends Shape, O> = number extends X['length']
  ? unknown
  : number extends W['length']
    ? unknown
    : X['length'] extends 4
      ? W['length'] extends 4
        ? O extends { readonly groups: number }
          ? unknown
          : IsLiteral<X[1]> extends true
            ? IsLiteral<W[1]> extends true
              ? [X[1]] extends [W[1]]
                ? unknown
                : ShapeErrorType<`conv2d: x has ${X[1]} channels but w expects ${W[1]}: x is ${ShapeString<X>}, w is ${ShapeString<W>}`>
              : unknown
            : unknown
        : ShapeErrorType<`conv2d: w must have rank 4 [O, C/groups, kH, kW], got ${ShapeString<W>}`>
      : ShapeErrorType<`conv2d: x must have rank 4 [N, C, H, W], got ${ShapeString<X>}`>
