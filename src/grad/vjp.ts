/**
 * Reverse mode. `vjp(f, x)` runs `f` once under a reverse trace and returns its value with a
 * pullback: a function from an output cotangent to the input cotangent, of the same pytree type as
 * `x`. `grad` and `valueAndGrad` are `vjp` with a unit cotangent — one code path.
 *
 * Laws: `pullback` is linear; for every direction `t`, `⟨J·t, c⟩ = ⟨t, pullback(c)⟩`.
 *
 * @module vjp
 */

import type { Shape, ShapeErrorType, ShapeString } from '../tensor/index.js'
import {
  type AnyTensor,
  ArgumentError,
  cast,
  formatShape,
  isTensor,
  lowerTo,
  nextLevel,
  ones,
  ShapeError,
  shapesEqual,
  zeros,
} from '../tensor/internal.js'
import { flatten, leafPaths, type Pytree, sameStructure, unflatten } from '../tree/internal.js'
import { recordReverse } from './trace.js'

/**
 * The pullback of a `vjp`: output cotangent in (shaped like the output), input cotangent (shaped
 * like the input) out.
 * @example
 * import { vjp, type Pullback, sin, tensor, type Tensor } from 'nabla'
 * const [y, pullback]: [Tensor<[2]>, Pullback<Tensor<[2]>, Tensor<[2]>>] = vjp(sin, tensor([0, 1]))
 * pullback(tensor([1, 1])) // [cos 0, cos 1]
 */
export type Pullback<X, Y> = (cotangent: Y) => X

/**
 * Runs `f` at `x`, returning its value and the pullback (vector-Jacobian product) at `x`.
 * `x` and the output are pytrees of tensors. A cotangent of the wrong shape is a `ShapeError`.
 * @example
 * import { vjp, tensor, mul, sum } from 'nabla'
 * const [y, pullback] = vjp((x) => mul(x, x), tensor([1, 2, 3]))
 * pullback(tensor([1, 1, 1])) // [2, 4, 6]
 */
export const vjp = <X extends Pytree, Y extends Pytree>(f: (x: X) => Y, x: X): [Y, Pullback<X, Y>] => {
  const { trace, inputs, inputDef, inputNodes, result } = recordReverse('vjp', f, x)
  const [outputs, outputDef] = flatten(result, 'vjp', 'f(x)')
  const outputNodes = outputs.map((t) => trace.nodeOf(t))
  const value = unflatten<Y>(
    outputDef,
    outputs.map((t) => lowerTo(t, trace.level)),
  )
  const outputPaths = leafPaths(outputDef, 'cotangent')
  const pullback = (cotangent: Y): X => {
    const [cts, ctDef] = flatten(cotangent, 'pullback', 'cotangent')
    if (!sameStructure(ctDef, outputDef))
      throw new ShapeError('pullback', "the cotangent's pytree structure differs from the output's")
    const seeds = cts.map((ct, i) => {
      const out = outputs[i]!
      if (!shapesEqual(ct.shape, out.shape))
        throw new ShapeError(
          'pullback',
          `${outputPaths[i]} has shape ${formatShape(ct.shape)} but the output has shape ${formatShape(out.shape)}`,
        )
      return [outputNodes[i]!, ct.dtype === out.dtype ? ct : cast(ct, out.dtype)] as const
    })
    const cotangents = trace.backward(seeds)
    return unflatten<X>(
      inputDef,
      inputs.map((input, i) => cotangents[inputNodes[i]!] ?? zeros(input.shape, { dtype: input.dtype })),
    )
  }
  return [value, pullback]
}

const unitCotangent = (op: string, y: unknown): AnyTensor => {
  const scalarOnly = 'f must return a scalar tensor (a single tensor with one element)'
  if (!isTensor(y)) {
    const [leaves] = flatten(y, op, 'f(x)')
    const got = Array.isArray(y)
      ? `an array of ${leaves.length} tensors`
      : `a record with keys [${Object.keys(y as object).join(', ')}] (${leaves.length} tensors)`
    throw new ArgumentError(
      op,
      `${scalarOnly}, got ${got}; return the loss itself, use valueAndGradWithAux for [loss, aux], or vjp for other outputs`,
    )
  }
  if (y.size !== 1)
    throw new ArgumentError(
      op,
      `${scalarOnly}, got shape ${formatShape(y.shape)}; use vjp for non-scalar outputs`,
    )
  return ones(y.shape, { dtype: y.dtype })
}

/** True when a literal dimension other than 1 shows that a shape does not hold exactly one value. */
type KnownNonScalar<S extends Shape> = true extends {
  [K in keyof S]: S[K] extends 1 ? false : number extends S[K] ? false : true
}[number]
  ? true
  : false

