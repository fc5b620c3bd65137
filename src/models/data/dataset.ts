/**
 * The common shape of a classification dataset, and the pieces every loader shares: seeded
 * stratified splits and row selection. Browser-safe: the Node-only lazy loading of optional
 * packages lives in optional.ts.
 *
 * @module dataset
 */
import {
  ArgumentError,
  allocate,
  type DType,
  DTypeError,
  describe,
  isDType,
  makeTensor,
  NablaError,
  type Shape,
  storage,
  type Tensor,
} from '../../tensor/internal.js'
import { foldIn, type Key, permutation, split } from '../random/index.js'

/**
 * A classification dataset: feature rows `x` (flattened to `F` features; `featureShape` tells how
 * to view one row, e.g. `[28, 28]`) and integer class labels `y` held as floats.
 * @example
 * import { type Dataset } from 'nabla'
 * import { loadIris } from 'nabla/node'
 * const iris: Dataset<4> = loadIris()
 * iris.xTrain.shape // [120, 4]
 */
export interface Dataset<F extends number = number, D extends DType = DType> {
  readonly name: string
  readonly xTrain: Tensor<[number, F], D>
  readonly yTrain: Tensor<[number], D>
  readonly xTest: Tensor<[number, F], D>
  readonly yTest: Tensor<[number], D>
  /** Class names; label `i` means `classes[i]`. */
  readonly classes: readonly string[]
  /** The shape of one example before flattening (`[28, 28]` for MNIST, `[4]` for iris). */
  readonly featureShape: readonly number[]
  /**
   * The standardisation the loader applied to every raw feature row (iris), if any: new raw rows
   * must go through `standardiseRows` with it before a model trained on this dataset sees them.
   */
  readonly standardisation?: Standardisation
}

/**
 * Per-feature statistics of a standardisation: a raw value `v` of feature `j` becomes
 * `(v - mean[j]) / scale[j]` (scale is the training standard deviation, 1 where that is 0).
 * @example
 * import type { Standardisation } from 'nabla'
 * const s: Standardisation = { mean: [5.8, 3.1], scale: [0.8, 0.4] }
 */
export interface Standardisation {
  readonly mean: readonly number[]
  readonly scale: readonly number[]
}

/**
 * The statistics that standardise the columns of flat row-major `data` (`width` features per row),
 * computed over the given rows only (the training rows, so nothing about the test rows leaks in).
 * Population standard deviation; a constant column gets scale 1.
 * @example
 * import { standardisationOf } from 'nabla'
 * standardisationOf([1, 10, 3, 30], 2, [0, 1]) // { mean: [2, 20], scale: [1, 10] }
 */
export const standardisationOf = (
  data: ArrayLike<number>,
  width: number,
  rows: readonly number[],
): Standardisation => {
  const mean = new Array<number>(width).fill(0)
  const variance = new Array<number>(width).fill(0)
  for (const r of rows) for (let j = 0; j < width; j++) mean[j]! += data[r * width + j]! / rows.length
  for (const r of rows)
    for (let j = 0; j < width; j++) variance[j]! += (data[r * width + j]! - mean[j]!) ** 2 / rows.length
  return Object.freeze({
    mean: Object.freeze(mean),
    scale: Object.freeze(variance.map((v) => (v > 0 ? Math.sqrt(v) : 1))),
  })
}

/**
 * Raw feature rows standardised with saved statistics: what `nabla predict` does to its input
 * before the model sees it. A row of the wrong length is an `ArgumentError`.
 * @example
 * import { standardiseRows } from 'nabla'
 * standardiseRows([[3, 30]], { mean: [2, 20], scale: [1, 10] }) // [[1, 1]]
 */
export const standardiseRows = (rows: readonly (readonly number[])[], s: Standardisation): number[][] =>
  rows.map((row, i) => {
    if (row.length !== s.mean.length)
      throw new ArgumentError(
        'standardiseRows',
        `row ${i} has ${row.length} features but the statistics are for ${s.mean.length}`,
      )
    return row.map((v, j) => (v - s.mean[j]!) / s.scale[j]!)
  })

/**
 * The dtype option of the loaders (default float32).
 * @example
 * import { loadIris } from 'nabla/node'
 * loadIris({ dtype: 'float64' }) // Dataset<4, 'float64'>
 */
