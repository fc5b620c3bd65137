/**
 * The datasets the CLI trains on, by name, each with the training defaults that suit it. A run
 * records the dataset name, its directory (for IDX files) and the seed, so `eval` rebuilds the
 * same split.
 *
 * @module cli/datasets
 */
import { takeRows } from '../models/data/dataset.js'
import type { Dataset } from '../models/data/index.js'
import { twoSpirals, xor } from '../models/data/index.js'
import { foldIn, key } from '../models/random.js'
import { loadIris, loadMnist, loadMnistIdx } from '../node.js'
import { UsageError } from './args.js'

/**
 * The dataset names `--dataset` accepts.
 * @example
 * import { datasetNames } from './datasets.js'
 * datasetNames.includes('iris') // true
 */
export const datasetNames = ['mnist', 'mnist-idx', 'iris', 'spirals', 'xor'] as const

/**
 * A dataset name.
 * @example
 * import type { DatasetName } from './datasets.js'
 * const name: DatasetName = 'spirals'
 */
export type DatasetName = (typeof datasetNames)[number]

/**
 * Which data to load: the name, the IDX directory, the split seed and optional size limits.
 * @example
 * import { loadDataset } from './datasets.js'
 * loadDataset('train', { name: 'mnist', seed: 0, trainSize: 1000, testSize: 500 })
 */
export interface DataSource {
  readonly name: DatasetName
  readonly dir?: string
  readonly seed: number
  readonly trainSize?: number
  readonly testSize?: number
}

/**
 * Training defaults per dataset (flags override them).
 * @example
 * import { defaultsFor } from './datasets.js'
 * const { hidden, epochs, batch, lr } = defaultsFor('iris')
 */
export interface Defaults {
  readonly hidden: readonly number[]
  readonly epochs: number
  readonly batch: number
  readonly lr: number
}

/**
 * The defaults of each dataset. MNIST's are what `npm start` runs: an MLP 784-128-10 with Adam at
 * 1e-3, 10 epochs of batches of 64 over nabla's 8,000/2,000 split of the `mnist` package.
 * @example
 * import { defaultsFor } from './datasets.js'
 * defaultsFor('mnist').epochs // 10
 */
export const defaultsFor = (name: DatasetName): Defaults => {
  switch (name) {
    case 'mnist':
    case 'mnist-idx':
      return { hidden: [128], epochs: 10, batch: 64, lr: 1e-3 }
    case 'iris':
      return { hidden: [16], epochs: 60, batch: 16, lr: 1e-2 }
    case 'spirals':
      return { hidden: [64, 64], epochs: 25, batch: 32, lr: 1e-2 }
    case 'xor':
      return { hidden: [16], epochs: 40, batch: 32, lr: 1e-2 }
  }
}

const firstRows = <D extends Dataset>(data: D, trainSize?: number, testSize?: number): D => {
  const take = (n: number | undefined, available: number) =>
    Array.from({ length: Math.min(n ?? available, available) }, (_, i) => i)
  const train = take(trainSize, data.xTrain.shape[0]!)
  const test = take(testSize, data.xTest.shape[0]!)
  return {
    ...data,
    xTrain: takeRows(data.xTrain, train),
    yTrain: takeRows(data.yTrain, train),
    xTest: takeRows(data.xTest, test),
    yTest: takeRows(data.yTest, test),
  }
}

/**
 * Loads a dataset (float32). MNIST takes its seeded stratified split with the given sizes; IDX
 * files, iris and the synthetic sets are cut to the first `trainSize`/`testSize` rows.
 * @example
 * import { loadDataset } from './datasets.js'
 * const data = loadDataset('train', { name: 'spirals', seed: 0 })
 */
export const loadDataset = (command: string, source: DataSource): Dataset<number, 'float32'> => {
  const { seed, trainSize, testSize } = source
  switch (source.name) {
    case 'mnist': {
      if ((trainSize ?? 8000) + (testSize ?? 2000) > 10_000)
        throw new UsageError(command, '--train-size plus --test-size must be at most 10000 for mnist')
      return loadMnist({
        seed,
        ...(trainSize === undefined ? {} : { trainSize }),
        ...(testSize === undefined ? {} : { testSize }),
      }) as Dataset<number, 'float32'>
    }
    case 'mnist-idx': {
      if (source.dir === undefined)
        throw new UsageError(
          command,
          '--dataset mnist-idx needs the directory of the IDX files: --dataset mnist-idx DIR',
        )
      return firstRows(loadMnistIdx(source.dir), trainSize, testSize)
    }
    case 'iris':
      return firstRows(loadIris({ seed }) as Dataset<number, 'float32'>, trainSize, testSize)
    case 'spirals':
      return twoSpirals(foldIn(key(seed), 1), trainSize ?? 400, 0.05, {
        ...(testSize === undefined ? {} : { testSize }),
      }) as Dataset<number, 'float32'>
    case 'xor':
      return xor(foldIn(key(seed), 2), trainSize ?? 400, 0, {
        ...(testSize === undefined ? {} : { testSize }),
      }) as Dataset<number, 'float32'>
  }
}
