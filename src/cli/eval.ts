/**
 * `nabla eval --params FILE`: evaluates a trained run on its test set (rebuilt from the run's data
 * source, so the split is the one it was trained against) and prints the test loss, the accuracy
 * and the confusion matrix.
 *
 * @module cli/eval
 */

import { item } from '../io/index.js'
import { softmaxCrossEntropy } from '../models/losses.js'
import { accuracy, confusionMatrix } from '../models/metrics.js'
import type { Tensor } from '../tensor/index.js'
import { integer, oneOf, parseFlags, UsageError } from './args.js'
import {
  type DataSource,
  type DatasetEntry,
  type DatasetName,
  datasetNames,
  datasets,
  loadDataset,
} from './datasets.js'
import { loadRun, logitsInChunks } from './model.js'
import { evalDataSource } from './runCheck.js'

/**
 * The help text of `nabla eval`.
 * @example
 * import { evalHelp } from './eval.js'
 * process.stdout.write(evalHelp)
 */
export const evalHelp = `Usage: nabla eval --params FILE [options]

Evaluates a run written by nabla train on the test set of its dataset. The run file is checked
before anything is built: the model it describes must fit the memory budget (NABLA_MEMORY_BUDGET)
and match the tensors the file holds.

Options:
  --params FILE         the params.json of a run (required)
  --dataset NAME        evaluate on another dataset of the same shape: mnist, mnist-idx DIR, iris,
                        spirals, xor (default: the run's own)
  --data-dir DIR        the directory of the IDX files (mnist-idx). A run file records the
                        directory it was trained on, but eval never reads a directory named only
                        in a run file (the file may come from anyone): give it here
  --seed N              the split seed (default: the run's own)
  --json                print the result as JSON
  -h, --help            show this help
`

/**
 * `nabla eval`; returns the exit status.
 * @example
 * import { runEval } from './eval.js'
 * await runEval(['--params', 'runs/mnist/params.json', '--json'])
 */
export const runEval = async (argv: readonly string[]): Promise<number> => {
  const command = 'eval'
  const { values, positionals } = parseFlags(
    command,
    argv,
    {
      params: { type: 'string' },
      dataset: { type: 'string' },
      'data-dir': { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  )
  if (values.help === true) {
    process.stdout.write(evalHelp)
    return 0
  }
  const str = (name: string): string | undefined => values[name] as string | undefined
  const file = str('params')
  if (file === undefined) throw new UsageError(command, '--params FILE is required')
  const { net, params, info } = loadRun(file)
  const name =
    str('dataset') === undefined
      ? info.data.name
      : oneOf<DatasetName>(command, 'dataset', str('dataset')!, datasetNames)
  const dir = str('data-dir') ?? (name === 'mnist-idx' ? positionals[0] : undefined)
  const seed = str('seed') === undefined ? undefined : integer(command, 'seed', str('seed')!)
  const source: DataSource = evalDataSource(
    command,
    info.data,
    { name, ...(dir === undefined ? {} : { dir }), ...(seed === undefined ? {} : { seed }) },
    net.features,
    (datasets[name] as DatasetEntry).needsDir === true,
  )
  const data = loadDataset(command, source)
  if (data.xTest.shape[1] !== net.features || data.classes.length !== net.classes)
    throw new UsageError(
      command,
      `the model takes ${net.features} features and predicts ${net.classes} classes, but ${name} has ${data.xTest.shape[1]} features and ${data.classes.length} classes`,
    )
  const logits = logitsInChunks(net, params, data.xTest)
  const result = {
    dataset: name,
    testRows: data.xTest.shape[0]!,
    testLoss: item(softmaxCrossEntropy(logits as Tensor<[number, number]>, data.yTest as Tensor<[number]>)),
    testAccuracy: accuracy(logits, data.yTest),
    confusionMatrix: confusionMatrix(logits, data.yTest),
    classes: data.classes,
  }
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(result)}\n`)
    return 0
  }
  const width = Math.max(5, ...result.confusionMatrix.flat().map((n) => String(n).length + 1))
  const cell = (s: string) => s.padStart(width)
  const lines = [
    `nabla eval: ${net.description} on ${name}, ${result.testRows} test rows`,
    `test loss ${result.testLoss.toFixed(4)}  test accuracy ${(100 * result.testAccuracy).toFixed(2)}% (${Math.round(result.testAccuracy * result.testRows)}/${result.testRows})`,
    'confusion matrix (rows: true class, columns: predicted):',
    `${cell('')}${data.classes.map((c) => cell(c.slice(0, width - 1))).join('')}`,
    ...result.confusionMatrix.map(
      (row, i) => `${cell(data.classes[i]!.slice(0, width - 1))}${row.map((n) => cell(String(n))).join('')}`,
    ),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  return 0
}
