/**
 * `nabla predict --params FILE --input FILE`: classifies rows of features with a trained run and
 * prints one JSON object per row: the row index, the predicted class index and name, and its
 * softmax probability. The input is JSON (an array of rows, or one row, of numbers) or, for a
 * `.csv` file, one row per line with comma- or space-separated numbers.
 *
 * @module cli/predict
 */
import * as fs from 'node:fs'
import { toFlat } from '../io/index.js'
import { standardiseRows } from '../models/data/index.js'
import { readFileChecked } from '../models/fs.js'
import { predictedClasses } from '../models/metrics.js'
import { DecodeError, fromArrayOrThrow, softmax, type Tensor } from '../tensor/index.js'
import { parseFlags, UsageError } from './args.js'
import { loadRun } from './model.js'

/**
 * The help text of `nabla predict`.
 * @example
 * import { predictHelp } from './predict.js'
 * process.stdout.write(predictHelp)
 */
export const predictHelp = `Usage: nabla predict --params FILE --input FILE|ROWS

Classifies rows of features with a run written by nabla train (applying the standardisation saved
with the run; the run file is checked before anything is built: the model it describes must fit
the memory budget (NABLA_MEMORY_BUDGET) and match the tensors it holds); prints one JSON line per
row:
{"row":0,"class":7,"label":"7","probability":0.998}

Options:
  --params FILE         the params.json of a run (required)
  --input FILE|ROWS     the rows: JSON ([[...], ...] or one row [...]) or .csv (one row per line,
                        a header line allowed), or the numbers themselves: 5.1,3.5,1.4,0.2
                        (rows separated by ;)
  -h, --help            show this help
`

/**
 * Rows of numbers from the text of a JSON or CSV input file; anything else is a DecodeError.
 * @example
 * import { parseRows } from './predict.js'
 * parseRows('[[0.1, 0.2]]', 'rows.json', 2) // [[0.1, 0.2]]
 */
export const parseRows = (text: string, file: string, features: number): number[][] => {
  const op = 'predict'
  let rows: unknown
  if (file.toLowerCase().endsWith('.csv')) {
    const lines = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split(/[\s,]+/))
    // a first line with a word that is not a number is a header (column names), not a row
    const isHeader = (cells: readonly string[]) => cells.some((v) => v !== '' && Number.isNaN(Number(v)))
    rows = (lines.length > 0 && isHeader(lines[0]!) ? lines.slice(1) : lines).map((cells) =>
      cells.map((v) => (v === '' ? Number.NaN : Number(v))),
    )
  } else {
    try {
      rows = JSON.parse(text)
    } catch (error) {
      throw new DecodeError(
        op,
        `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
    if (Array.isArray(rows) && rows.every((v) => typeof v === 'number')) rows = [rows]
  }
  if (!Array.isArray(rows) || rows.length === 0)
    throw new DecodeError(op, `${file} must hold a non-empty array of rows of ${features} numbers`)
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== features)
      throw new DecodeError(
        op,
        `${file}: row ${i} has ${Array.isArray(row) ? row.length : 'no'} values; the model takes ${features} features`,
        `[${i}]`,
      )
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new DecodeError(op, `${file}: row ${i}, value ${j} is not a finite number`, `[${i}][${j}]`)
    })
  })
  return rows as number[][]
}

/**
 * Whether `--input` holds the rows themselves (`5.1,3.5,1.4,0.2`, rows separated by `;`) rather
 * than naming a file: only numbers, commas, spaces and semicolons, and no such file exists.
 * @example
 * import { isInlineRows } from './predict.js'
 * isInlineRows('5.1,3.5,1.4,0.2') // true
 */
export const isInlineRows = (input: string): boolean =>
  /^[\d\s,;.eE+-]+$/.test(input) && /\d/.test(input) && !fs.existsSync(input)

/**
 * `nabla predict`; returns the exit status.
 * @example
 * import { runPredict } from './predict.js'
 * await runPredict(['--params', 'runs/mnist/params.json', '--input', 'digits.json'])
 */
export const runPredict = async (argv: readonly string[]): Promise<number> => {
  const command = 'predict'
  const { values } = parseFlags(command, argv, {
    params: { type: 'string' },
    input: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help === true) {
    process.stdout.write(predictHelp)
    return 0
  }
  const file = values.params as string | undefined
  const input = values.input as string | undefined
  if (file === undefined) throw new UsageError(command, '--params FILE is required')
  if (input === undefined) throw new UsageError(command, '--input FILE is required')
  const { net, params, info } = loadRun(file)
  const features = net.features
  const raw = isInlineRows(input)
    ? parseRows(input.replaceAll(';', '\n'), 'input.csv', features)
    : parseRows(readFileChecked(command, input).toString('utf8'), input, features)
  // the model was trained on standardised features: new rows go through the same statistics
  const rows = info.standardisation === undefined ? raw : standardiseRows(raw, info.standardisation)
  const x = fromArrayOrThrow(rows.flat(), [rows.length, features]) as Tensor<[number, number], 'float32'>
  const logits = net.apply(params, x)
  const classes = predictedClasses(logits)
  const probabilities = toFlat(softmax(logits))
  const width = net.classes
  const lines = classes.map((c, row) =>
    JSON.stringify({
      row,
      class: c,
      label: info.classes[c] ?? String(c),
      probability: probabilities[row * width + c],
    }),
  )
  process.stdout.write(`${lines.join('\n')}\n`)
  return 0
}
