/**
 * The datasets the CLI trains on, registered in one table: each entry has its summary, the
 * training defaults that suit it and its loader. Adding a dataset is one entry here; `--dataset`,
 * the help text, the run description's codec and the defaults all read the table. A run records
 * the dataset name, its directory (for IDX files) and the seed, so `eval` rebuilds the same split.
 *
 * @module cli/datasets
 */
import { takeRows } from '../models/data/dataset.js'
import type { Dataset } from '../models/data/index.js'
import { twoSpirals, xor } from '../models/data/index.js'
import { foldIn, key } from '../models/random/index.js'
import { loadIris, loadMnist, loadMnistIdx } from '../node.js'
import { oneOf, UsageError } from './args.js'

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
 * One registered dataset: a one-line summary (for `--help`), its defaults and its loader. `load`
 * gets the whole source; the sizes it does not use itself are cut by `loadDataset`.
 * @example
 * import type { DatasetEntry } from './datasets.js'
 * import { xor } from '../models/data/index.js'
 * import { key } from '../models/random/index.js'
 * const entry: DatasetEntry = {
 *   summary: 'XOR of two coordinates',
 *   defaults: { hidden: [16], epochs: 40, batch: 32, lr: 1e-2 },
 *   load: (_command, source) => xor(key(source.seed), source.trainSize ?? 400),
 * }
 */
export interface DatasetEntry {
  readonly summary: string
  readonly defaults: Defaults
  /** Whether the dataset reads a directory given after its name (`--dataset mnist-idx DIR`). */
  readonly needsDir?: boolean
  /** Whether the loader already takes `trainSize`/`testSize` itself (otherwise the first rows are kept). */
  readonly sizesByLoader?: boolean
  readonly load: (command: string, source: DataSource) => Dataset<number, 'float32'>
}

const mnistDefaults: Defaults = { hidden: [128], epochs: 10, batch: 64, lr: 1e-3 }

/**
 * The registered datasets, by name. MNIST's defaults are what `npm start` runs: an MLP 784-128-10
 * with Adam at 1e-3, 10 epochs of batches of 64 over nabla's 8,000/2,000 split of `mnist`.
 * @example
 * import { datasets } from './datasets.js'
 * datasets.iris.defaults.epochs // 60
 */
export const datasets = {
  mnist: {
    summary: "10,000 digits of the mnist package, nabla's seeded 8,000/2,000 split",
    defaults: mnistDefaults,
    sizesByLoader: true,
    load: (command, { seed, trainSize, testSize }) => {
      if ((trainSize ?? 8000) + (testSize ?? 2000) > 10_000)
        throw new UsageError(command, '--train-size plus --test-size must be at most 10000 for mnist')
      return loadMnist({
        seed,
        ...(trainSize === undefined ? {} : { trainSize }),
        ...(testSize === undefined ? {} : { testSize }),
      }) as Dataset<number, 'float32'>
    },
  },
  'mnist-idx': {
    summary: 'the MNIST IDX files in DIR (--dataset mnist-idx DIR)',
    defaults: mnistDefaults,
    needsDir: true,
    load: (command, { dir }) => {
      if (dir === undefined)
        throw new UsageError(
          command,
          '--dataset mnist-idx needs the directory of the IDX files: --dataset mnist-idx DIR',
        )
      return loadMnistIdx(dir)
    },
  },
  iris: {
    summary: "Fisher's iris, 150 flowers, standardised features",
    defaults: { hidden: [16], epochs: 60, batch: 16, lr: 1e-2 },
    load: (_command, { seed }) => loadIris({ seed }) as Dataset<number, 'float32'>,
  },
  spirals: {
    summary: 'two interleaved spirals (synthetic)',
    defaults: { hidden: [64, 64], epochs: 25, batch: 32, lr: 1e-2 },
    sizesByLoader: true,
    load: (_command, { seed, trainSize, testSize }) =>
      twoSpirals(foldIn(key(seed), 1), trainSize ?? 400, 0.05, {
        ...(testSize === undefined ? {} : { testSize }),
      }) as Dataset<number, 'float32'>,
  },
  xor: {
    summary: 'XOR of two coordinates (synthetic)',
    defaults: { hidden: [16], epochs: 40, batch: 32, lr: 1e-2 },
    sizesByLoader: true,
    load: (_command, { seed, trainSize, testSize }) =>
      xor(foldIn(key(seed), 2), trainSize ?? 400, 0, {
        ...(testSize === undefined ? {} : { testSize }),
      }) as Dataset<number, 'float32'>,
  },
} as const satisfies Readonly<Record<string, DatasetEntry>>

