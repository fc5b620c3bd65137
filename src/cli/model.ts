/**
 * The model the CLI trains (an `mlp` classifier) and the run file that holds it: `params.json`,
 * nabla's parameter format, whose string metadata `nabla-run` records the model configuration,
 * the data source and the class names (JSON), so `eval` and `predict` need nothing but that file.
 *
 * @module cli/model
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Standardisation } from '../models/data/index.js'
import { readFileChecked } from '../models/fs.js'
import { type Mlp, type MlpConfig, type MlpParams, mlpFromConfig } from '../models/layers.js'
import { softmaxCrossEntropy } from '../models/losses.js'
import { key } from '../models/random.js'
import { decodeParams, paramsDecodeError, paramsFileCodec, parseJSON } from '../models/serialize/index.js'
import { saveParams } from '../node.js'
import { DecodeError, type Tensor } from '../tensor/index.js'
import type { DataSource } from './datasets.js'
import { datasetNames } from './datasets.js'

/**
 * What a run file records besides the parameters.
 * @example
 * import { loadRun } from './model.js'
 * loadRun('runs/mnist/params.json').info.data // { name: 'mnist', seed: 0 }
 */
export interface RunInfo {
  readonly model: MlpConfig
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
  model: t.type({
    kind: t.literal('mlp'),
    sizes: t.array(t.number),
    activation: t.string,
    outputActivation: t.string,
    initializer: t.string,
  }),
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
export type Params = MlpParams<readonly number[], 'float32'>

/**
 * Mean softmax cross-entropy of the network on a batch of rows and integer labels.
 * @example
 * import { key, mlp, tensor } from 'nabla'
 * import { classifierLoss } from './model.js'
 * const net = mlp([2, 3, 2] as readonly number[])
 * const params = net.init(key(0))
 * const loss = classifierLoss(net)(params, { x: tensor([[0.5, -1]]), y: tensor([1]) })
 */
export const classifierLoss =
  (net: Mlp) =>
  <D extends 'float32' | 'float64'>(
    params: MlpParams<readonly number[], D>,
    batch: { x: Tensor; y: Tensor },
  ) =>
    softmaxCrossEntropy(
      net.apply(params)(batch.x as Tensor<[number, number], D>),
      batch.y as Tensor<[number]>,
    )

/**
 * Writes the parameters and the run description to `file` (atomically).
 * @example
 * import { key, mlp } from 'nabla'
 * import { saveRun } from './model.js'
 * const net = mlp([4, 16, 3] as readonly number[])
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
 * @example
 * import { loadRun } from './model.js'
 * const { net, params, info } = loadRun('runs/mnist/params.json')
 */
export const loadRun = (file: string): { net: Mlp; params: Params; info: RunInfo } => {
  const op = 'loadRun'
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
  const net = mlpFromConfig(info.right.model as MlpConfig)
  const params = decodeParams(parsed.right, net.init(key(0)), op)
  if (E.isLeft(params)) throw params.left
  return { net, params: params.right as unknown as Params, info: info.right as RunInfo }
}
