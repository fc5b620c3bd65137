/**
 * Parameters as JSON, through io-ts codecs. A file is
 * `{ "format": "nabla-params", "version": 1, "metadata"?: { … strings }, "params": … }` where
 * `params` mirrors the parameter tree (objects for records, arrays for arrays) and each tensor is
 * `{ "dtype": "float32" | "float64", "shape": [...], "data": [...] }` with row-major values.
 * JSON has no NaN, infinities or negative zero, so those values are the strings `"NaN"`,
 * `"Infinity"`, `"-Infinity"` and `"-0"`; every other value is written with the shortest decimal
 * that reads back to the same float64, so save → load is bit for bit (NaN payloads aside).
 *
 * Decoding is strict and names the path of the first problem in a `DecodeError`: malformed JSON
 * (with its position), a wrong format or version, a missing or unknown key, a non-number, a
 * data length that does not match the shape, a value that overflows float32, and — given a
 * template — a wrong shape or dtype. A tensor whose size is over the memory budget is not
 * malformed data but a resource limit: it throws a `ResourceError` naming the path and the size
 * (never a `Left`), before its values are allocated.
 *
 * @module json
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { DecodeError, isTensor, ResourceError, resourceErrorIn } from '../../tensor/internal.js'
import { describeJsonError } from './jsonSyntax.js'
import { at, contextPath, describeValue, type TensorJSONLeaf, tensorJSONCodec } from './leaf.js'
import {
  type Decoded,
  isRecord,
  isSpec,
  keyProblem,
  listNames,
  maxDepth,
  type ParamTree,
  paramLeaves,
  type Template,
  type TensorSpec,
  templateLeaves,
} from './tree.js'

/**
 * The `format` field of a nabla parameter file.
 * @example
 * import { paramsToJSON, zeros } from 'nabla'
 * import { paramsFormat } from './json.js'
 * const text = paramsToJSON({ w: zeros([1]) })
 * JSON.parse(text).format === paramsFormat // true
 */
export const paramsFormat = 'nabla-params'
/**
 * The version of the JSON format this nabla writes and reads.
 * @example
 * import { paramsToJSON, zeros } from 'nabla'
 * import { paramsVersion } from './json.js'
 * const text = paramsToJSON({ w: zeros([1]) })
 * JSON.parse(text).version === paramsVersion // true
 */
export const paramsVersion = 1

/**
 * The JSON form of a parameter tree.
 * @example
 * import type { ParamTreeJSON } from 'nabla'
 * const tree: ParamTreeJSON = { w: { dtype: 'float32', shape: [1], data: [0] }, layers: [] }
 */
export type ParamTreeJSON =
  | TensorJSONLeaf
  | readonly ParamTreeJSON[]
  | { readonly [key: string]: ParamTreeJSON }

/**
 * The JSON form of a parameter file.
 * @example
 * import { encodeParams, type ParamsFileJSON, zeros } from 'nabla'
 * const file: ParamsFileJSON = encodeParams({ w: zeros([1]) })
 */
export interface ParamsFileJSON {
  readonly format: typeof paramsFormat
  readonly version: typeof paramsVersion
  readonly metadata?: Readonly<Record<string, string>>
  readonly params: ParamTreeJSON
}

/**
 * A decoded parameter file.
 * @example
 * import { encodeParams, zeros } from 'nabla'
 * import { paramsFileCodec } from './json.js'
 * const json = encodeParams({ w: zeros([2]) }, { epoch: '3' })
 * paramsFileCodec().decode(json) // Right({ params: { w }, metadata: { epoch: '3' } })
 */
export interface ParamsFile<P = ParamTree> {
  readonly params: P
  readonly metadata: Readonly<Record<string, string>>
}

const leafCodec = tensorJSONCodec()

const encodeTree = (node: ParamTree): ParamTreeJSON =>
  isTensor(node)
    ? leafCodec.encode(node)
    : Array.isArray(node)
      ? node.map(encodeTree)
      : Object.fromEntries(Object.entries(node).map(([k, v]) => [k, encodeTree(v)]))

