/**
 * Training data, checked once before training: every value finite, and targets of the kind the
 * loss expects (class indices in range, one-hot rows, distributions). A bad value is an
 * `ArgumentError` naming the array and the index of the first bad element (`train.x[3][1] is NaN`),
 * before step 1 — not a NaN loss many steps later.
 *
 * @module validate
 */
import { type AnyTensor, ArgumentError, formatShape, isTensor } from '../tensor/index.js'
import { storage } from '../tensor/internal.js'

/**
 * What the targets (`y`) of a data set are, for validation:
 * - `'values'`: any finite numbers (regression; the default);
 * - `{ classes: C }`: integer class indices in `[0, C)`;
 * - `'one-hot'`: rows (last axis) of zeros with a single one;
 * - `'distribution'`: rows of non-negative numbers summing to 1 (soft labels).
 * @example
 * import type { Targets } from 'nabla'
 * const labels: Targets = { classes: 10 }
 */
export type Targets = 'values' | 'one-hot' | 'distribution' | { readonly classes: number }

/**
 * An element's index as `[i][j]…` for a flat position in a shape.
 * @example
 * import { elementIndex } from './validate.js'
 * elementIndex([2, 3], 4) // '[1][1]'
 */
export const elementIndex = (shape: readonly number[], flat: number): string => {
  let rest = flat
  const parts: number[] = []
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const d = shape[axis]!
    parts.push(rest % d)
    rest = Math.floor(rest / d)
  }
  return parts
    .reverse()
    .map((i) => `[${i}]`)
    .join('')
}

/**
 * Throws an `ArgumentError` naming the first NaN or ±Infinity in `x` (called `name`).
 * @example
 * import { tensor } from 'nabla'
 * import { checkFinite } from './validate.js'
 * checkFinite('fit', 'train.x', tensor([1, 2])) // fine
 */
export const checkFinite = (op: string, name: string, x: AnyTensor): void => {
  const data = storage(x)
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!))
      throw new ArgumentError(
        op,
        `${name}${elementIndex(x.shape, i)} is ${data[i]} (flat index ${i} of shape ${formatShape(x.shape)}); training data must be finite`,
      )
}

const isOneHot = (row: ArrayLike<number>): boolean => {
  let ones = 0
  for (let j = 0; j < row.length; j++) {
    if (row[j] === 1) ones++
    else if (row[j] !== 0) return false
  }
  return ones === 1
}

const rowTolerance = (classes: number): number => Math.max(1e-4, classes * 1e-6)

const formatRow = (row: ArrayLike<number>): string =>
  row.length <= 8 ? `[${Array.from(row).join(',')}]` : `[${Array.from(row).slice(0, 8).join(',')},…]`

/**
 * Why a row is not a probability distribution (non-negative, summing to 1), or `undefined`.
 * @example
 * import { distributionProblem } from './validate.js'
 * distributionProblem([0, 1, 1]) // 'sums to 2, not 1'
 */
export const distributionProblem = (row: ArrayLike<number>): string | undefined => {
  let total = 0
  for (let j = 0; j < row.length; j++) {
    const v = row[j]!
    if (!(v >= 0)) return `has ${v} at class ${j} (entries must be ≥ 0)`
    total += v
  }
  return Math.abs(total - 1) <= rowTolerance(row.length) ? undefined : `sums to ${total}, not 1`
}

/**
 * Checks targets against their kind (see `Targets`), naming the first bad element or row.
 * @example
 * import { tensor } from 'nabla'
 * import { checkTargets } from './validate.js'
 * checkTargets('fit', 'train.y', tensor([0, 2, 1]), { classes: 3 }) // fine
 */
export const checkTargets = (op: string, name: string, y: AnyTensor, targets: Targets): void => {
  checkFinite(op, name, y)
  if (targets === 'values') return
  const data = storage(y)
  if (typeof targets === 'object') {
    const classes = targets.classes
    if (!Number.isInteger(classes) || classes < 1)
      throw new ArgumentError(op, `targets.classes must be a positive integer, got ${classes}`)
    for (let i = 0; i < data.length; i++) {
      const label = data[i]!
      if (!(Number.isInteger(label) && label >= 0 && label < classes))
        throw new ArgumentError(
          op,
          `${name}${elementIndex(y.shape, i)} is ${label}, not a class index in [0, ${classes})`,
        )
    }
    return
  }
  if (y.shape.length === 0) throw new ArgumentError(op, `${name} must have a class axis, got a scalar`)
  const classes = y.shape[y.shape.length - 1]!
  const rowShape = y.shape.slice(0, -1)
  for (let r = 0; r * classes < data.length; r++) {
    const row = data.subarray(r * classes, (r + 1) * classes)
    const problem =
      targets === 'one-hot'
        ? isOneHot(row)
          ? undefined
          : 'is not one-hot (zeros and a single 1)'
        : distributionProblem(row)
    if (problem !== undefined)
      throw new ArgumentError(op, `${name}${elementIndex(rowShape, r)} = ${formatRow(row)} ${problem}`)
  }
}

/**
 * Validates a batch pytree: every tensor leaf finite; when the batch is a record `{ x, y }` (or
 * has a `y`), `y` checked against `targets`. Leaves are named by path (`batch.x[3][1]`).
 * @example
 * import { tensor } from 'nabla'
 * import { validateBatch } from './validate.js'
 * validateBatch('trainStep', { x: tensor([[1, 2]]), y: tensor([1]) }, { classes: 2 }) // fine
 */
export const validateBatch = (
  op: string,
  batch: unknown,
  targets: Targets = 'values',
  root = 'batch',
): void => {
  // iterative walk over arrays and plain records; values that are not tensors are the loss's business
  const pending: [unknown, string, number][] = [[batch, root, 0]]
  while (pending.length > 0) {
    const [node, path, depth] = pending.pop()!
    if (isTensor(node)) {
      if (path === `${root}.y`) checkTargets(op, path, node, targets)
      else checkFinite(op, path, node)
    } else if (depth < maxBatchDepth && Array.isArray(node))
      node.forEach((child, i) => {
        pending.push([child, `${path}[${i}]`, depth + 1])
      })
    else if (depth < maxBatchDepth && typeof node === 'object' && node !== null) {
      const proto = Object.getPrototypeOf(node)
      if (proto === Object.prototype || proto === null)
        for (const k of Object.keys(node))
          pending.push([(node as Record<string, unknown>)[k], `${path}.${k}`, depth + 1])
    }
  }
}

/** Batches nested deeper than this are not searched for tensors. */
const maxBatchDepth = 64
