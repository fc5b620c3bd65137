/**
 * The models the CLI trains, as one `Classifier` shape over any layer of the registry
 * (src/models/registry): `--model mlp` and `--model cnn` are named recipes that produce a layer
 * configuration, `--model-config FILE` reads any registered configuration (a `sequential` stack of
 * convolutions, pools, dense layers, …). The run file, `params.json`, is nabla's parameter format,
 * whose string metadata `nabla-run` records the layer configuration, the data source and the class
 * names (JSON), so `eval` and `predict` rebuild the model from the registry with nothing but that
 * file. Run files written before the registry (an `mlp` or `cnn` configuration) load unchanged:
 * both are registered kinds.
 *
 * @module cli/model
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type Standardisation, takeRows } from '../models/data/index.js'
import { readFileChecked } from '../models/fs.js'
import { type AnyLayer, isDropping, type LayerConfig } from '../models/layer.js'
import { type CnnConfig, cnn } from '../models/layers/cnn.js'
import { type MlpConfig, mlp } from '../models/layers.js'
import { softmaxCrossEntropy } from '../models/losses.js'
import type { Key } from '../models/random/index.js'
import { layerFromConfig } from '../models/registry/index.js'
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
} from '../tensor/internal.js'
import type { Pytree } from '../tree/index.js'
import { UsageError } from './args.js'
import type { DataSource } from './datasets.js'
import { datasetNames } from './datasets.js'
import { checkRunSizes } from './runCheck.js'

/**
 * What a run file records besides the parameters.
 * @example
 * import { loadRun } from './model.js'
 * loadRun('runs/mnist/params.json').info.data // { name: 'mnist', seed: 0 }
 */
