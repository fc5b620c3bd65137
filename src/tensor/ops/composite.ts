/**
 * Composite ops, built only from primitives (so they need no gradient rule): `square`, `softplus`,
 * `logSigmoid`, `logsumexp`, `softmax`, `logSoftmax`, `clip`. The log-sum-exp family subtracts the
 * maximum first, so logits of ±1000 and rows of −Infinity give finite, correct results.
 *
 * @module ops/composite
 */

import type { AxisArg } from '../../shapes/index.js'
import { apply } from '../dispatch.js'
import type { DType } from '../dtype.js'
import { ArgumentError, formatShape } from '../errors.js'
import type { Prim } from '../prim.js'
import * as prims from '../prims/index.js'
import { reducedShape } from '../prims/reduction.js'
import type { SoftmaxParams } from '../prims/softmax.js'
import { normalizeAxes, normalizeAxis, type Shape } from '../shape.js'
import type { AnyTensor, Tensor } from '../tensor.js'
import {
  abs,
  add,
  exp,
  greater,
  less,
  log,
  log1p,
  maximum,
  minimum,
  mul,
  neg,
  sub,
  where,
} from './elementwise.js'
import { reshape } from './layout.js'
import { expectTensor } from './operand.js'
import { max, type Reduction, sum } from './reduce.js'

/**
 * x², elementwise.
 * @example
 * import { square, tensor } from 'nabla'
 * square(tensor([-2, 3])) // [4, 9]
 */
export const square = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => {
  const t: AnyTensor = x
  return mul(t, t) as never
}

/**
 * log(1 + eˣ), computed as x + log1p(e^−x) for x > 0 and log1p(eˣ) otherwise: no overflow, full
 * precision for very negative x. Each branch is the exact function on its side, so derivatives of
 * every order are right at 0 too (max(x, 0) + log1p(e^−|x|) has a second derivative of 0 there).
 * @example
 * import { softplus, tensor } from 'nabla'
 * softplus(tensor([0, 1000])) // [0.693…, 1000]
 */
export const softplus = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => {
  const t: AnyTensor = x
  const positive: AnyTensor = greater(t, 0)
  return add(where(positive, t, 0), log1p(exp(where(positive, neg(t), t)))) as never
}

/**
 * log σ(x) = −softplus(−x), stable for large |x|.
 * @example
 * import { logSigmoid, tensor } from 'nabla'
 * logSigmoid(tensor([-1000])) // [-1000]
 */
export const logSigmoid = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> =>
  neg(softplus(neg(x))) as never

/**
 * The maximum along axes as a constant shift (0 where it is not finite), for the log-sum-exp trick.
 * Checks the axes first, so errors name the op the caller used (`logsumexp`, `softmax`), not `max`.
 */
const shiftFor = (op: string, x: AnyTensor, axis: AxisArg): AnyTensor => {
  const axes = normalizeAxes(op, axis, x.shape.length)
  if (axes.some((a) => x.shape[a] === 0))
    throw new ArgumentError(
      op,
      `cannot take the ${op} over an empty axis of a tensor of shape ${formatShape(x.shape)}`,
    )
  const m: AnyTensor = apply(prims.stopGradientPrim, [max(x, axis, { keepdims: true })], undefined)
  return where(less(abs(m), Infinity), m, 0)
}

/**
 * log Σ eˣ over axes, stable: all −Infinity gives −Infinity, ±1000 gives the right finite answer.
 * @example
 * import { logsumexp, tensor } from 'nabla'
 * logsumexp(tensor([1000, 1000])) // 1000.693…
 */
export const logsumexp: Reduction = (x, axis, options) => {
  const t: AnyTensor = x as AnyTensor
  const shift = shiftFor('logsumexp', t, axis as AxisArg)
  const total: AnyTensor = log(sum(exp(sub(t, shift)), axis as AxisArg, { keepdims: true }))
  const result: AnyTensor = add(total, shift)
  if (options?.keepdims === true) return result as never
  const axes = normalizeAxes('logsumexp', axis as AxisArg, t.shape.length)
  return reshape(result, reducedShape(t.shape, { axes, keepdims: false })) as never
}

/**
 * e^(x − logsumexp(x)) along an axis (default the last): rows sum to 1, stable for ±1000 logits.
 * @example
 * import { softmax, tensor } from 'nabla'
 * softmax(tensor([[1000, 0]])) // [[1, 0]]
 */
export const softmax = <S extends Shape, D extends DType>(x: Tensor<S, D>, axis = -1): Tensor<S, D> =>
  softmaxAs('softmax', prims.softmaxPrim, x, axis) as never

/**
 * x − logsumexp(x) along an axis (default the last), stable for ±1000 logits.
 * @example
 * import { logSoftmax, tensor } from 'nabla'
 * logSoftmax(tensor([[0, 0]])) // [[-0.693…, -0.693…]]
 */
export const logSoftmax = <S extends Shape, D extends DType>(x: Tensor<S, D>, axis = -1): Tensor<S, D> =>
  softmaxAs('logSoftmax', prims.logSoftmaxPrim, x, axis) as never

/** Applies the softmax or logSoftmax primitive after checking the axis under the caller's op name. */
const softmaxAs = (op: string, prim: Prim<SoftmaxParams>, x: AnyTensor, axis: number): AnyTensor => {
  const t = expectTensor(op, 'x', x)
  const normalized = normalizeAxis(op, axis, t.shape.length)
  if (t.shape[normalized] === 0)
    throw new ArgumentError(
      op,
      `cannot take the ${op} over an empty axis of a tensor of shape ${formatShape(t.shape)}`,
    )
  return apply(prim, [t], { axis: normalized })
}

/**
 * Clamps to [lo, hi]; the gradient is 1 strictly inside, 0 outside, ½ at the bounds.
 * @example
 * import { clip, tensor } from 'nabla'
 * clip(tensor([-5, 0.5, 5]), 0, 1) // [0, 0.5, 1]
 */
export const clip = <S extends Shape, D extends DType>(
  x: Tensor<S, D>,
  lo: number,
  hi: number,
): Tensor<S, D> => {
  const t: AnyTensor = x
  return minimum(maximum(t, lo), hi) as never
}
