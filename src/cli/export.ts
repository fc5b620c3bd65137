/**
 * `nabla export --params FILE --out FILE`: writes the trained model of a run as an ONNX model
 * (input `input0`: a batch of feature rows, output `output0`: the class probabilities), through
 * `exportOnnx`, so it runs in ONNX Runtime and the tools around it.
 *
 * @module cli/export
 */
import { writeFileSync } from 'node:fs'
import { exportOnnx } from '../jit/index.js'
import { ArgumentError, softmax, type Tensor, zeros } from '../tensor/index.js'
import { parseFlags, positiveInteger, UsageError } from './args.js'
import { loadRun } from './model.js'

/**
 * The help text of `nabla export`.
 * @example
 * import { exportHelp } from './export.js'
 * process.stdout.write(exportHelp)
 */
export const exportHelp = `Usage: nabla export --params FILE --out FILE [--batch N]

Writes the model of a run written by nabla train as ONNX (opset 13): input "input0" of shape
[N, features], output "output0" of shape [N, classes] holding the softmax probabilities.

Options:
  --params FILE         the params.json of a run (required)
  --out FILE            where to write the .onnx model (required)
  --batch N             the batch size the model takes (default 1)
  -h, --help            show this help
`

/**
 * `nabla export`; returns the exit status.
 * @example
 * import { runExport } from './export.js'
 * await runExport(['--params', 'runs/mnist/params.json', '--out', 'model.onnx'])
 */
export const runExport = async (argv: readonly string[]): Promise<number> => {
  const command = 'export'
  const { values } = parseFlags(command, argv, {
    params: { type: 'string' },
    out: { type: 'string' },
    batch: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help === true) {
    process.stdout.write(exportHelp)
    return 0
  }
  const file = values.params as string | undefined
  const out = values.out as string | undefined
  if (file === undefined) throw new UsageError(command, '--params FILE is required')
  if (out === undefined) throw new UsageError(command, '--out FILE is required')
  const batch = values.batch === undefined ? 1 : positiveInteger(command, 'batch', values.batch as string)
  const { net, params } = loadRun(file)
  const features = net.features
  const predict = (x: Tensor<[number, number], 'float32'>) => softmax(net.apply(params, x), -1)
  const bytes = exportOnnx(predict, zeros([batch, features]))
  try {
    writeFileSync(out, bytes)
  } catch (error) {
    throw new ArgumentError(
      command,
      `cannot write ${out}: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  process.stdout.write(`wrote ${out} (${bytes.length} bytes, ONNX opset 13, input [${batch},${features}])\n`)
  return 0
}