export interface DatasetDTypeOption<D extends DType> {
  readonly dtype?: D
}

/**
 * An optional package (a dataset source) is not installed.
 * @example
 * import { MissingDependencyError } from 'nabla'
 * new MissingDependencyError('loadMnist', "the optional package 'mnist' is not installed").op // 'loadMnist'
 */
export class MissingDependencyError extends NablaError {}

/**
 * Reads and checks the dtype option.
 * @example
 * import { dtypeOption } from './dataset.js'
 * dtypeOption('loadIris', { dtype: 'float64' }) // 'float64'
 */
export const dtypeOption = <D extends DType>(op: string, options: DatasetDTypeOption<D> | undefined): D => {
  const dtype = options?.dtype ?? 'float32'
  if (!isDType(dtype))
    throw new DTypeError(op, `dtype must be 'float32' or 'float64', got ${describe(dtype)}`)
  return dtype as D
}

/**
 * Checks an integer argument in [min, max].
 * @example
 * import { integerArgument } from './dataset.js'
 * integerArgument('loadMnist', 'testSize', 2000, 0, 10000) // 2000
 */
export const integerArgument = (
  op: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ArgumentError(op, `${name} must be an integer in [${min}, ${max}], got ${describe(value)}`)
  return value
}

/**
 * The shape `S` with its leading (batch) dimension widened to `number`.
 * @example
 * import type { Rows } from 'nabla'
 * type R = Rows<[3, 784]> // [number, 784]
 */
export type Rows<S extends Shape> = S extends readonly [number, ...infer R extends number[]]
  ? [number, ...R]
  : number[]

/**
 * The rows of `x` at `indices` (along the first axis), copied into a new tensor: how a minibatch
 * is cut from a dataset. Not differentiable (data, not parameters).
 * @example
 * import { takeRows, tensor } from 'nabla'
 * takeRows(tensor([[1, 2], [3, 4], [5, 6]]), [2, 0]) // [[5, 6], [1, 2]]: Tensor<[number, 2]>
 */
export const takeRows = <S extends Shape, D extends DType>(
  x: Tensor<S, D>,
  indices: readonly number[],
): Tensor<Rows<S>, D> => {
  if (x.shape.length === 0)
    throw new ArgumentError('takeRows', 'x must have at least one dimension, got a scalar')
  const rows = x.shape[0]!
  const width = rows === 0 ? 0 : x.size / rows
  const source = storage(x)
  const out = allocate(x.dtype, indices.length * width)
  indices.forEach((row, i) => {
    if (!Number.isInteger(row) || row < 0 || row >= rows)
      throw new ArgumentError(
        'takeRows',
        `indices[${i}] is ${describe(row)}, not a row of a tensor with ${rows} rows`,
      )
    out.set(source.subarray(row * width, (row + 1) * width), i * width)
  })
  return makeTensor([indices.length, ...x.shape.slice(1)] as Rows<S>, x.dtype, out)
}

/**
 * Row indices of a split.
 * @example
 * import { key, type SplitIndices, stratifiedSplit } from 'nabla'
 * const rows: SplitIndices = stratifiedSplit(key(0), [0, 1, 0, 1], { testSize: 2 })
 */
export interface SplitIndices {
  readonly train: readonly number[]
  readonly test: readonly number[]
}

/** Largest-remainder apportionment of `total` over groups of the given sizes (sums exactly). */
const apportion = (sizes: readonly number[], total: number): number[] => {
  const all = sizes.reduce((a, b) => a + b, 0)
  if (all === 0) return sizes.map(() => 0)
  const quotas = sizes.map((n) => Math.floor((total * n) / all))
  const order = sizes
    .map((n, c) => ({ c, remainder: (total * n) % all }))
    .sort((a, b) => b.remainder - a.remainder || a.c - b.c)
  let left = total - quotas.reduce((a, b) => a + b, 0)
  for (const { c } of order) {
    if (left === 0) break
    quotas[c]!++
    left--
  }
  return quotas
}

/**
 * A seeded stratified split of examples by label: `testSize` test rows and `trainSize` train rows
 * (default: all the rest), each class represented in proportion to its size (largest-remainder
 * rounding, so the totals are exact). Within each class the rows are chosen by a permutation from
 * `foldIn(key, class)`; both index lists are then shuffled, so they are not sorted by class.
 * @example
 * import { key, stratifiedSplit } from 'nabla'
 * const { train, test } = stratifiedSplit(key(0), [0, 0, 1, 1, 1, 1], { testSize: 3 })
 * // test holds one row of class 0 and two of class 1
 */
