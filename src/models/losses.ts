/**
 * Loss functions: a prediction and a target in, a scalar tensor out, differentiable in the
 * prediction. Every loss is written in its numerically stable form (losses from logits go through
 * `softplus` or `logSoftmax`, never through `log(sigmoid(…))`), so logits of ±1000 give finite
 * losses and gradients.
 *
 * Shapes must match exactly: a `[n, 1]` prediction against `[n]` labels is a `ShapeError` (at
 * compile time when both shapes are literal), never a silent broadcast to `[n, n]`. Labels are data:
 * they are cast to the prediction's dtype, and labels outside their domain (class indices out of
 * range, probabilities outside [0, 1]) are `ArgumentError`s naming the first bad element.
 *
 * @module losses
 */

import {
  type AnyTensor,
  ArgumentError,
  add,
  cast,
  clip,
  type DType,
  div,
  equal,
  formatShape,
  gather,
  log,
  logSoftmax,
  mean,
  mul,
  neg,
  reshape,
  type Shape,
  ShapeError,
  softplus,
  square,
  sub,
  sum,
  type Tensor,
  zeros,
} from '../tensor/index.js'
import { describe, hasValues, makeTensor, shapesEqual, storage, storageFrom } from '../tensor/internal.js'
import { flatten, leafPaths } from '../tree/index.js'
import { distributionProblem } from './validate.js'

/**
 * A scalar loss of dtype `D`.
 * @example
 * import { type Loss, mse, tensor } from 'nabla'
 * const loss: Loss<'float32'> = mse(tensor([1]), tensor([0]))
 */
export type Loss<D extends DType = DType> = Tensor<[], D>

/**
 * `S` without its last dimension (`number[]` when `S` is not a tuple).
 * @example
 * import type { DropLast } from 'nabla'
 * type Labels = DropLast<[32, 10]> // [32]
 */
export type DropLast<S extends Shape> = S extends readonly [...infer R extends number[], number]
  ? R
  : number[]

const expectSameShape = (
  op: string,
  predictions: AnyTensor,
  targets: AnyTensor,
  names: [string, string],
): void => {
  if (!shapesEqual(predictions.shape, targets.shape))
    throw new ShapeError(
      op,
      `${names[1]} has shape ${formatShape(targets.shape)} but ${names[0]} has shape ${formatShape(predictions.shape)}; they must match exactly (reshape one: no silent broadcasting)`,
    )
}

const asDType = (t: AnyTensor, dtype: DType): AnyTensor => (t.dtype === dtype ? t : cast(t, dtype))

/** Throws on the first element outside [lo, hi] (NaN included); inside vmap or jit, no values to check. */
const checkRange = (op: string, name: string, t: AnyTensor, lo: number, hi: number): void => {
  if (!hasValues(t)) return
  const data = storage(t)
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!
    if (!(v >= lo && v <= hi))
      throw new ArgumentError(op, `${name}[${i}] is ${describe(v)}, outside [${lo}, ${hi}]`)
  }
}

const checkNotEmpty = (op: string, t: AnyTensor): void => {
  if (t.size === 0)
    throw new ArgumentError(
      op,
      `predictions of shape ${formatShape(t.shape)} are empty: the mean loss is undefined`,
    )
}

/**
 * Mean squared error: mean((predictions − targets)²).
 * @example
 * import { mse, tensor } from 'nabla'
 * mse(tensor([1, 2, 3]), tensor([1, 2, 5])) // 4/3
 * // mse(tensor([[1], [2]]), tensor([1, 2])) // does not compile; ShapeError at run time
 */
export const mse = <S extends Shape, D extends DType>(
  predictions: Tensor<S, D>,
  targets: AnyTensor<NoInfer<S>>,
): Loss<D> => {
  const p: AnyTensor = predictions
  expectSameShape('mse', p, targets, ['predictions', 'targets'])
  checkNotEmpty('mse', p)
  return mean(square(sub(p, asDType(targets, p.dtype)))) as Loss<D>
}

/**
 * Binary cross-entropy from logits z and labels y in [0, 1], averaged over elements:
 * mean(softplus(z) − y·z), which equals −mean(y·log σ(z) + (1 − y)·log(1 − σ(z))) without ever
 * forming σ(z), so it is exact and finite for any finite logit.
 * @example
 * import { binaryCrossEntropy, tensor } from 'nabla'
 * binaryCrossEntropy(tensor([0, 1000]), tensor([1, 1])) // (log 2 + 0) / 2
 */
export const binaryCrossEntropy = <S extends Shape, D extends DType>(
  logits: Tensor<S, D>,
  labels: AnyTensor<NoInfer<S>>,
): Loss<D> => {
  const z: AnyTensor = logits
  expectSameShape('binaryCrossEntropy', z, labels, ['logits', 'labels'])
  checkNotEmpty('binaryCrossEntropy', z)
  checkRange('binaryCrossEntropy', 'labels', labels, 0, 1)
  return mean(sub(softplus(z), mul(asDType(labels, z.dtype), z))) as Loss<D>
}

