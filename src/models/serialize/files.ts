/**
 * Saving and loading parameters to files. The format follows the file name: `*.safetensors` is
 * safetensors, anything else nabla's JSON (override with `format`). Writes are atomic
 * (temporary file, fsync, rename; see `fs.ts`): a crash mid-save leaves the previous file intact.
 * Loading throws: a `FileError` when the file cannot be read, a `DecodeError` naming the path of
 * the first problem when its contents are wrong, a `ResourceError` naming the file, the tensor and
 * its size when a tensor (or the file itself) is over the memory budget.
 *
 * @module files
 */
import * as E from 'fp-ts/lib/Either.js'
import { ArgumentError, DecodeError, ResourceError, resourceErrorIn } from '../../tensor/internal.js'
import { readFileChecked, writeFileAtomicSync } from '../fs.js'
import { paramsFromJSON, paramsToJSON } from './json.js'
import { decodeSafetensors, encodeSafetensors } from './safetensors.js'
import type { Decoded, ParamTree, Template } from './tree.js'

/**
 * The file formats of parameters.
 * @example
 * import { zeros } from 'nabla'
 * import { saveParams } from 'nabla/node'
 * const params = { w: zeros([2, 2]) }
 * saveParams('weights.bin', params, { format: 'safetensors' })
 */
export type ParamsFileFormat = 'json' | 'safetensors'

/**
 * Options of `saveParams` and `loadParams`.
 * @example
 * import { loadParams } from 'nabla/node'
 * loadParams('weights.bin', undefined, { format: 'safetensors' })
 */
export interface ParamsFileOptions {
  /** The format (default: safetensors for `*.safetensors`, else JSON). */
  readonly format?: ParamsFileFormat
}

const formatOf = (op: string, file: string, options: ParamsFileOptions | undefined): ParamsFileFormat => {
  const format = options?.format ?? (file.toLowerCase().endsWith('.safetensors') ? 'safetensors' : 'json')
  if (format !== 'json' && format !== 'safetensors')
    throw new ArgumentError(op, `format must be 'json' or 'safetensors', got ${JSON.stringify(format)}`)
  return format
}

/**
 * The same `DecodeError` with the file named at the start of its message
 * (`loadParams: out/params.json: params.w: missing key "w" …`); the path is kept.
 * @example
 * import { DecodeError } from 'nabla'
 * import { decodeErrorInFile } from './files.js'
 * decodeErrorInFile('p.json', new DecodeError('loadParams', 'w: missing key "w"', 'w')).message
 * // 'loadParams: p.json: w: missing key "w"'
 */
export const decodeErrorInFile = (file: string, error: DecodeError): DecodeError => {
  const prefix = `${error.op}: `
  const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message
  if (detail.startsWith(`${file}: `)) return error
  return new DecodeError(error.op, `${file}: ${detail}`, error.path)
}

/**
 * Writes parameters to `file` atomically, as JSON or safetensors (see the module header), with
 * optional string metadata.
 * @example
 * import { key, mlp } from 'nabla'
 * import { saveParams } from 'nabla/node'
 * const params = mlp([784, 128, 10]).init(key(0))
 * saveParams('out/params.json', params)
 * saveParams('out/params.safetensors', params, { metadata: { sizes: '784,128,10' } })
 */
export const saveParams = (
  file: string,
  params: ParamTree,
  options?: ParamsFileOptions & { readonly metadata?: Readonly<Record<string, string>> },
): void => {
  const op = 'saveParams'
  const format = formatOf(op, file, options)
  const metadata = options?.metadata
  const bytes =
    format === 'safetensors'
      ? encodeSafetensors(params, metadata === undefined ? {} : { metadata })
      : paramsToJSON(params, metadata)
  writeFileAtomicSync(file, bytes, op)
}

/**
 * Reads parameters from `file`. With a template (e.g. freshly initialised parameters, or
 * `{ shape }` specs) the result has exactly the template's structure, shapes, dtypes and type;
 * without one it is whatever tree the file holds.
 * @example
 * import { key, mlp } from 'nabla'
 * import { loadParams } from 'nabla/node'
 * const net = mlp([784, 128, 10])
 * const params = loadParams('out/params.json', net.init(key(0))) // typed like init's result
 * const anything = loadParams('model.safetensors')                // ParamTree
 */
export function loadParams<T extends Template>(
  file: string,
  template: T,
  options?: ParamsFileOptions,
): Decoded<T>
export function loadParams(file: string, template?: Template, options?: ParamsFileOptions): ParamTree
export function loadParams(file: string, template?: Template, options?: ParamsFileOptions): ParamTree {
  const op = 'loadParams'
  const format = formatOf(op, file, options)
  const bytes = readFileChecked(op, file)
  let result: E.Either<DecodeError, ParamTree>
  try {
    if (format === 'safetensors') result = decodeSafetensors(bytes, template, { op })
    else {
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
      } catch {
        throw new DecodeError(op, `${file} is not valid UTF-8 text`)
      }
      result = paramsFromJSON(text, template, op)
    }
  } catch (error) {
    throw error instanceof ResourceError ? resourceErrorIn(op, error, file) : error
  }
  if (E.isLeft(result)) throw decodeErrorInFile(file, result.left)
  return result.right
}
