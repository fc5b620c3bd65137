/**
 * The models the CLI trains (`--model mlp`, a multilayer perceptron, or `--model cnn`, a
 * convolutional network on images) as one `Classifier` shape, and the run file that holds one:
 * `params.json`,
 * nabla's parameter format, whose string metadata `nabla-run` records the model configuration,
 * the data source and the class names (JSON), so `eval` and `predict` need nothing but that file.
 *
 * @module cli/model
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type Standardisation, takeRows } from '../models/data/index.js'
import { readFileChecked } from '../models/fs.js'
import { type CnnConfig, type CnnParams, cnn } from '../models/layers/cnn.js'
import { type Mlp, type MlpConfig, type MlpParams, mlp, mlpFromConfig } from '../models/layers.js'
import { softmaxCrossEntropy } from '../models/losses.js'
import type { Key } from '../models/random.js'
import { decodeErrorInFile, saveParams } from '../models/serialize/files.js'
import {
  decodeParams,
  paramsDecodeError,
  paramsFileCodec,
  parseJSON,
  type Template,
} from '../models/serialize/index.js'
import {
  type AnyTensor,
  concat,
  DecodeError,
  NablaError,
  ResourceError,
  reshape,
  resourceErrorIn,
  type Tensor,
} from '../tensor/internal.js'
import { UsageError } from './args.js'
import type { DataSource } from './datasets.js'
import { datasetNames } from './datasets.js'
import { checkRunSizes, describedTemplate } from './runCheck.js'

/**
 * What a run file records besides the parameters.
 * @example
 * import { loadRun } from './model.js'
 * loadRun('runs/mnist/params.json').info.data // { name: 'mnist', seed: 0 }
 */
export interface RunInfo {
  readonly model: MlpConfig | CnnConfig
  readonly data: DataSource
  readonly classes: readonly string[]
  /** How the loader standardised raw features (iris); `predict` applies it to its input rows. */
  readonly standardisation?: Standardisation
}

/**
 * The metadata key of the run description.
 * @example
 * import { readFileSync } from 'node:fs'
 * import { runKey } from './model.js'
 * const text = readFileSync('runs/mnist/params.json', 'utf8')
 * JSON.parse(JSON.parse(text).metadata[runKey]).model.sizes // [784, 128, 10]
 */
export const runKey = 'nabla-run'

const runInfoCodec = t.type({
  model: t.union([
    t.type({
      kind: t.literal('mlp'),
      sizes: t.array(t.number),
      activation: t.string,
      outputActivation: t.string,
      initializer: t.string,
    }),
    t.type({
      kind: t.literal('cnn'),
      inputShape: t.tuple([t.number, t.number, t.number]),
      channels: t.array(t.number),
      kernel: t.number,
      padding: t.keyof({ valid: null, same: null }),
      pool: t.number,
      hidden: t.array(t.number),
      classes: t.number,
      activation: t.string,
      dtype: t.literal('float32'),
    }),
  ]),
  data: t.intersection([
    t.type({ name: t.keyof(Object.fromEntries(datasetNames.map((n) => [n, null]))), seed: t.number }),
    t.partial({ dir: t.string, trainSize: t.number, testSize: t.number }),
  ]),
  classes: t.array(t.string),
  standardisation: t.union([t.undefined, t.type({ mean: t.array(t.number), scale: t.array(t.number) })]),
})

/**
 * The network's parameters, typed loosely (sizes known at run time).
 * @example
 * import { loadRun, type Params } from './model.js'
 * const params: Params = loadRun('runs/mnist/params.json').params
 */
export type Params = MlpParams<readonly number[], 'float32'> | CnnParams<'float32'>

/**
 * What the CLI needs of a model: its configuration, `sizes` (`[features, …, classes]`, features
 * being the flat row length of the data), a one-line description, and logits of flat rows.
 * @example
 * import { classifierFor } from './model.js'
 * const net = classifierFor('cnn', { features: 784, classes: 10, hidden: [128], activation: 'relu' })
 * net.description // 'cnn 1×28×28 → conv 5×5 16, 32 (max-pool 2) → dense 128 → 10'
 */