/**
 * Options of `binaryCrossEntropyFromProbabilities`.
 * @example
 * import { binaryCrossEntropyFromProbabilities, tensor } from 'nabla'
 * binaryCrossEntropyFromProbabilities(tensor([0]), tensor([1]), { epsilon: 1e-3 }) // −log 1e-3
 */
export interface ProbabilityOptions {
  /** Probabilities are clamped to [ε, 1 − ε] before the logarithms (default 1e-7). */
  readonly epsilon?: number
}

/**
 * Binary cross-entropy from probabilities p in [0, 1]: −mean(y·log p + (1 − y)·log(1 − p)).
 *
 * The clamp: p is clipped to [ε, 1 − ε] (ε = 1e-7 by default, as Keras) so that p = 0 or 1 gives a
 * large finite loss instead of Infinity; where p lies outside that band the gradient is zero (and
 * half at the band's edges). Probabilities outside [0, 1] (or NaN) are an `ArgumentError`: they are
 * a bug upstream, not something to clamp away. Prefer `binaryCrossEntropy` on logits.
 * @example
 * import { binaryCrossEntropyFromProbabilities, tensor } from 'nabla'
 * binaryCrossEntropyFromProbabilities(tensor([0.5, 0.9]), tensor([1, 1])) // (log 2 − log 0.9) / 2
 */
export const binaryCrossEntropyFromProbabilities = <S extends Shape, D extends DType>(
  probabilities: Tensor<S, D>,
  labels: AnyTensor<NoInfer<S>>,
  options?: ProbabilityOptions,
): Loss<D> => {
  const op = 'binaryCrossEntropyFromProbabilities'
  const p: AnyTensor = probabilities
  expectSameShape(op, p, labels, ['probabilities', 'labels'])
  checkNotEmpty(op, p)
  const epsilon = options?.epsilon ?? 1e-7
  if (typeof epsilon !== 'number' || !(epsilon > 0 && epsilon < 0.5))
    throw new ArgumentError(op, `epsilon must be a number in (0, 0.5), got ${describe(epsilon)}`)
  checkRange(op, 'probabilities', p, 0, 1)
  checkRange(op, 'labels', labels, 0, 1)
  const y = asDType(labels, p.dtype)
  const clamped = clip(p, epsilon, 1 - epsilon)
  const positive: AnyTensor = mul(y, log(clamped))
  const negative: AnyTensor = mul(sub(1, y), log(sub(1, clamped)))
  return neg(mean(add(positive, negative))) as Loss<D>
}

/**
 * Softmax cross-entropy, averaged over examples. `logits` is `[..., C]`; `labels` is either integer
 * class indices of shape `[...]` (each in `[0, C)`) or targets of the same shape as the logits
 * (one-hot or soft rows). Computed with `logSoftmax`, so ±1000 logits are exact; an integer label
 * selects its log-probability directly (no `0 · log 0`).
 * @example
 * import { softmaxCrossEntropy, tensor } from 'nabla'
 * const logits = tensor([[2, 0, 0], [0, 1000, -1000]])
 * softmaxCrossEntropy(logits, tensor([0, 1]))                       // integer labels
 * softmaxCrossEntropy(logits, tensor([[1, 0, 0], [0, 1, 0]]))       // the same, one-hot
 */
export const softmaxCrossEntropy = <S extends Shape, D extends DType>(
  logits: Tensor<S, D>,
  labels: AnyTensor<DropLast<NoInfer<S>>> | AnyTensor<NoInfer<S>>,
): Loss<D> => {
  const op = 'softmaxCrossEntropy'
  const z: AnyTensor = logits
  const y: AnyTensor = labels
  if (z.shape.length === 0)
    throw new ShapeError(op, 'logits must have a class axis (shape [..., classes]), got a scalar')
  const classes = z.shape[z.shape.length - 1]!
  const examples = z.size / Math.max(classes, 1)
  if (classes === 0 || examples === 0)
    throw new ArgumentError(
      op,
      `logits of shape ${formatShape(z.shape)} are empty: the mean loss is undefined`,
    )
  const logProbabilities: AnyTensor = logSoftmax(z, -1)
  if (shapesEqual(y.shape, z.shape)) {
    // (inside vmap or jit the targets have no values to check here: `fit` checks its data first)
    const targets = hasValues(y) ? storage(y) : new Float32Array(0)
    for (let r = 0; r < targets.length / classes; r++) {
      const problem = distributionProblem(targets.subarray(r * classes, (r + 1) * classes))
      if (problem !== undefined)
        throw new ArgumentError(
          op,
          `labels row ${r} = [${Array.from(targets.subarray(r * classes, Math.min((r + 1) * classes, r * classes + 8))).join(',')}${classes > 8 ? ',…' : ''}] ${problem}; target rows must be distributions (one-hot or soft labels)`,
        )
    }
    const perExample: AnyTensor = sum(mul(asDType(y, z.dtype), logProbabilities), -1)
    return neg(mean(perExample)) as Loss<D>
  }
  if (!shapesEqual(y.shape, z.shape.slice(0, -1)))
    throw new ShapeError(
      op,
      `labels has shape ${formatShape(y.shape)} but logits has shape ${formatShape(z.shape)}; labels must be class indices of shape ${formatShape(z.shape.slice(0, -1))} or targets of shape ${formatShape(z.shape)}`,
    )
  if (!hasValues(y)) {
    // inside vmap the labels stand for a whole batch, inside jit for every call (no values to
    // read): compare them with the class numbers instead, which gives the one-hot targets
    const classNumbers = makeTensor(
      [classes],
      z.dtype,
      storageFrom(
        z.dtype,
        Array.from({ length: classes }, (_, c) => c),
      ),
    )
    const targets: AnyTensor = equal(reshape(asDType(y, z.dtype), [...y.shape, 1]), classNumbers)
    return neg(mean(sum(mul(targets, logProbabilities), -1))) as Loss<D>
  }
  const data = storage(y)
  const flatIndices = new Array<number>(data.length)
  for (let i = 0; i < data.length; i++) {
    const label = data[i]!
    if (!(Number.isInteger(label) && label >= 0 && label < classes))
      throw new ArgumentError(op, `labels[${i}] is ${describe(label)}, not a class index in [0, ${classes})`)
    flatIndices[i] = i * classes + label
  }
  const picked: AnyTensor = gather(reshape(logProbabilities, [-1]), flatIndices)
  return neg(mean(picked)) as Loss<D>
}