const validateTree = (
  u: unknown,
  c: t.Context,
  template: unknown,
  depth: number,
): t.Validation<ParamTree> => {
  if (depth > maxDepth) return t.failure(u, c, `nested deeper than ${maxDepth} levels`)
  const isLeafTemplate = template !== undefined && (isTensor(template) || isSpec(template))
  if (isLeafTemplate || (template === undefined && isRecord(u) && typeof u.dtype === 'string'))
    return tensorJSONCodec(
      isTensor(template)
        ? { shape: template.shape, dtype: template.dtype }
        : (template as TensorSpec | undefined),
    ).validate(u, c)
  if (Array.isArray(template) || (template === undefined && Array.isArray(u))) {
    if (!Array.isArray(u)) return t.failure(u, c, `expected an array, got ${describeValue(u)}`)
    const expected = Array.isArray(template) ? template.length : u.length
    if (u.length < expected)
      return t.failure(
        undefined,
        at(c, u.length, undefined),
        `missing entry (expected ${expected} entries, got ${u.length})`,
      )
    if (u.length > expected)
      return t.failure(
        u[expected],
        at(c, expected, u[expected]),
        `unexpected entry (expected ${expected} entries)`,
      )
    const out: ParamTree[] = []
    for (let i = 0; i < u.length; i++) {
      const child = validateTree(
        u[i],
        at(c, i, u[i]),
        Array.isArray(template) ? template[i] : undefined,
        depth + 1,
      )
      if (E.isLeft(child)) return child
      out.push(child.right)
    }
    return t.success(Object.freeze(out))
  }
  if (!isRecord(u))
    return t.failure(
      u,
      c,
      `expected a tensor { dtype, shape, data }, an array or an object, got ${describeValue(u)}`,
    )
  for (const k of Object.keys(u)) {
    const problem = keyProblem(k)
    if (problem !== undefined) return t.failure(u[k], at(c, k, u[k]), problem)
  }
  const record = template as Readonly<Record<string, unknown>> | undefined
  if (record !== undefined) {
    const expected = `(expected keys: ${listNames(Object.keys(record))})`
    for (const k of Object.keys(record))
      if (!Object.hasOwn(u, k))
        return t.failure(undefined, at(c, k, undefined), `missing key "${k}" ${expected}`)
    for (const k of Object.keys(u))
      if (!Object.hasOwn(record, k)) return t.failure(u[k], at(c, k, u[k]), `unknown key "${k}" ${expected}`)
  }
  const entries: [string, ParamTree][] = []
  for (const k of Object.keys(record ?? u)) {
    const child = validateTree(u[k], at(c, k, u[k]), record?.[k], depth + 1)
    if (E.isLeft(child)) return child
    entries.push([k, child.right])
  }
  return t.success(Object.freeze(Object.fromEntries(entries)))
}

/**
 * Codec of a parameter tree; with a template, the structure, shapes and dtypes must match it.
 * @example
 * import { paramTreeCodec, zeros } from 'nabla'
 * paramTreeCodec({ w: zeros([2, 2]) }).decode({ w: { dtype: 'float32', shape: [2], data: [0, 0] } })
 * // Left: w.shape: expected shape [2,2] (from the template), got [2]
 */
export const paramTreeCodec = (template?: Template): t.Type<ParamTree, ParamTreeJSON, unknown> => {
  if (template !== undefined) templateLeaves('paramTreeCodec', template)
  return new t.Type(
    'ParamTree',
    (u): u is ParamTree => {
      try {
        paramLeaves('is', u)
        return true
      } catch {
        return false
      }
    },
    (u, c) => validateTree(u, c, template, 0),
    encodeTree,
  )
}

/**
 * Codec of a whole parameter file (format, version, metadata, params).
 * @example
 * import { paramsFileCodec } from './json.js'
 * paramsFileCodec().decode({ format: 'nabla-params', version: 2, params: {} })
 * // Left: version: version 2 is not supported; this nabla reads version 1
 */
export const paramsFileCodec = (template?: Template): t.Type<ParamsFile, ParamsFileJSON, unknown> => {
  const tree = paramTreeCodec(template)
  return new t.Type<ParamsFile, ParamsFileJSON, unknown>(
    'ParamsFile',
    (u): u is ParamsFile => isRecord(u) && tree.is(u.params) && isRecord(u.metadata),
    (u, c) => {
      if (!isRecord(u))
        return t.failure(u, c, `expected a ${paramsFormat} file object, got ${describeValue(u)}`)
      if (u.format !== paramsFormat)
        return t.failure(
          u.format,
          at(c, 'format', u.format),
          `expected "${paramsFormat}", got ${describeValue(u.format)}`,
        )
      if (u.version !== paramsVersion)
        return t.failure(
          u.version,
          at(c, 'version', u.version),
          `version ${describeValue(u.version)} is not supported; this nabla reads version ${paramsVersion}`,
        )
      for (const k of Object.keys(u))
        if (!['format', 'version', 'metadata', 'params'].includes(k))
          return t.failure(
            u[k],
            at(c, k, u[k]),
            `unknown key "${k}" (expected keys: format, version, metadata, params)`,
          )
      const metadata = u.metadata ?? {}
      if (!isRecord(metadata))
        return t.failure(metadata, at(c, 'metadata', metadata), 'expected an object of strings')
      for (const [k, v] of Object.entries(metadata))
        if (typeof v !== 'string')
          return t.failure(
            v,
            at(at(c, 'metadata', metadata), k, v),
            `expected a string, got ${describeValue(v)}`,
          )
      if (!Object.hasOwn(u, 'params'))
        return t.failure(
          undefined,
          at(c, 'params', undefined),
          'missing key "params" (expected keys: format, version, metadata, params)',
        )
      const params = tree.validate(u.params, at(c, 'params', u.params))
      return E.isLeft(params)
        ? params
        : t.success({
            params: params.right,
            metadata: Object.freeze({ ...metadata }) as Record<string, string>,
          })
    },
    (file) => ({
      format: paramsFormat,
      version: paramsVersion,
      ...(Object.keys(file.metadata).length > 0 ? { metadata: file.metadata } : {}),
      params: tree.encode(file.params),
    }),
  )
}

