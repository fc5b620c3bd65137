/**
 * Classification metrics, computed on plain numbers (they are reported, not differentiated):
 * `accuracy`, `binaryAccuracy`, `predictedClasses` and `confusionMatrix`. Scores are logits or
 * probabilities `[n, classes]` (the predicted class is the row's argmax, first on ties); labels are
 * class indices `[n]` or one-hot/soft rows `[n, classes]` (their argmax). Shape mismatches are
 * `ShapeError`s and labels that are not class indices are `ArgumentError`s.
 *
 * @module metrics
 */

import { readable } from '../io/internal.js'
import { type AnyTensor, ArgumentError, formatShape, ShapeError } from '../tensor/index.js'
import { describe, shapesEqual } from '../tensor/internal.js'

const rowArgmax = (data: ArrayLike<number>, rows: number, width: number): number[] => {
  const out = new Array<number>(rows)
  for (let r = 0; r < rows; r++) {
    let best = 0
    let bestValue = data[r * width]!
    for (let c = 1; c < width; c++) {
      const v = data[r * width + c]!
      if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
        best = c
        bestValue = v
      }
    }
    out[r] = best
  }
  return out
}

const scoreShape = (op: string, scores: AnyTensor): [number, number] => {
  if (scores.shape.length !== 2 || scores.shape[1] === 0)
    throw new ShapeError(
      op,
      `scores must have shape [n, classes] with classes ≥ 1, got ${formatShape(scores.shape)}`,
    )
  return [scores.shape[0]!, scores.shape[1]!]
}

/**
 * The predicted class of each row of `[n, classes]` scores (the argmax; the first on ties).
 * @example
 * import { predictedClasses, tensor } from 'nabla'
 * predictedClasses(tensor([[0.1, 2], [3, -1]])) // [1, 0]
 */
export const predictedClasses = (scores: AnyTensor): number[] => {
  const [n, classes] = scoreShape('predictedClasses', scores)
  return rowArgmax(readable('predictedClasses', scores), n, classes)
}

/** Labels as class indices: `[n]` integers in [0, classes), or the argmax of `[n, classes]` rows. */
const labelClasses = (op: string, labels: AnyTensor, n: number, classes: number): number[] => {
  if (labels.shape.length === 2 && labels.shape[0] === n && labels.shape[1] === classes)
    return rowArgmax(readable(op, labels), n, classes)
  if (labels.shape.length !== 1 || labels.shape[0] !== n)
    throw new ShapeError(
      op,
      `labels has shape ${formatShape(labels.shape)} but the scores need [${n}] class indices or [${n},${classes}] rows`,
    )
  const data = readable(op, labels)
  return Array.from(data, (label, i) => {
    if (!(Number.isInteger(label) && label >= 0 && label < classes))
      throw new ArgumentError(op, `labels[${i}] is ${describe(label)}, not a class index in [0, ${classes})`)
    return label
  })
}

/**
 * The fraction of rows whose predicted class is the label, in [0, 1]. No rows is an `ArgumentError`.
 * @example
 * import { accuracy, tensor } from 'nabla'
 * accuracy(tensor([[0.1, 2], [3, -1], [0, 1]]), tensor([1, 0, 0])) // 2/3
 */
export const accuracy = (scores: AnyTensor, labels: AnyTensor): number => {
  const [n, classes] = scoreShape('accuracy', scores)
  if (n === 0) throw new ArgumentError('accuracy', 'scores hold no rows: the accuracy is undefined')
  const truth = labelClasses('accuracy', labels, n, classes)
  const predicted = rowArgmax(readable('accuracy', scores), n, classes)
  return predicted.reduce((hits, p, i) => hits + (p === truth[i] ? 1 : 0), 0) / n
}

/**
 * Binary accuracy: a score above `threshold` (default 0, for logits; use 0.5 for probabilities)
 * predicts 1. Scores and 0/1 labels have the same shape.
 * @example
 * import { binaryAccuracy, tensor } from 'nabla'
 * binaryAccuracy(tensor([-2, 3, 1]), tensor([0, 1, 0])) // 2/3
 */
export const binaryAccuracy = (scores: AnyTensor, labels: AnyTensor, threshold = 0): number => {
  const op = 'binaryAccuracy'
  if (!shapesEqual(scores.shape, labels.shape))
    throw new ShapeError(
      op,
      `labels has shape ${formatShape(labels.shape)} but scores has shape ${formatShape(scores.shape)}; they must match`,
    )
  if (scores.size === 0) throw new ArgumentError(op, 'scores are empty: the accuracy is undefined')
  const s = readable('binaryAccuracy', scores)
  const y = readable('binaryAccuracy', labels)
  let hits = 0
  for (let i = 0; i < s.length; i++) {
    const label = y[i]!
    if (label !== 0 && label !== 1)
      throw new ArgumentError(op, `labels[${i}] is ${describe(label)}, not 0 or 1`)
    if ((s[i]! > threshold ? 1 : 0) === label) hits++
  }
  return hits / s.length
}

/**
 * The confusion matrix: entry `[t][p]` counts rows of true class `t` predicted as `p` (rows are
 * true classes, columns predictions; `classes × classes`).
 * @example
 * import { confusionMatrix, tensor } from 'nabla'
 * confusionMatrix(tensor([[2, 0], [0, 1], [3, 1]]), tensor([0, 1, 1])) // [[1, 0], [1, 1]]
 */
export const confusionMatrix = (scores: AnyTensor, labels: AnyTensor): number[][] => {
  const [n, classes] = scoreShape('confusionMatrix', scores)
  const truth = labelClasses('confusionMatrix', labels, n, classes)
  const predicted = rowArgmax(readable('confusionMatrix', scores), n, classes)
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0))
  truth.forEach((t, i) => {
    matrix[t]![predicted[i]!]!++
  })
  return matrix
}
