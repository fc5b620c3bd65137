/**
 * Convolution and pooling over images `[N, C, H, W]`: `conv2d` (filters `[O, C/groups, kH, kW]`,
 * PyTorch's and `lax.conv`'s layout), `maxPool2d` and `avgPool2d`, plus the ops their gradients are
 * written with (`conv2dInputGrad`, the transposed convolution; `conv2dFilterGrad`; `patches2d` and
 * `patches2dTranspose`). With literal shapes and options the result shape is computed in the type
 * (`Conv2dShape`, `Pool2dShape`) and a channel mismatch does not compile; the run-time checks
 * always run and name both shapes.
 *
 * @module conv/ops
 */

import type { CheckSameDType, JoinDType } from '../shapes/index.js'
import {
  type AnyTensor,
  ArgumentError,
  apply,
  type DType,
  describe,
  expectTensor,
  type Shape,
  type Tensor,
} from '../tensor/internal.js'
import type { Conv2dFilterGradParams } from './prims/conv2dFilterGrad.js'
import type { Conv2dInputGradParams } from './prims/conv2dInputGrad.js'
import {
  type Conv2dParams,
  expectConvOperands,
  type Padding2d,
  type Pair,
  type Pool2dParams,
} from './prims/convolution.js'
import { installConvOps } from './prims/family.js'
import * as prims from './prims/index.js'
import type { Patches2dParams } from './prims/patches2d.js'
import type { Patches2dTransposeParams } from './prims/patches2dTranspose.js'
import type { CheckConv2d, Conv2dShape, Pool2dShape } from './shapes.js'

export type {
  Conv2dFilterGradParams,
  Conv2dInputGradParams,
  Conv2dParams,
  Padding2d,
  Pair,
  Patches2dParams,
  Patches2dTransposeParams,
  Pool2dParams,
}

/**
 * Zero padding of a convolution or pooling window: `'valid'` (none), `'same'` (the output has
 * `⌈size / stride⌉` positions, the extra padding going after, as in TensorFlow and JAX), `n` on
 * every side, or explicit `[[top, bottom], [left, right]]`.
 * @example
 * import type { Padding } from 'nabla'
 * const padding: Padding = [[1, 2], [0, 0]]
 */
export type Padding = 'valid' | 'same' | number | Padding2d

/**
 * Options of `conv2d`. Stride and dilation take one number for both axes or `[height, width]`.
 * @example
 * import type { Conv2dOptions } from 'nabla'
 * const options: Conv2dOptions = { stride: 2, padding: 'same', dilation: 1, groups: 1 }
 */
export interface Conv2dOptions {
  readonly stride?: number | Pair
  readonly padding?: Padding
  readonly dilation?: number | Pair
  readonly groups?: number
}

/**
 * Options of `maxPool2d` and `avgPool2d`: the window (`n` or `[height, width]`), the stride
 * (default: the window) and the padding (`'valid'` by default; `'same'` or explicit amounts, each
 * smaller than the window).
 * @example
 * import type { Pool2dOptions } from 'nabla'
 * const options: Pool2dOptions = { window: 2 }
 */
export interface Pool2dOptions {
  readonly window: number | Pair
  readonly stride?: number | Pair
  readonly padding?: Padding
}

const positive = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ArgumentError(op, `${name} must be a positive integer, got ${describe(value)}`)
  return value
}

const nonNegative = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new ArgumentError(op, `${name} must be a non-negative integer, got ${describe(value)}`)
  return value
}

const pairOf = (op: string, name: string, value: unknown): Pair => {
  if (Array.isArray(value) && value.length === 2)
    return [positive(op, `${name}[0]`, value[0]), positive(op, `${name}[1]`, value[1])]
  if (typeof value === 'number') {
    const v = positive(op, name, value)
    return [v, v]
  }
  throw new ArgumentError(op, `${name} must be a positive integer or a pair of them, got ${describe(value)}`)
}