/**
 * `unknown` when `Y` may be a scalar loss; a `ShapeErrorType` naming its shape when the type shows
 * it is not (a literal dimension other than 1, or a generic one: a loss of shape `[B]` is a batch of
 * losses). Run time checks the same for shapes known only then.
 * @example
 * import type { ScalarLoss, Tensor } from 'nabla'
 * type Ok = ScalarLoss<'grad', Tensor<[]>> // unknown
 * type Wrong = ScalarLoss<'grad', Tensor<[2]>> // ShapeErrorType<'grad: f must return a scalar …'>
 */
export type ScalarLoss<Op extends string, Y> = Y extends AnyTensor
  ? KnownNonScalar<Y['shape']> extends true
    ? ShapeErrorType<`${Op}: f must return a scalar tensor (one element), but it returns shape ${ShapeString<Y['shape']>}; use vjp for non-scalar outputs`>
    : unknown
  : unknown

/**
 * The value of a scalar function and its gradient, of the same pytree type as `x`.
 * @example
 * import { valueAndGrad, sum, mul, tensor, type Tensor } from 'nabla'
 * const [loss, grads] = valueAndGrad((p: { w: Tensor<[3]> }) => sum(mul(p.w, p.w)))({ w: tensor([1, 2, 3]) })
 * // loss 14, grads.w [2, 4, 6]
 */
export const valueAndGrad =
  <X extends Pytree, Y extends AnyTensor>(f: ((x: X) => Y) & ScalarLoss<'valueAndGrad', Y>) =>
  (x: X): [Y, X] => {
    const [y, pullback] = vjp(f, x)
    return [y, pullback(unitCotangent('grad', y) as Y)]
  }

/**
 * The gradient of a scalar function (a non-scalar output is an error, never a silent sum). Inputs
 * that do not influence the output get zero gradients.
 * @example
 * import { grad, tensor, sum, sin, type Tensor } from 'nabla'
 * grad((x: Tensor<[2]>) => sum(sin(x)))(tensor([0, 1])) // [cos 0, cos 1]
 */
export const grad =
  <X extends Pytree, Y extends AnyTensor>(f: ((x: X) => Y) & ScalarLoss<'grad', Y>) =>
  (x: X): X =>
    valueAndGrad(f as (x: X) => AnyTensor)(x)[1]

/**
 * `valueAndGrad` for a function returning `[loss, aux]`: `aux` (any value, e.g. predictions or
 * metrics) is passed through undifferentiated.
 * @example
 * import { valueAndGradWithAux, mean, mul, square, tensor, type Tensor } from 'nabla'
 * const w = tensor([1, 2])
 * const [[loss, predictions], grads] = valueAndGradWithAux((w: Tensor<[2]>) => {
 *   const p = mul(w, 2)
 *   return [mean(square(p)), p]
 * })(w) // loss 10, predictions [2, 4], grads [4, 8]
 */
export const valueAndGradWithAux =
  <X extends Pytree, Y extends AnyTensor, A>(
    f: ((x: X) => readonly [Y, A]) & ScalarLoss<'valueAndGradWithAux', Y>,
  ) =>
  (x: X): [[Y, A], X] => {
    let aux: A | undefined
    const level = nextLevel()
    const [y, pullback] = vjp((p: X) => {
      const [loss, a] = f(p)
      aux = a
      return loss
    }, x)
    return [[y as Y, stripAux(aux as A, level)], pullback(unitCotangent('grad', y) as Y)]
  }

/**
 * Tensors in `aux` were computed under the finished trace; drop its boxes so they are plain
 * constants and do not keep the tape alive.
 */
const stripAux = <A>(aux: A, level: number): A => {
  const strip = (v: unknown): unknown => {
    if (isTensor(v)) return lowerTo(v, level)
    if (Array.isArray(v)) return v.map(strip)
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x)]))
    return v
  }
  return strip(aux) as A
}

/**
 * `grad` for a function returning `[loss, aux]`; returns `[gradient, aux]`.
 * @example
 * import { gradWithAux, max, sum, square, tensor, type Tensor } from 'nabla'
 * const w = tensor([1, -3])
 * const [g, aux] = gradWithAux((w: Tensor<[2]>) => [sum(square(w)), { peak: max(w) }])(w)
 * // g [2, -6], aux.peak 1
 */
export const gradWithAux =
  <X extends Pytree, Y extends AnyTensor, A>(f: ((x: X) => readonly [Y, A]) & ScalarLoss<'gradWithAux', Y>) =>
  (x: X): [X, A] => {
    const [[, aux], g] = valueAndGradWithAux(f as (x: X) => readonly [AnyTensor, A])(x)
    return [g, aux]
  }
