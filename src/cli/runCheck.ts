/**
 * Checks on a run file (`params.json` of `nabla train`) made before anything is built from it. A
 * run file comes from anyone: its model configuration could describe a network of any size, so
 * `loadRun` first works out, by arithmetic alone, the parameter shapes (and, for a `cnn`, the
 * feature maps of one image) that the configuration describes, checks their size against the
 * memory budget (a `ResourceError` naming the size) and compares them with the tensors the file
 * itself holds (a `DecodeError` naming the first difference). Only then is the model built.
 *
 * The data a run names is not trusted either: `evalDataSource` never reads a directory written in
 * a run file (only one given on the command line), and checks the run's data sizes against the
 * budget before generating them.
 *
 * @module cli/runCheck
 */
import type { LayerConfig } from '../models/layer.js'
import { describeLayerConfig } from '../models/registry/index.js'
import type { ParamTree } from '../models/serialize/index.js'
import { paramLeaves, templateLeaves } from '../models/serialize/tree.js'
import {
  ArgumentError,
  bytesPerElement,
  checkBudget,
  DecodeError,
  formatBytes,
  shapesEqual,
} from '../tensor/internal.js'
import type { DataSource } from './datasets.js'

/** The tensors a configuration describes: parameters (as a template) and its feature maps. */
export interface DescribedModel {
  /** The configuration, decoded by the layer registry. */
  readonly config: LayerConfig
  /** The parameter template (`{ shape, dtype }` specs nested as the model's `init` nests them). */
  readonly template: unknown
  /** The parameters, each with its dotted name (`0.w`, `conv.1.b`). */
  readonly params: readonly DescribedTensor[]
  /** Feature maps the model computes for one example (`[C, H, W]` after each block of a cnn). */
  readonly featureMaps: readonly DescribedTensor[]
  /** What the model gives for one example (`[classes]` for a classifier). */
  readonly outputShape: readonly number[]
}

/** One tensor of a described model: its dotted name (`layers.0.w`), shape and dtype. */
export interface DescribedTensor {
  readonly name: string
  readonly shape: readonly number[]
  readonly dtype: 'float32' | 'float64'
}

/**
 * The tensors a run's model configuration describes, worked out by the layer registry without
 * building anything (src/models/registry: each kind's shape arithmetic): an `mlp` of sizes
 * `[n0, n1, …]` has `i.w` of `[n_i, n_i+1]` and `i.b` of `[n_i+1]`; a `cnn` has `conv.i.w`
 * `[out, in, k, k]` and `conv.i.b` per block, then `dense.i.w`/`dense.i.b`; a `sequential` has its
 * layers' parameters under `0`, `1`, …. Anything that is not a registered configuration — a size
 * that is not a positive integer, an unknown kind or field, images too small for the blocks,
 * layers that do not fit — is a `DecodeError` naming the field.
 * @example
 * import { describedModel } from './runCheck.js'
 * const m = describedModel('loadRun', 'runs/x/params.json', {
 *   kind: 'mlp', sizes: [4, 16, 3], activation: 'relu', outputActivation: 'identity', initializer: 'heUniform',
 * })
 * m.params.map((t) => `${t.name} [${t.shape}]`) // ['0.w [4,16]', '0.b [16]', '1.w [16,3]', '1.b [3]']
 */
export const describedModel = (op: string, file: string, config: unknown): DescribedModel => {
  const described = describeLayerConfig(config, {
    op,
    label: `${file}: the run's model`,
    path: 'metadata.nabla-run.model',
  })
  const { params, featureMaps, outputShape } = described.shapes
  return {
    outputShape,
    config: described.config,
    template: params,
    params: templateLeaves(op, params).map((leaf) => ({
      name: leaf.segments.join('.'),
      shape: leaf.value.shape,
      dtype: leaf.value.dtype ?? 'float32',
    })),
    featureMaps,
  }
}

const formatShape = (shape: readonly number[]): string => `[${shape.join(',')}]`
const bytesOf = (t: DescribedTensor): number => t.shape.reduce((a, b) => a * b, 1) * bytesPerElement(t.dtype)

/**
 * Checks what a run's configuration describes before anything is built: each feature map of one
 * example, and the parameters together, against the memory budget (a `ResourceError` naming the
 * size), then every parameter against the tensor of the same name in the file (a `DecodeError`
 * naming the first difference). Returns the described model, whose `template` decodes the file.
 * @example
 * import { zeros } from 'nabla'
 * import { checkRunSizes } from './runCheck.js'
 * const config = { kind: 'mlp', sizes: [2, 1], activation: 'relu', outputActivation: 'identity', initializer: 'heUniform' } as const
 * checkRunSizes('loadRun', 'p.json', config, [{ w: zeros([2, 1]), b: zeros([1]) }]) // fine
 */