/**
 * A dataset name.
 * @example
 * import type { DatasetName } from './datasets.js'
 * const name: DatasetName = 'spirals'
 */
export type DatasetName = keyof typeof datasets

/**
 * The dataset names `--dataset` accepts.
 * @example
 * import { datasetNames } from './datasets.js'
 * datasetNames.includes('iris') // true
 */
export const datasetNames = Object.keys(datasets) as readonly DatasetName[]

/**
 * The defaults of a dataset.
 * @example
 * import { defaultsFor } from './datasets.js'
 * defaultsFor('mnist').epochs // 10
 */
export const defaultsFor = (name: DatasetName): Defaults => datasets[name].defaults

/**
 * The `--dataset` lines of a help text, one per registered dataset.
 * @example
 * import { datasetHelp } from './datasets.js'
 * datasetHelp().includes('iris') // true
 */
export const datasetHelp = (indent = 24): string =>
  Object.entries(datasets)
    .map(([name, entry]) => `${' '.repeat(indent)}${name.padEnd(10)} ${entry.summary}`)
    .join('\n')

const firstRows = <D extends Dataset>(
  command: string,
  data: D,
  trainSize: number | undefined,
  testSize: number | undefined,
): D => {
  const take = (flag: string, n: number | undefined, available: number, part: string) => {
    if (n !== undefined && n > available)
      throw new UsageError(
        command,
        `--${flag} ${n} is more than the ${available} ${part} rows of ${data.name}`,
      )
    return Array.from({ length: n ?? available }, (_, i) => i)
  }
  const train = take('train-size', trainSize, data.xTrain.shape[0]!, 'training')
  const test = take('test-size', testSize, data.xTest.shape[0]!, 'test')
  return {
    ...data,
    xTrain: takeRows(data.xTrain, train),
    yTrain: takeRows(data.yTrain, train),
    xTest: takeRows(data.xTest, test),
    yTest: takeRows(data.yTest, test),
  }
}

/**
 * Loads a registered dataset (float32). Loaders that take sizes themselves get them; the others
 * are cut to the first `trainSize`/`testSize` rows, and asking for more rows than there are is a
 * `UsageError` (never a silent cut).
 * @example
 * import { loadDataset } from './datasets.js'
 * const data = loadDataset('train', { name: 'spirals', seed: 0 })
 */
export const loadDataset = (command: string, source: DataSource): Dataset<number, 'float32'> => {
  const entry: DatasetEntry = datasets[source.name]
  const data = entry.load(command, source)
  return entry.sizesByLoader === true ? data : firstRows(command, data, source.trainSize, source.testSize)
}

/**
 * The dataset a command line names (`--dataset`, default mnist) and its directory: `--data-dir`,
 * or for `mnist-idx` the first positional argument. Any other positional argument is a
 * `UsageError`.
 * @example
 * import { datasetArgument } from './datasets.js'
 * datasetArgument('train', 'mnist-idx', undefined, ['/data/mnist']) // { name: 'mnist-idx', dir: '/data/mnist' }
 */
export const datasetArgument = (
  command: string,
  dataset: string | undefined,
  dataDir: string | undefined,
  positionals: readonly string[],
): { readonly name: DatasetName; readonly dir?: string } => {
  const name = oneOf<DatasetName>(command, 'dataset', dataset ?? 'mnist', datasetNames)
  const dir = dataDir ?? (name === 'mnist-idx' ? positionals[0] : undefined)
  const extra = positionals.slice(name === 'mnist-idx' && dataDir === undefined ? 1 : 0)
  if (extra.length > 0) throw new UsageError(command, `unexpected argument '${extra[0]}'`)
  return dir === undefined ? { name } : { name, dir }
}
