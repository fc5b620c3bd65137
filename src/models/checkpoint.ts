/**
 * Checkpoint files: everything `fit` needs to resume a run bit for bit — parameters, optimizer
 * state, steps done, the shuffling key and the current epoch's running loss — in one nabla
 * parameter file (JSON). The tensors go in the parameter tree `{ params, state }`; the rest in the
 * string metadata `nabla-checkpoint`. Writes are atomic (temporary file + rename), so a crash while
 * saving leaves the previous checkpoint intact. Float32 and float64 values survive the JSON round
 * trip exactly.
 *
 * @example
 * import { adam, fit, type FitOptions, key, mlp, mse, tensor } from 'nabla'
 * import { loadCheckpoint, saveCheckpoint } from 'nabla/node'
 * const net = mlp([2, 8, 1])
 * const params = net.init(key(0))
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
 * const y = tensor([[0], [1], [1], [0]])
 * const options: FitOptions<typeof params, typeof x, typeof y> = {
 *   params, optimizer: adam(1e-2), loss: (p, b) => mse(net.apply(p, b.x), b.y),
 *   train: { x, y }, epochs: 5, batchSize: 2, key: key(1),
 * }
 * fit({ ...options, onEpoch: (info) => { saveCheckpoint('run/checkpoint.json', info.checkpoint) } })
 * // later, after a crash:
 * const resume = loadCheckpoint('run/checkpoint.json', { params: options.params, state: options.optimizer.init(options.params) })
 * fit({ ...options, resume })
 *
 * @module checkpoint
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { DecodeError, ResourceError, resourceErrorIn } from '../tensor/internal.js'
import type { Pytree } from '../tree/index.js'
import { readFileChecked } from './fs.js'
import type { OptState } from './optim/types.js'
import { keyData, wrapKey } from './random/index.js'
import { decodeErrorInFile, saveParams } from './serialize/files.js'
import { paramsDecodeError, paramsFileCodec, parseJSON } from './serialize/index.js'
import type { ParamTree, Template } from './serialize/tree.js'
import type { Checkpoint } from './train/index.js'

/**
 * The metadata key of the checkpoint's scalars.
 * @example
 * import { readFileSync } from 'node:fs'
 * import { checkpointKey } from './checkpoint.js'
 * const text = readFileSync('run/checkpoint.json', 'utf8')
 * JSON.parse(JSON.parse(text).metadata[checkpointKey]).step
 */
export const checkpointKey = 'nabla-checkpoint'

const word = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, 'uint32')
const scalarsCodec = t.type({
  step: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'step'),
  key: t.tuple([word, word]),
  epochLossSum: t.number,
  epochExamples: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'examples'),
})

/**
 * Writes a checkpoint to `file` atomically (nabla's JSON parameter format).
 * @example
 * import { adam, key, mlp } from 'nabla'
 * import { saveCheckpoint } from 'nabla/node'
 * const params = mlp([2, 8, 1]).init(key(0))
 * const state = adam(1e-3).init(params)
 * saveCheckpoint('run/checkpoint.json', { params, state, step: 0, key: key(1) })
 */
export const saveCheckpoint = <P extends Pytree>(file: string, checkpoint: Checkpoint<P>): void => {
  const scalars = {
    step: checkpoint.step,
    key: keyData(checkpoint.key),
    epochLossSum: checkpoint.epochLossSum ?? 0,
    epochExamples: checkpoint.epochExamples ?? 0,
  }
  saveParams(file, { params: checkpoint.params, state: checkpoint.state } as ParamTree, {
    format: 'json',
    metadata: { [checkpointKey]: JSON.stringify(scalars) },
  })
}

/**
 * Reads a checkpoint written by `saveCheckpoint`. The template (fresh parameters and
 * `optimizer.init(params)`) fixes the structure, shapes and dtypes; any difference, or missing or
 * malformed metadata, is a `DecodeError` naming the path (a `FileError` when the file cannot be read,
 * a `ResourceError` naming the file and the size when a tensor is over the memory budget).
 * @example
 * import { adam, key, mlp } from 'nabla'
 * import { loadCheckpoint } from 'nabla/node'
 * const params = mlp([2, 8, 1]).init(key(0))
 * const optimizer = adam(1e-3)
 * const resume = loadCheckpoint('run/checkpoint.json', { params, state: optimizer.init(params) })
 */
export const loadCheckpoint = <P extends Pytree>(
  file: string,
  template: { readonly params: P; readonly state: OptState },
): Checkpoint<P> => {
  const op = 'loadCheckpoint'
  const parsed = parseJSON(op, readFileChecked(op, file).toString('utf8'))
  if (E.isLeft(parsed)) throw decodeErrorInFile(file, parsed.left)
  let decoded: ReturnType<ReturnType<typeof paramsFileCodec>['decode']>
  try {
    decoded = paramsFileCodec(template as unknown as Template).decode(parsed.right)
  } catch (error) {
    throw error instanceof ResourceError ? resourceErrorIn(op, error, file) : error
  }
  if (E.isLeft(decoded)) throw decodeErrorInFile(file, paramsDecodeError(op, decoded.left))
  const text = decoded.right.metadata[checkpointKey]
  if (text === undefined)
    throw new DecodeError(
      op,
      `${file} has no '${checkpointKey}' metadata: it is not a checkpoint`,
      'metadata',
    )
  const json = parseJSON(op, text)
  const scalars = E.isLeft(json) ? json : E.right(scalarsCodec.decode(json.right))
  if (E.isLeft(scalars) || E.isLeft(scalars.right))
    throw new DecodeError(
      op,
      `${file}: metadata.${checkpointKey} must be { step, key: [hi, lo], epochLossSum, epochExamples }`,
      `metadata.${checkpointKey}`,
    )
  const s = scalars.right.right
  const tree = decoded.right.params as unknown as { params: P; state: OptState }
  return {
    params: tree.params,
    state: tree.state,
    step: s.step,
    key: wrapKey(s.key),
    epochLossSum: s.epochLossSum,
    epochExamples: s.epochExamples,
  }
}