/** Resolves a padding option for an image of `size` (height, width) and an effective kernel. */
const resolvePadding = (op: string, padding: unknown, size: Pair, kernel: Pair, stride: Pair): Padding2d => {
  if (padding === undefined || padding === 'valid')
    return [
      [0, 0],
      [0, 0],
    ]
  if (padding === 'same') {
    const axis = (i: 0 | 1): Pair => {
      const out = Math.ceil(size[i] / stride[i])
      const total = Math.max(0, (out - 1) * stride[i] + kernel[i] - size[i])
      return [Math.floor(total / 2), total - Math.floor(total / 2)]
    }
    return [axis(0), axis(1)]
  }
  if (typeof padding === 'number') {
    const p = nonNegative(op, 'padding', padding)
    return [
      [p, p],
      [p, p],
    ]
  }
  const explicit =
    Array.isArray(padding) &&
    padding.length === 2 &&
    padding.every((pair: unknown) => Array.isArray(pair) && pair.length === 2)
  if (!explicit)
    throw new ArgumentError(
      op,
      `padding must be 'valid', 'same', a non-negative integer or [[top, bottom], [left, right]], got ${describe(padding)}`,
    )
  const [[top, bottom], [left, right]] = padding as readonly (readonly unknown[])[] as readonly [
    readonly [unknown, unknown],
    readonly [unknown, unknown],
  ]
  return [
    [nonNegative(op, 'padding top', top), nonNegative(op, 'padding bottom', bottom)],
    [nonNegative(op, 'padding left', left), nonNegative(op, 'padding right', right)],
  ]
}

/**
 * The 2-D convolution (cross-correlation, as in every deep-learning library) of images x
 * `[N, C, H, W]` with filters w `[O, C/groups, kH, kW]`: `[N, O, H', W']`. Padding defaults to
 * `'valid'`, stride and dilation to 1, groups to 1. Its gradient for x is a transposed convolution
 * (`conv2dInputGrad`), for w `conv2dFilterGrad`; both are differentiable again.
 * @example
 * import { conv2d, ones } from 'nabla'
 * const x = ones([8, 1, 28, 28])
 * const w = ones([16, 1, 5, 5])
 * conv2d(x, w)                          // Tensor<[8, 16, 24, 24]>
 * conv2d(x, w, { padding: 'same' })     // Tensor<[8, 16, 28, 28]>
 * conv2d(x, w, { stride: 2 })           // Tensor<[8, 16, 12, 12]>
 * // conv2d(x, ones([16, 3, 5, 5]))     // does not compile: x has 1 channels but w expects 3
 */
export const conv2d = <
  const X extends Shape,
  const W extends Shape,
  DX extends DType,
  DW extends DType,
  const O extends Conv2dOptions = Record<never, never>,
>(
  x: Tensor<X, DX>,
  w: Tensor<W, DW> & CheckConv2d<X, W, O> & CheckSameDType<DX, DW>,
  options?: O,
): Tensor<Conv2dShape<X, W, O>, JoinDType<DX, DW>> => {
  const op = 'conv2d'
  const xt = expectTensor(op, 'x', x as AnyTensor)
  const wt = expectTensor(op, 'w', w as AnyTensor)
  expectConvOperands(op, xt, wt)
  const stride = pairOf(op, 'stride', options?.stride ?? 1)
  const dilation = pairOf(op, 'dilation', options?.dilation ?? 1)
  const groups = positive(op, 'groups', options?.groups ?? 1)
  const kernel: Pair = [dilation[0] * (wt.shape[2]! - 1) + 1, dilation[1] * (wt.shape[3]! - 1) + 1]
  const padding = resolvePadding(op, options?.padding, [xt.shape[2]!, xt.shape[3]!], kernel, stride)
  return apply(prims.conv2dPrim, [xt, wt], { stride, padding, dilation, groups }) as Tensor<
    Conv2dShape<X, W, O>,
    JoinDType<DX, DW>
  >
}

/**
 * `conv2d` with resolved parameters (shapes checked at run time only); the vjp rules use it.
 * @example
 * import { ones } from 'nabla'
 * import { conv2dWithParams } from './ops.js'
 * const params = { stride: [1, 1], padding: [[0, 0], [0, 0]], dilation: [1, 1], groups: 1 } as const
 * conv2dWithParams(ones([1, 1, 4, 4]), ones([2, 1, 3, 3]), params).shape // [1, 2, 2, 2]
 */