export interface Classifier {
  readonly config: MlpConfig | CnnConfig
  readonly sizes: readonly number[]
  readonly description: string
  readonly init: (k: Key) => Params
  readonly apply: (params: Params, x: AnyTensor) => AnyTensor
  /** The training pass with dropout (a cnn with a dropout rate); absent when the model never drops. */
  readonly dropout?: {
    readonly rate: number
    /** The masks of one step for `rows` examples (tensors, so a jitted loss takes them as inputs). */
    readonly masks: (k: Key, rows: number) => AnyTensor[]
    readonly apply: (params: Params, x: AnyTensor, masks: readonly AnyTensor[]) => AnyTensor
  }
}

/**
 * The logits of many rows, computed a few hundred rows at a time: one pass over 2,000 images made
 * the CNN's intermediate arrays hundreds of megabytes (its patch matrices alone ~300 MB) and took
 * several times longer than the same rows in chunks.
 * @example
 * import { key, zeros } from 'nabla'
 * import { classifierFor, logitsInChunks } from './model.js'
 * const net = classifierFor('mlp', { features: 4, classes: 3, hidden: [8], activation: 'relu' })
 * logitsInChunks(net, net.init(key(0)), zeros([1000, 4])).shape // [1000, 3]
 */
export const logitsInChunks = (net: Classifier, params: Params, x: AnyTensor, rows = 250): AnyTensor => {
  const total = x.shape[0]!
  if (total <= rows) return net.apply(params, x)
  const parts: AnyTensor[] = []
  for (let start = 0; start < total; start += rows)
    parts.push(
      net.apply(
        params,
        takeRows(
          x,
          Array.from({ length: Math.min(rows, total - start) }, (_, i) => start + i),
        ),
      ),
    )
  return concat(parts as [AnyTensor, ...AnyTensor[]], 0)
}

/**
 * The model kinds `--model` chooses from.
 * @example
 * import { modelKinds } from './model.js'
 * modelKinds // ['mlp', 'cnn']
 */
export const modelKinds = ['mlp', 'cnn'] as const

/**
 * A model kind.
 * @example
 * import type { ModelKind } from './model.js'
 * const kind: ModelKind = 'cnn'
 */
export type ModelKind = (typeof modelKinds)[number]

const fromMlp = (net: Mlp): Classifier => ({
  config: net.config,
  sizes: net.sizes,
  description: `mlp ${net.sizes.join('-')} ${net.config.activation}`,
  init: (k) => net.init(k) as Params,
  apply: (params, x) =>
    net.apply(params as MlpParams<readonly number[], 'float32'>, x as Tensor<[number, number], 'float32'>),
})

const fromCnnConfig = (config: Partial<CnnConfig>): Classifier => {
  const net = cnn(config)
  const { inputShape, channels, kernel, pool, hidden, classes, dropout } = net.config as CnnConfig
  const features = inputShape[0] * inputShape[1] * inputShape[2]
  const images = (x: AnyTensor) => reshape(x, [x.shape[0]!, ...inputShape]) as never
  return {
    ...(dropout > 0
      ? {
          dropout: {
            rate: dropout,
            masks: (k, rows) => net.dropoutMasks(k, rows),
            apply: (params, x, masks) => net.applyTraining(params as CnnParams, images(x), masks as never),
          },
        }
      : {}),
    config: net.config as CnnConfig,
    sizes: [features, ...hidden, classes],
    description: `cnn ${inputShape.join('×')} → conv ${kernel}×${kernel} ${channels.join(', ')} (max-pool ${pool}) → dense ${[...hidden, classes].join('-')}`,
    init: (k) => net.init(k) as CnnParams<'float32'>,
    apply: (params, x) => net.apply(params as CnnParams, images(x)),
  }
}

/**
 * The model of a kind for rows of `features` numbers and `classes` classes. A `cnn` reads each row
 * as a square one-channel image (784 = 28×28); other row lengths are an error naming them.
 * @example
 * import { classifierFor } from './model.js'
 * const net = classifierFor('mlp', { features: 4, classes: 3, hidden: [16], activation: 'relu' })
 */
export const classifierFor = (
  kind: ModelKind,
  options: {
    readonly features: number
    readonly classes: number
    readonly hidden: readonly number[]
    readonly activation: MlpConfig['activation']
    /** Dropout after each hidden layer in training (cnn only; default 0). */
    readonly dropout?: number
  },
): Classifier => {
  const { features, classes, hidden, activation, dropout = 0 } = options
  if (kind === 'mlp' && dropout > 0)
    throw new UsageError('train', `--dropout is for --model cnn; the mlp has no dropout (got ${dropout})`)
  if (kind === 'mlp') return fromMlp(mlp([features, ...hidden, classes] as readonly number[], { activation }))
  const side = Math.round(Math.sqrt(features))
  if (side * side !== features || side < 16)
    throw new UsageError(
      'train',
      `--model cnn reads each row as a square image of at least 16×16 pixels (two 5×5 convolutions, each pooled by 2), but the rows have ${features} features`,
    )
  return fromCnnConfig({ inputShape: [1, side, side], classes, hidden, activation, dropout })
}