/**
 * The first io-ts error as a `DecodeError` whose path reads like a property path
 * (`params.layers[0].w.data[3]`).
 * @example
 * import { paramsDecodeError, paramsFileCodec } from './json.js'
 * const r = paramsFileCodec().decode({})
 * if (r._tag === 'Left') paramsDecodeError('loadParams', r.left).path // 'format'
 */
export const paramsDecodeError = (op: string, errors: t.Errors): DecodeError => {
  const first = errors[0]
  if (first === undefined) return new DecodeError(op, 'invalid input')
  const path = contextPath(first.context)
  return new DecodeError(op, `${path === '' ? 'input' : path}: ${first.message ?? 'invalid value'}`, path)
}

/**
 * The JSON object of a parameter file for `params` (validated: leaves must be tensors).
 * @example
 * import { encodeParams, zeros } from 'nabla'
 * encodeParams({ w: zeros([2]) }) // { format: 'nabla-params', version: 1, params: { w: {…} } }
 */
export const encodeParams = (
  params: ParamTree,
  metadata: Readonly<Record<string, string>> = {},
): ParamsFileJSON => {
  paramLeaves('encodeParams', params)
  return paramsFileCodec().encode({ params, metadata })
}

/**
 * Decodes a parsed parameter file; with a template the result has the template's type. A tensor
 * over the memory budget throws a `ResourceError` reported by `op`.
 * @example
 * import { decodeParams, encodeParams, zeros } from 'nabla'
 * decodeParams(encodeParams({ w: zeros([2]) }), { w: zeros([2]) }) // Right({ w: Tensor<[2]> })
 */
export function decodeParams<T extends Template>(
  input: unknown,
  template: T,
  op?: string,
): E.Either<DecodeError, Decoded<T>>
export function decodeParams(
  input: unknown,
  template?: Template,
  op?: string,
): E.Either<DecodeError, ParamTree>
export function decodeParams(
  input: unknown,
  template?: Template,
  op = 'decodeParams',
): E.Either<DecodeError, ParamTree> {
  let decoded: t.Validation<ParamsFile>
  try {
    decoded = paramsFileCodec(template).decode(input)
  } catch (error) {
    throw error instanceof ResourceError ? resourceErrorIn(op, error) : error
  }
  return E.isLeft(decoded) ? E.left(paramsDecodeError(op, decoded.left)) : E.right(decoded.right.params)
}

/**
 * Parameters as JSON text (one line; metadata optional).
 * @example
 * import { paramsToJSON, tensor } from 'nabla'
 * paramsToJSON({ b: tensor([0.5]) }) // '{"format":"nabla-params","version":1,"params":{"b":{"dtype":"float32","shape":[1],"data":[0.5]}}}'
 */
export const paramsToJSON = (params: ParamTree, metadata?: Readonly<Record<string, string>>): string =>
  JSON.stringify(encodeParams(params, metadata))

/**
 * Parses JSON text into parameters. Malformed JSON is a `DecodeError` giving its position.
 * @example
 * import { paramsFromJSON } from 'nabla'
 * paramsFromJSON('{"format": "nabla-params",')
 * // Left(DecodeError: malformed JSON at position 26 (line 1, column 27): …)
 */
export function paramsFromJSON<T extends Template>(
  text: string,
  template: T,
  op?: string,
): E.Either<DecodeError, Decoded<T>>
export function paramsFromJSON(
  text: string,
  template?: Template,
  op?: string,
): E.Either<DecodeError, ParamTree>
export function paramsFromJSON(
  text: string,
  template?: Template,
  op = 'paramsFromJSON',
): E.Either<DecodeError, ParamTree> {
  const parsed = parseJSON(op, text)
  return E.isLeft(parsed) ? parsed : decodeParams(parsed.right, template, op)
}

/**
 * `JSON.parse` whose failures are `DecodeError`s with the position of the error.
 * @example
 * import { parseJSON } from './json.js'
 * parseJSON('loadParams', '{"a":}') // Left(DecodeError: malformed JSON at position 5 (line 1, column 6): …)
 */
export const parseJSON = (op: string, text: string): E.Either<DecodeError, unknown> => {
  try {
    return E.right(JSON.parse(text))
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return E.left(new DecodeError(op, `malformed JSON at ${describeJsonError(text, message)}: ${message}`))
  }
}