export const conv2dWithParams = <D extends DType>(
  x: Tensor<Shape, D>,
  w: Tensor<Shape, D | DType>,
  params: Conv2dParams,
): Tensor<Shape, D> => {
  const xt = expectTensor('conv2d', 'x', x)
  const wt = expectTensor('conv2d', 'w', w)
  expectConvOperands('conv2d', xt, wt)
  return apply(prims.conv2dPrim, [xt, wt], params) as Tensor<Shape, D>
}

/**
 * The transposed convolution that is `conv2d`'s gradient for its input: from a cotangent
 * `[N, O, H', W']` and filters `[O, C/groups, kH, kW]`, the input cotangent `[N, C, H, W]`
 * (`inputSize` is `[H, W]`).
 * @example
 * import { ones } from 'nabla'
 * import { conv2dInputGrad } from './ops.js'
 * const params = { stride: [1, 1], padding: [[0, 0], [0, 0]], dilation: [1, 1], groups: 1 } as const
 * conv2dInputGrad(ones([1, 2, 2, 2]), ones([2, 1, 3, 3]), { ...params, inputSize: [4, 4] }).shape // [1, 1, 4, 4]
 */
export const conv2dInputGrad = <D extends DType>(
  cotangent: Tensor<Shape, D>,
  w: Tensor<Shape, D | DType>,
  params: Conv2dInputGradParams,
): Tensor<Shape, D> =>
  apply(
    prims.conv2dInputGradPrim,
    [expectTensor('conv2dInputGrad', 'cotangent', cotangent), expectTensor('conv2dInputGrad', 'w', w)],
    params,
  ) as Tensor<Shape, D>

/**
 * `conv2d`'s gradient for its filters: from images `[N, C, H, W]` and a cotangent `[N, O, H', W']`,
 * the filter cotangent `[O, C/groups, kH, kW]` (`kernelSize` is `[kH, kW]`).
 * @example
 * import { ones } from 'nabla'
 * import { conv2dFilterGrad } from './ops.js'
 * const params = { stride: [1, 1], padding: [[0, 0], [0, 0]], dilation: [1, 1], groups: 1 } as const
 * conv2dFilterGrad(ones([1, 1, 4, 4]), ones([1, 2, 2, 2]), { ...params, kernelSize: [3, 3] }).shape // [2, 1, 3, 3]
 */
export const conv2dFilterGrad = <D extends DType>(
  x: Tensor<Shape, D>,
  cotangent: Tensor<Shape, D | DType>,
  params: Conv2dFilterGradParams,
): Tensor<Shape, D> =>
  apply(
    prims.conv2dFilterGradPrim,
    [expectTensor('conv2dFilterGrad', 'x', x), expectTensor('conv2dFilterGrad', 'cotangent', cotangent)],
    params,
  ) as Tensor<Shape, D>

const poolParams = (op: string, x: AnyTensor, options: Pool2dOptions | undefined): Pool2dParams => {
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError(op, `options must be an object with a window, got ${describe(options)}`)
  const window = pairOf(op, 'window', options.window)
  const stride = pairOf(op, 'stride', options.stride ?? window)
  const padding = resolvePadding(op, options.padding, [x.shape[2] ?? 0, x.shape[3] ?? 0], window, stride)
  for (const [axis, pair] of padding.entries())
    for (const p of pair)
      if (p >= window[axis]!)
        throw new ArgumentError(
          op,
          `padding ${p} must be smaller than the window (${window[axis]}) on its axis`,
        )
  return { window, stride, padding }
}

/**
 * The maximum of each window of images `[N, C, H, W]` (stride defaults to the window; padding is
 * never the maximum). As for `max`, the gradient of a window is split equally among the elements
 * that tie for its maximum.
 * @example
 * import { maxPool2d, ones } from 'nabla'
 * maxPool2d(ones([8, 16, 24, 24]), { window: 2 }) // Tensor<[8, 16, 12, 12]>
 */