export const stratifiedSplit = (
  k: Key,
  labels: readonly number[],
  sizes: { readonly testSize: number; readonly trainSize?: number },
): SplitIndices => {
  const op = 'stratifiedSplit'
  const byClass = new Map<number, number[]>()
  labels.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0)
      throw new ArgumentError(op, `labels[${i}] must be a non-negative integer, got ${describe(label)}`)
    const rows = byClass.get(label) ?? []
    rows.push(i)
    byClass.set(label, rows)
  })
  const testSize = integerArgument(op, 'testSize', sizes.testSize, 0, labels.length)
  const trainSize = integerArgument(
    op,
    'trainSize',
    sizes.trainSize ?? labels.length - testSize,
    0,
    labels.length - testSize,
  )
  const classes = [...byClass.keys()].sort((a, b) => a - b)
  const members = classes.map((c) => {
    const rows = byClass.get(c)!
    return permutation(foldIn(k, c), rows.length).map((j) => rows[j]!)
  })
  const testQuota = apportion(
    members.map((m) => m.length),
    testSize,
  )
  const trainQuota = apportion(
    members.map((m, c) => m.length - testQuota[c]!),
    trainSize,
  )
  const test = members.flatMap((m, c) => m.slice(0, testQuota[c]))
  const train = members.flatMap((m, c) => m.slice(testQuota[c], testQuota[c]! + trainQuota[c]!))
  const [trainKey, testKey] = split(foldIn(k, -1))
  return {
    train: permutation(trainKey, train.length).map((j) => train[j]!),
    test: permutation(testKey, test.length).map((j) => test[j]!),
  }
}

/**
 * A dataset from features and labels (copied), cut into the given train and test rows. `features`
 * is either flat row-major data or a function returning the features of one row.
 * @example
 * import { fromRows } from 'nabla'
 * const data = fromRows('toy', [0, 0, 1, 1, 2, 2], [0, 1, 1], [2], { train: [0, 2], test: [1] }, ['a', 'b'])
 * data.xTrain.shape // [2, 2]
 */
export const fromRows = <F extends number, D extends DType = 'float32'>(
  name: string,
  features: ArrayLike<number> | ((row: number) => ArrayLike<number>),
  labels: ArrayLike<number>,
  featureShape: readonly number[],
  rows: SplitIndices,
  classes: readonly string[],
  options?: DatasetDTypeOption<D>,
): Dataset<F, D> => {
  const dtype = dtypeOption('fromRows', options)
  const width = featureShape.reduce((a, b) => a * b, 1)
  const rowOf =
    typeof features === 'function'
      ? features
      : (row: number) => Array.prototype.slice.call(features, row * width, (row + 1) * width) as number[]
  if (typeof features !== 'function' && features.length !== labels.length * width)
    throw new ArgumentError(
      'fromRows',
      `features has ${features.length} values but ${labels.length} rows of ${width} features need ${labels.length * width}`,
    )
  const pick = (indices: readonly number[]) => {
    const x = allocate(dtype, indices.length * width)
    const y = allocate(dtype, indices.length)
    indices.forEach((row, i) => {
      if (!Number.isInteger(row) || row < 0 || row >= labels.length)
        throw new ArgumentError('fromRows', `row ${describe(row)} is not one of the ${labels.length} rows`)
      const values = rowOf(row)
      if (values.length !== width)
        throw new ArgumentError('fromRows', `row ${row} has ${values.length} features, expected ${width}`)
      x.set(values, i * width)
      y[i] = labels[row]!
    })
    return [
      makeTensor<[number, F], D>([indices.length, width as F], dtype, x),
      makeTensor<[number], D>([indices.length], dtype, y),
    ] as const
  }
  const [xTrain, yTrain] = pick(rows.train)
  const [xTest, yTest] = pick(rows.test)
  return Object.freeze({
    name,
    xTrain,
    yTrain,
    xTest,
    yTest,
    classes: Object.freeze([...classes]),
    featureShape: Object.freeze([...featureShape]),
  })
}
