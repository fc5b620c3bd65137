/** Milliseconds between progress lines of a long check (a variable so tests can shorten it). */
let progressEvery = 2000

/**
 * Sets how often a long check reports progress (milliseconds); tests use 0.
 * @example
 * import { setProgressInterval } from './gradcheck.js'
 * setProgressInterval(0)
 */
export const setProgressInterval = (ms: number): void => {
  progressEvery = ms
}

/**
 * `nabla gradcheck`: checks the gradient of the training loss of the CLI's model with finite
 * differences (`checkGrads`, in float64) on a small batch of a dataset, one parameter at a time,
 * and prints the worst relative error per parameter. Exit status 1 when any derivative disagrees.
 *
 * @module cli/gradcheck
 */

import { takeRows } from '../models/data/dataset.js'
import type { MlpConfig } from '../models/layers.js'
import { softmaxCrossEntropy } from '../models/losses.js'
import { foldIn, key, permutation, split } from '../models/random/index.js'
import { layerFromConfig } from '../models/registry/index.js'
import { type AnyTensor, cast, formatShape } from '../tensor/index.js'
import { checkGrads } from '../testing/check.js'
import { flatten, leafPaths, type Pytree, unflatten } from '../tree/index.js'
import { activationFlag, integer, oneOf, parseFlags, positiveInteger, sizeList } from './args.js'
import { type DataSource, datasetArgument, defaultsFor, loadDataset } from './datasets.js'
import { recipeConfig } from './model.js'

/**
 * The help text of `nabla gradcheck`.
 * @example
 * import { gradcheckHelp } from './gradcheck.js'
 * process.stdout.write(gradcheckHelp)
 */
export const gradcheckHelp = `Usage: nabla gradcheck [options]

Compares the gradient of the model's training loss (softmax cross-entropy of an MLP) with central
finite differences in float64, on a small batch, and prints the worst relative error per parameter.

Options:
  --dataset NAME        mnist (default), mnist-idx DIR, iris, spirals, xor
  --hidden SIZES        hidden layer sizes, comma-separated (mnist: 128)
  --activation NAME     relu (default), tanh, sigmoid, softplus, leakyRelu
  --batch N             rows in the batch (default 8)
  --mode MODE           random (default: random directions, any size) or full (whole Jacobian)
  --seed N              seed of the data, the weights and the directions (default 0)
  -h, --help            show this help
`

/**
 * `nabla gradcheck`; returns the exit status.
 * @example
 * import { runGradcheck } from './gradcheck.js'
 * await runGradcheck(['--dataset', 'iris', '--mode', 'full'])
 */
export const runGradcheck = async (argv: readonly string[]): Promise<number> => {
  const command = 'gradcheck'
  const { values, positionals } = parseFlags(
    command,
    argv,
    {
      dataset: { type: 'string' },
      hidden: { type: 'string' },
      activation: { type: 'string' },
      batch: { type: 'string' },
      mode: { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  )
  if (values.help === true) {
    process.stdout.write(gradcheckHelp)
    return 0
  }
  const str = (name: string): string | undefined => values[name] as string | undefined
  const { name, dir } = datasetArgument(command, str('dataset'), str('data-dir'), positionals)
  const hidden =
    str('hidden') === undefined ? defaultsFor(name).hidden : sizeList(command, 'hidden', str('hidden')!)
  const activation = activationFlag(command, str('activation'))
  const batch = str('batch') === undefined ? 8 : positiveInteger(command, 'batch', str('batch')!)
  const mode = oneOf(command, 'mode', str('mode') ?? 'random', ['random', 'full'] as const)
  const seed = str('seed') === undefined ? 0 : integer(command, 'seed', str('seed')!)
  const source: DataSource = { name, seed, ...(dir === undefined ? {} : { dir }) }

  const data = loadDataset(command, source)
  const rows = data.xTrain.shape[0]!
  const [initKey, rowKey] = split(foldIn(key(seed), 3))
  const picked = permutation(rowKey, rows).slice(0, Math.min(batch, rows))
  const x = cast(takeRows(data.xTrain, picked), 'float64')
  const y = cast(takeRows(data.yTrain, picked), 'float64')
  // the --model mlp recipe, in float64, built by the layer registry
  const config: MlpConfig = {
    ...(recipeConfig('mlp', {
      features: data.xTrain.shape[1]!,
      classes: data.classes.length,
      hidden,
      activation,
    }) as MlpConfig),
    dtype: 'float64',
  }
  const net = layerFromConfig(config)
  const params = net.init(initKey) as Pytree
  const loss = (p: Pytree, b: { x: AnyTensor; y: AnyTensor }) =>
    softmaxCrossEntropy(net.apply(p, b.x as never) as AnyTensor<[number, number]>, b.y as AnyTensor<[number]>)
  const [leaves, def] = flatten(params)
  const paths = leafPaths(def, 'params')
  process.stdout.write(
    `nabla gradcheck: mlp ${config.sizes.join('-')} ${activation} on ${name}, batch of ${picked.length}, float64, ${mode} mode\n`,
  )
  let failures = 0
  leaves.forEach((leaf, i) => {
    // the loss as a function of this leaf alone, the others held fixed
    const f = (t: AnyTensor) =>
      loss(
        unflatten(
          def,
          leaves.map((l, j) => (j === i ? t : l)),
        ),
        { x, y },
      )
    // full mode takes one pair of forward passes per weight: report progress every few seconds
    let reported = performance.now()
    const started = reported
    const onProgress = (done: number, total: number) => {
      const now = performance.now()
      if (now - reported < progressEvery || done === total) return
      reported = now
      process.stderr.write(
        `  ${paths[i]}: ${done} of ${total} weights checked (${((100 * done) / total).toFixed(1)}%, ${((now - started) / 1000).toFixed(0)} s)\n`,
      )
    }
    const result = checkGrads(f, leaf, { modes: [mode], directions: 3, seed: seed + i, onProgress })
    if (!result.ok) failures++
    const worst = result.worst?.relativeError ?? 0
    process.stdout.write(
      `  ${paths[i]!.padEnd(14)} ${formatShape(leaf.shape).padEnd(10)} worst relative error ${worst.toExponential(2)}  ${result.ok ? 'ok' : `FAILED (${result.failures.length} of ${result.checked})`}\n`,
    )
  })
  process.stdout.write(
    failures === 0
      ? 'all gradients agree with finite differences (rtol 1e-5, atol 1e-6)\n'
      : `${failures} of ${leaves.length} parameters have gradients that disagree with finite differences\n`,
  )
  return failures === 0 ? 0 : 1
}