export interface RunInfo {
  /** The layer configuration (any registered kind; see src/models/registry). */
  readonly model: LayerConfig
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

// the model is decoded by the layer registry (runCheck.ts), which names the field of any problem
const runInfoCodec = t.type({
  model: t.UnknownRecord,
  data: t.intersection([
    t.type({ name: t.keyof(Object.fromEntries(datasetNames.map((n) => [n, null]))), seed: t.number }),
    t.partial({ dir: t.string, trainSize: t.number, testSize: t.number }),
  ]),
  classes: t.array(t.string),
  standardisation: t.union([t.undefined, t.type({ mean: t.array(t.number), scale: t.array(t.number) })]),
})

/**
 * The network's parameters, typed loosely (sizes known at run time): a tree of tensors.
 * @example
 * import { loadRun, type Params } from './model.js'
 * const params: Params = loadRun('runs/mnist/params.json').params
 */
export type Params = Pytree

/**
 * What the CLI needs of a model: its configuration, the flat row length it reads (`features`,
 * reshaped to the layer's input shape), the number of `classes` it scores, a one-line
 * description, and logits of flat rows.
 * @example
 * import { classifierFor } from './model.js'
 * const net = classifierFor('cnn', { features: 784, classes: 10, hidden: [128], activation: 'relu' })
 * net.description // 'cnn 1×28×28 → conv 5×5 16, 32 (max-pool 2) → dense 128-10'
 */
export interface Classifier {
  readonly config: LayerConfig
  readonly features: number
  readonly classes: number
  readonly description: string
  readonly init: (k: Key) => Params
  readonly apply: (params: Params, x: AnyTensor) => AnyTensor
  /**
   * The training pass with dropout (any layer of the `Dropping` contract with masks: a cnn with a
   * dropout rate, dropout layers in a stack); absent when the model never drops.
   */
  readonly dropout?: {
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

/** A one-line summary of a configuration: the recipes' words for mlp and cnn, the kinds of a stack. */
const summary = (config: LayerConfig): string => {
  if (config.kind === 'mlp') {
    const { sizes, activation } = config as MlpConfig
    return `mlp ${sizes.join('-')} ${activation}`
  }
  if (config.kind === 'cnn') {
    const { inputShape, channels, kernel, pool, hidden, classes } = config as CnnConfig
    return `cnn ${inputShape.join('×')} → conv ${kernel}×${kernel} ${channels.join(', ')} (max-pool ${pool}) → dense ${[...hidden, classes].join('-')}`
  }
  if (config.kind === 'sequential')
    return `sequential ${(config['layers'] as readonly LayerConfig[]).map((layer) => layer.kind).join(' → ')}`
  return config.kind
}

/**
 * The classifier a layer configuration describes, for flat rows: each row is reshaped to the
 * layer's input shape, and the layer must give one score per class (`[classes]`). The
 * configuration is checked first (a `DecodeError` naming the field; see `describeLayerConfig`).
 * @example
 * import { classifierFromConfig } from './model.js'
 * const net = classifierFromConfig({ kind: 'dense', inputs: 4, outputs: 3 })
 * net.features // 4
 */
export const classifierFromConfig = (config: unknown): Classifier => {
  const layer: AnyLayer = layerFromConfig(config)
  const { inputShape, outputShape } = layer
  if (outputShape.length !== 1)
    throw new UsageError(
      'train',
      `the model must give one score per class ([classes]) for each example, but ${layer.config.kind} gives [${outputShape.join(',')}]`,
    )
  const features = inputShape.reduce((a, b) => a * b, 1)
  const shaped = (x: AnyTensor) =>
    (inputShape.length === 1 ? x : reshape(x, [x.shape[0]!, ...inputShape])) as AnyTensor<
      [number, ...number[]]
    >
  return {
    ...(isDropping(layer) && layer.maskShapes.length > 0
      ? {
          dropout: {
            masks: (k, rows) => layer.dropoutMasks(k, rows),
            apply: (params, x, masks) => layer.applyMasked(params, shaped(x), masks),
          },
        }
      : {}),
    config: layer.config,
    features,
    classes: outputShape[0]!,
    description: summary(layer.config),
    init: (k) => layer.init(k) as Params,
    apply: (params, x) => layer.apply(params, shaped(x)),
  }
}

/**
 * The model kinds `--model` chooses from: named recipes that give a layer configuration.
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

/**
 * The layer configuration of a recipe for rows of `features` numbers and `classes` classes: an
 * `mlp` of `[features, ...hidden, classes]`, or the `cnn` that reads each row as a square
 * one-channel image (784 = 28×28; other row lengths are an error naming them).
 * @example
 * import { recipeConfig } from './model.js'
 * recipeConfig('mlp', { features: 4, classes: 3, hidden: [16], activation: 'relu' }).kind // 'mlp'
 */
export const recipeConfig = (
  kind: ModelKind,
  options: {
    readonly features: number
    readonly classes: number
    readonly hidden: readonly number[]
    readonly activation: MlpConfig['activation']
    /** Dropout after each hidden layer in training (cnn only; default 0). */
    readonly dropout?: number
  },
): LayerConfig => {
  const { features, classes, hidden, activation, dropout = 0 } = options
  if (kind === 'mlp' && dropout > 0)
    throw new UsageError('train', `--dropout is for --model cnn; the mlp has no dropout (got ${dropout})`)
  if (kind === 'mlp') return mlp([features, ...hidden, classes] as readonly number[], { activation }).config
  const side = Math.round(Math.sqrt(features))
  if (side * side !== features || side < 16)
    throw new UsageError(
      'train',
      `--model cnn reads each row as a square image of at least 16×16 pixels (two 5×5 convolutions, each pooled by 2), but the rows have ${features} features`,
    )
  return cnn({ inputShape: [1, side, side], classes, hidden, activation, dropout }).config
}

/**
 * The model of a recipe (`recipeConfig`) as a classifier.
 * @example
 * import { classifierFor } from './model.js'
 * const net = classifierFor('mlp', { features: 4, classes: 3, hidden: [16], activation: 'relu' })
 */
export const classifierFor = (kind: ModelKind, options: Parameters<typeof recipeConfig>[1]): Classifier =>
  classifierFromConfig(recipeConfig(kind, options))

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
  const described = checkRunSizes(op, file, info.right.model, decoded.right.params)
  const net = classifierFromConfig(described.config)
  const params = decodeParams(parsed.right, described.template as Template, op)
  if (E.isLeft(params)) throw params.left
  return { net, params: params.right as Params, info: { ...info.right, model: described.config } as RunInfo }
}