/** The classifier a saved configuration describes. */
const classifierFromConfig = (config: MlpConfig | CnnConfig): Classifier =>
  config.kind === 'cnn' ? fromCnnConfig(config) : fromMlp(mlpFromConfig(config))

/**
 * Mean softmax cross-entropy of the network on a batch of rows and integer labels.
 * @example
 * import { key, tensor } from 'nabla'
 * import { classifierFor, classifierLoss } from './model.js'
 * const net = classifierFor('mlp', { features: 2, classes: 2, hidden: [3], activation: 'relu' })
 * const params = net.init(key(0))
 * const loss = classifierLoss(net)(params, { x: tensor([[0.5, -1]]), y: tensor([1]) })
 */
export const classifierLoss = (net: Classifier) => (params: Params, batch: { x: AnyTensor; y: AnyTensor }) =>
  softmaxCrossEntropy(
    net.apply(params, batch.x) as AnyTensor<[number, number]>,
    batch.y as AnyTensor<[number]>,
  )

/**
 * Writes the parameters and the run description to `file` (atomically).
 * @example
 * import { key } from 'nabla'
 * import { classifierFor, saveRun } from './model.js'
 * const net = classifierFor('mlp', { features: 4, classes: 3, hidden: [16], activation: 'relu' })
 * saveRun('runs/iris/params.json', net.init(key(0)), {
 *   model: net.config,
 *   data: { name: 'iris', seed: 0 },
 *   classes: ['setosa', 'versicolor', 'virginica'],
 * })
 */
export const saveRun = (file: string, params: Params, info: RunInfo): void => {
  saveParams(file, params, { metadata: { [runKey]: JSON.stringify(info) } })
}

/**
 * Reads a run file: the network rebuilt from its configuration and the parameters checked against
 * it (every shape and dtype). Problems are `FileError`s and `DecodeError`s naming what is wrong.
 * Nothing is built before the sizes the configuration describes are checked against the memory
 * budget (a `ResourceError`) and against the file's own tensors (see `runCheck.ts`).
 * @example
 * import { loadRun } from './model.js'
 * const { net, params, info } = loadRun('runs/mnist/params.json')
 */
export const loadRun = (file: string): { net: Classifier; params: Params; info: RunInfo } => {
  try {
    return readRun('loadRun', file)
  } catch (error) {
    // every decode and budget error names the file
    if (error instanceof NablaError && error.message.includes(file)) throw error
    if (error instanceof DecodeError) throw decodeErrorInFile(file, error)
    if (error instanceof ResourceError) throw resourceErrorIn(error.op, error, file)
    throw error
  }
}

const readRun = (op: string, file: string): { net: Classifier; params: Params; info: RunInfo } => {
  const bytes = readFileChecked(op, file)
  const parsed = parseJSON(op, bytes.toString('utf8'))
  if (E.isLeft(parsed)) throw parsed.left
  const decoded = paramsFileCodec().decode(parsed.right)
  if (E.isLeft(decoded)) throw paramsDecodeError(op, decoded.left)
  const description = decoded.right.metadata[runKey]
  if (description === undefined)
    throw new DecodeError(
      op,
      `${file} has no '${runKey}' metadata: it was not written by nabla train`,
      'metadata',
    )
  const infoJSON = parseJSON(op, description)
  if (E.isLeft(infoJSON)) throw new DecodeError(op, `${file}: metadata.${runKey} is not JSON`, 'metadata')
  const info = runInfoCodec.decode(infoJSON.right)
  if (E.isLeft(info))
    throw new DecodeError(op, `${file}: metadata.${runKey} is not a run description`, `metadata.${runKey}`)
  const config = info.right.model as MlpConfig | CnnConfig
  const described = checkRunSizes(op, file, config, decoded.right.params)
  const net = classifierFromConfig(config)
  const params = decodeParams(parsed.right, describedTemplate(described) as Template, op)
  if (E.isLeft(params)) throw params.left
  return { net, params: params.right as unknown as Params, info: info.right as RunInfo }
}