/**
 * Options of `l2` and `regularizedLogisticCost`.
 * @example
 * import { l2, tensor } from 'nabla'
 * const params = { w: tensor([[1, 2]]), scale: tensor([3]) }
 * l2(params, { isWeight: (path, leaf) => leaf.shape.length === 2 }) // 5: only the matrix counts
 */
export interface WeightOptions {
  /**
   * Which leaves are weights, by path (`x[0].w`, `x.l1.b`) and tensor. Default: every leaf whose
   * last key is not `b` or `bias` — the biases of nabla's layers are not regularised.
   */
  readonly isWeight?: (path: string, leaf: AnyTensor) => boolean
}

/**
 * Whether a leaf path names a bias (`….b` or `….bias`): what `l2` leaves out by default.
 * @example
 * import { isBiasPath } from 'nabla'
 * isBiasPath('x[0].b') // true
 * isBiasPath('x[0].w') // false
 */
export const isBiasPath = (path: string): boolean => /\.(b|bias)$/.test(path)

/**
 * The squared L2 norm of the weights, Σ w² over every weight leaf (biases excluded by default).
 * The result has the dtype of the first weight (float32 when there is none).
 * @example
 * import { l2, tensor } from 'nabla'
 * l2({ w: tensor([1, 2]), b: tensor([10]) }) // 5: the bias is not counted
 */
export const l2 = (params: unknown, options?: WeightOptions): Loss => {
  const [leaves, def] = flatten(params, 'l2', 'params')
  const paths = leafPaths(def, 'x')
  const isWeight = options?.isWeight ?? ((path: string) => !isBiasPath(path))
  const weights = leaves.filter((leaf, i) => isWeight(paths[i]!, leaf))
  if (weights.length === 0) return zeros([], { dtype: leaves[0]?.dtype ?? 'float32' }) as Loss
  return weights.map((w) => sum(square(w)) as AnyTensor).reduce((a, b) => add(a, b)) as Loss
}

/**
 * Andrew Ng's regularised logistic cost, from logits (stable):
 * J = (1/m)·Σᵢ Σₖ [−y log h − (1 − y) log(1 − h)] + λ/(2m)·Σ w², with h = σ(logits), m the number
 * of examples (the first axis), the sum over every output unit k, and the penalty over the weights
 * of `params` only (biases are not regularised; see `l2`). `labels` has the logits' shape (one-hot
 * rows for several classes). λ must be a finite number ≥ 0.
 * @example
 * import { regularizedLogisticCost, tensor } from 'nabla'
 * const params = { w: tensor([[1], [2]]), b: tensor([5]) }
 * regularizedLogisticCost(tensor([[0], [0]]), tensor([[1], [0]]), params, 1) // log 2 + 5/4
 */
export const regularizedLogisticCost = <S extends Shape, D extends DType>(
  logits: Tensor<S, D>,
  labels: AnyTensor<NoInfer<S>>,
  params: unknown,
  lambda: number,
  options?: WeightOptions,
): Loss<D> => {
  const op = 'regularizedLogisticCost'
  const z: AnyTensor = logits
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0)
    throw new ArgumentError(op, `lambda must be a finite number ≥ 0, got ${describe(lambda)}`)
  expectSameShape(op, z, labels, ['logits', 'labels'])
  if (z.shape.length === 0 || z.shape[0] === 0 || z.size === 0)
    throw new ArgumentError(op, `logits of shape ${formatShape(z.shape)} hold no examples`)
  checkRange(op, 'labels', labels, 0, 1)
  const m = z.shape[0]!
  const data: AnyTensor = div(sum(sub(softplus(z), mul(asDType(labels, z.dtype), z))), m)
  if (lambda === 0) return data as Loss<D>
  const penalty: AnyTensor = asDType(l2(params, options), z.dtype)
  return add(data, mul(penalty, lambda / (2 * m))) as Loss<D>
}