export const checkRunSizes = (
  op: string,
  file: string,
  value: unknown,
  fileParams: ParamTree,
): DescribedModel => {
  const model = describedModel(op, file, value)
  const { config } = model
  if (model.outputShape.length !== 1)
    throw new DecodeError(
      op,
      `${file}: the run's model gives ${formatShape(model.outputShape)} per example, but a classifier gives one score per class ([classes])`,
      'metadata.nabla-run.model',
    )
  const largest = model.params.reduce<DescribedTensor | undefined>(
    (a, b) => (a === undefined || bytesOf(b) > bytesOf(a) ? b : a),
    undefined,
  )
  const total = model.params.reduce((sum, t) => sum + bytesOf(t), 0)
  for (const map of model.featureMaps)
    checkBudget(
      op,
      `${file}: the ${config.kind} the run describes computes a feature map ${map.name} of shape ${formatShape(map.shape)} per image, which`,
      bytesOf(map),
    )
  checkBudget(
    op,
    `${file}: the ${config.kind} the run describes (${model.params.length} parameter tensors${largest === undefined ? '' : `, the largest ${largest.name} of shape ${formatShape(largest.shape)}`})`,
    total,
  )
  const held = new Map(
    paramLeaves(op, fileParams).map((leaf) => [leaf.segments.join('.'), leaf.value] as const),
  )
  for (const t of model.params) {
    const x = held.get(t.name)
    if (x === undefined)
      throw new DecodeError(
        op,
        `${file}: the ${config.kind} the run describes has a parameter ${t.name} of shape ${formatShape(t.shape)}, but the file holds no tensor ${t.name}`,
        `params.${t.name}`,
      )
    if (!shapesEqual(x.shape, t.shape) || x.dtype !== t.dtype)
      throw new DecodeError(
        op,
        `${file}: the ${config.kind} the run describes has a parameter ${t.name} of shape ${formatShape(t.shape)} (${t.dtype}, ${formatBytes(bytesOf(t))}), but the file's tensor ${t.name} has shape ${formatShape(x.shape)} (${x.dtype})`,
        `params.${t.name}`,
      )
  }
  const described = new Set(model.params.map((t) => t.name))
  const extra = [...held.keys()].find((name) => !described.has(name))
  if (extra !== undefined)
    throw new DecodeError(
      op,
      `${file}: the file holds a tensor ${extra} that the ${config.kind} the run describes does not have`,
      `params.${extra}`,
    )
  return model
}

/** Rows a run may ask a synthetic dataset to generate, checked against the budget (8 bytes a value). */
const checkRows = (command: string, source: DataSource, features: number): void => {
  for (const field of ['trainSize', 'testSize'] as const) {
    const n = source[field]
    if (n !== undefined && !(Number.isInteger(n) && n >= 1))
      throw new ArgumentError(command, `the run's data.${field} must be a positive integer, got ${n}`)
  }
  const rows = (source.trainSize ?? 0) + (source.testSize ?? 0)
  checkBudget(
    command,
    `the run's data (${source.name}, ${rows} rows of ${features} features and a label)`,
    rows * (features + 1) * 8,
  )
}

/**
 * The data `nabla eval` evaluates on: the run's dataset (or `--dataset`), split as in training.
 * A directory is read only when given on the command line (`--data-dir DIR`, or after
 * `--dataset mnist-idx`): a run file names a directory but comes from anyone, so the one it
 * records is only quoted in the error. The run's row counts are checked against the memory budget.
 * @example
 * import { evalDataSource } from './runCheck.js'
 * const recorded = { name: 'mnist-idx', seed: 0, dir: '/data/mnist' } as const
 * evalDataSource('eval', recorded, { name: 'mnist-idx', dir: '/data/mnist' }, 784, true)
 * // { name: 'mnist-idx', seed: 0, dir: '/data/mnist' }
 * // without the dir on the command line: ArgumentError (the run file's dir is not read)
 */
export const evalDataSource = (
  command: string,
  recorded: DataSource,
  chosen: { readonly name: DataSource['name']; readonly dir?: string; readonly seed?: number },
  features: number,
  needsDir: boolean,
): DataSource => {
  const { dir: recordedDir, ...rest } = recorded
  const source: DataSource = {
    ...(chosen.name === recorded.name ? rest : {}),
    name: chosen.name,
    seed: chosen.seed ?? recorded.seed,
    ...(chosen.dir === undefined ? {} : { dir: chosen.dir }),
  }
  if (needsDir && chosen.dir === undefined)
    throw new ArgumentError(
      command,
      `${chosen.name} reads IDX files from a directory given on the command line (--data-dir DIR); a run file's data.dir${recordedDir === undefined ? '' : ` (${JSON.stringify(recordedDir)})`} is not read, since the file may come from anyone`,
    )
  checkRows(command, source, features)
  return source
}