export const maxPool2d = <const X extends Shape, D extends DType, const O extends Pool2dOptions>(
  x: Tensor<X, D>,
  options: O,
): Tensor<Pool2dShape<X, O>, D> => {
  const t = expectTensor('maxPool2d', 'x', x as AnyTensor)
  return apply(prims.maxPool2dPrim, [t], poolParams('maxPool2d', t, options)) as Tensor<Pool2dShape<X, O>, D>
}

/**
 * The cotangent `maxPool2d` sends back to x `[N, C, H, W]` from a cotangent of its output: each
 * window's share split equally among the elements that tie for its maximum (resolved parameters).
 * @example
 * import { ones, tensor } from 'nabla'
 * import { maxPool2dGrad } from './ops.js'
 * const params = { window: [2, 2], stride: [2, 2], padding: [[0, 0], [0, 0]] } as const
 * maxPool2dGrad(tensor([[[[1, 3], [3, 0]]]]), ones([1, 1, 1, 1]), params) // [[[[0, 0.5], [0.5, 0]]]]
 */
export const maxPool2dGrad = <D extends DType>(
  x: Tensor<Shape, D>,
  cotangent: Tensor<Shape, D | DType>,
  params: Pool2dParams,
): Tensor<Shape, D> =>
  apply(
    prims.maxPool2dGradPrim,
    [expectTensor('maxPool2dGrad', 'x', x), expectTensor('maxPool2dGrad', 'cotangent', cotangent)],
    params,
  ) as Tensor<Shape, D>

/**
 * The mean of each window of images `[N, C, H, W]`, padding counted as zeros (each window divides
 * by its full size); stride defaults to the window.
 * @example
 * import { avgPool2d, tensor } from 'nabla'
 * avgPool2d(tensor([[[[1, 2], [3, 4]]]]), { window: 2 }) // [[[[2.5]]]]
 */
export const avgPool2d = <const X extends Shape, D extends DType, const O extends Pool2dOptions>(
  x: Tensor<X, D>,
  options: O,
): Tensor<Pool2dShape<X, O>, D> => {
  const t = expectTensor('avgPool2d', 'x', x as AnyTensor)
  return apply(prims.avgPool2dPrim, [t], poolParams('avgPool2d', t, options)) as Tensor<Pool2dShape<X, O>, D>
}

/**
 * Every window of images `[N, C, H, W]` as its own block `[N, C, H', W', kH, kW]`, reading
 * `padValue` outside the image (the pooling gradients are written with it).
 * @example
 * import { ones } from 'nabla'
 * import { patches2d } from './ops.js'
 * const params = { window: [2, 2], stride: [2, 2], padding: [[0, 0], [0, 0]], padValue: 0 } as const
 * patches2d(ones([1, 1, 4, 4]), params).shape // [1, 1, 2, 2, 2, 2]
 */
export const patches2d = <D extends DType>(x: Tensor<Shape, D>, params: Patches2dParams): Tensor<Shape, D> =>
  apply(prims.patches2dPrim, [expectTensor('patches2d', 'x', x)], params) as Tensor<Shape, D>

/**
 * The transpose of `patches2d`: adds every window entry back onto its image position.
 * @example
 * import { ones } from 'nabla'
 * import { patches2dTranspose } from './ops.js'
 * const params = { window: [2, 2], stride: [1, 1], padding: [[0, 0], [0, 0]], inputSize: [3, 3] } as const
 * patches2dTranspose(ones([1, 1, 2, 2, 2, 2]), params) // the centre gets 4, corners 1
 */
export const patches2dTranspose = <D extends DType>(
  windows: Tensor<Shape, D>,
  params: Patches2dTransposeParams,
): Tensor<Shape, D> =>
  apply(
    prims.patches2dTransposePrim,
    [expectTensor('patches2dTranspose', 'windows', windows)],
    params,
  ) as Tensor<Shape, D>

// the family's vjp rules are written with these (see prims/family.ts)
installConvOps({
  conv2dWithParams,
  conv2dInputGrad,
  conv2dFilterGrad,
  maxPool2d,
  maxPool2dGrad,
  patches2d,
  patches2dTranspose,
})
