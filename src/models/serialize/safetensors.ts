/**
 * The safetensors format (Hugging Face), so weights move between nabla and PyTorch
 * (`safetensors.torch.save_file` / `load_file`). A file is an 8-byte little-endian header length
 * `N`, `N` bytes of UTF-8 JSON mapping each tensor name to
 * `{ "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }` (plus an optional
 * `"__metadata__"` object of strings), then the raw little-endian data; offsets count from the end
 * of the header, and the tensors tile the data exactly (no gaps, no overlaps).
 *
 * nabla writes F32 and F64 and reads F32, F64, F16 and BF16 (the last two widened to float32).
 * Nested parameter names are flattened with dots (`layers.0.w`); reading without a template turns
 * a level whose names are exactly `0 … n−1` back into an array. The reader validates the header
 * length, every dtype, shape and offset against the buffer *before* allocating, so a lying header
 * is a `DecodeError`, never a huge allocation; a tensor over the memory budget throws a
 * `ResourceError` naming it and its size (a resource limit, not malformed data: never a `Left`).
 *
 * @module safetensors
 */
import * as E from 'fp-ts/lib/Either.js'
import {
  type AnyTensor,
  ArgumentError,
  allocate,
  budgetProblem,
  bytesPerElement,
  DecodeError,
  type DType,
  makeTensor,
  maxSize,
  memoryBudget,
  ResourceError,
  shapesEqual,
  storage,
} from '../../tensor/internal.js'
import { parseJSON } from './json.js'
import {
  buildTree,
  type Decoded,
  dottedName,
  isRecord,
  listNames,
  type ParamTree,
  paramLeaves,
  rebuildLike,
  type Template,
  templateLeaves,
} from './tree.js'

/**
 * Element types of safetensors files that nabla reads.
 * @example
 * import type { SafetensorsDType } from 'nabla'
 * const dtype: SafetensorsDType = 'BF16' // read as float32
 */
export type SafetensorsDType = 'F32' | 'F64' | 'F16' | 'BF16'

const elementBytes: Readonly<Record<SafetensorsDType, number>> = { F32: 4, F64: 8, F16: 2, BF16: 2 }
const dtypeOf: Readonly<Record<SafetensorsDType, DType>> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float32',
  BF16: 'float32',
}

/**
 * The flat contents of a safetensors file.
 * @example
 * import { readFileSync } from 'node:fs'
 * import { readSafetensors } from 'nabla'
 * const bytes = readFileSync('model.safetensors') // saved by PyTorch
 * const r = readSafetensors(bytes) // Right({ tensors: Map { 'fc1.weight' => … }, metadata: {} })
 */
export interface SafetensorsContents {
  /** Tensors by name, in the order of their data. */
  readonly tensors: ReadonlyMap<string, AnyTensor>
  readonly metadata: Readonly<Record<string, string>>
}

/**
 * Options of the safetensors reader.
 * @example
 * import { encodeSafetensors, readSafetensors, zeros } from 'nabla'
 * const bytes = encodeSafetensors({ w: zeros([2]) })
 * readSafetensors(bytes, { maxHeaderBytes: 1_000_000 })
 */
export interface SafetensorsReadOptions {
  /** Largest JSON header accepted, in bytes (default 100 MB, as the reference implementation). */
  readonly maxHeaderBytes?: number
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

const fail = (op: string, message: string, path: string): E.Either<DecodeError, never> =>
  E.left(new DecodeError(op, message, path))

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

const halfToFloat = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1
  const exponent = (h >> 10) & 0x1f
  const fraction = h & 0x3ff
  if (exponent === 0) return sign * fraction * 2 ** -24
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
}

const bfloat16Bits = new Uint32Array(1)
const bfloat16Value = new Float32Array(bfloat16Bits.buffer)
/** A bfloat16 is the top half of a float32. */
const bfloat16ToFloat = (h: number): number => {
  bfloat16Bits[0] = h << 16
  return bfloat16Value[0]!
}

const decodeData = (
  bytes: Uint8Array,
  dtype: SafetensorsDType,
  size: number,
): Float32Array | Float64Array => {
  const out = allocate(dtypeOf[dtype], size)
  if ((dtype === 'F32' || dtype === 'F64') && littleEndian) {
    new Uint8Array(out.buffer).set(bytes)
    return out
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < size; i++)
    out[i] =
      dtype === 'F32'
        ? view.getFloat32(4 * i, true)
        : dtype === 'F64'
          ? view.getFloat64(8 * i, true)
          : dtype === 'F16'
            ? halfToFloat(view.getUint16(2 * i, true))
            : bfloat16ToFloat(view.getUint16(2 * i, true))
  return out
}

interface Entry {
  readonly name: string
  readonly dtype: SafetensorsDType
  readonly shape: number[]
  readonly begin: number
  readonly end: number
}

const checkEntry = (
  op: string,
  name: string,
  info: unknown,
  dataLength: number,
): E.Either<DecodeError, Entry> => {
  if (!isRecord(info)) return fail(op, `${name}: expected { dtype, shape, data_offsets }`, name)
  for (const k of Object.keys(info))
    if (k !== 'dtype' && k !== 'shape' && k !== 'data_offsets')
      return fail(op, `${name}: unknown key "${k}"`, `${name}.${k}`)
  const { dtype, shape, data_offsets: offsets } = info
  if (typeof dtype !== 'string' || !Object.hasOwn(elementBytes, dtype))
    return fail(
      op,
      `${name}: dtype ${JSON.stringify(dtype)} is not supported (nabla reads F32, F64, F16, BF16)`,
      `${name}.dtype`,
    )
  if (!Array.isArray(shape) || !shape.every(isCount))
    return fail(op, `${name}: shape must be an array of non-negative integers`, `${name}.shape`)
  let size = 1
  for (const d of shape) {
    size *= d
    if (size > maxSize)
      return fail(op, `${name}: shape [${shape}] has more than ${maxSize} elements`, `${name}.shape`)
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount))
    return fail(op, `${name}: data_offsets must be two non-negative integers`, `${name}.data_offsets`)
  const [begin, end] = offsets as [number, number]
  if (begin > end || end > dataLength)
    return fail(
      op,
      `${name}: data_offsets [${begin}, ${end}] lie outside the ${dataLength} data bytes`,
      `${name}.data_offsets`,
    )
  // over the memory budget is a resource limit, not malformed data: thrown, never a Left
  const bytes = size * bytesPerElement(dtypeOf[dtype as SafetensorsDType])
  const overBudget = budgetProblem(bytes)
  if (overBudget !== undefined)
    throw new ResourceError(op, `${name}: shape [${shape}] of ${dtype} ${overBudget}`, bytes, memoryBudget())
  const width = elementBytes[dtype as SafetensorsDType]
  if (end - begin !== size * width)
    return fail(
      op,
      `${name}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape [${shape}] of ${dtype} needs ${size * width}`,
      `${name}.data_offsets`,
    )
  return E.right({ name, dtype: dtype as SafetensorsDType, shape: [...shape], begin, end })
}

/**
 * Reads a safetensors buffer into its flat named tensors and metadata.
 * @example
 * import { readSafetensors } from 'nabla'
 * import { readFileSync } from 'node:fs'
 * const r = readSafetensors(readFileSync('model.safetensors')) // Right({ tensors: Map { 'fc1.weight' => … } })
 */
export const readSafetensors = (
  bytes: Uint8Array,
  options?: SafetensorsReadOptions,
  op = 'readSafetensors',
): E.Either<DecodeError, SafetensorsContents> => {
  if (!(bytes instanceof Uint8Array)) return fail(op, 'input must be a Uint8Array or Buffer', '')
  const maxHeaderBytes = options?.maxHeaderBytes ?? 100_000_000
  if (bytes.length < 8)
    return fail(op, `truncated: ${bytes.length} bytes, the header length alone needs 8`, 'header')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true)
  if (headerLength > bytes.length - 8)
    return fail(
      op,
      `header length ${headerLength} exceeds the ${bytes.length - 8} bytes after the length field`,
      'header',
    )
  if (headerLength > maxHeaderBytes)
    return fail(op, `header length ${headerLength} exceeds maxHeaderBytes ${maxHeaderBytes}`, 'header')
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength))
  } catch {
    return fail(op, 'the header is not valid UTF-8', 'header')
  }
  const parsed = parseJSON(op, text)
  if (E.isLeft(parsed)) return fail(op, `header: ${parsed.left.message.replace(`${op}: `, '')}`, 'header')
  const header = parsed.right
  if (!isRecord(header)) return fail(op, 'the header must be a JSON object', 'header')
  const dataStart = 8 + headerLength
  const dataLength = bytes.length - dataStart
  const entries: Entry[] = []
  let metadata: Record<string, string> = {}
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isRecord(info) || !Object.values(info).every((v) => typeof v === 'string'))
        return fail(op, '__metadata__ must be an object of strings', '__metadata__')
      metadata = { ...(info as Record<string, string>) }
      continue
    }
    const entry = checkEntry(op, name, info, dataLength)
    if (E.isLeft(entry)) return entry
    entries.push(entry.right)
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end)
  let expected = 0
  for (const e of entries) {
    if (e.begin !== expected)
      return fail(
        op,
        `${e.name}: data starts at ${e.begin} but the previous tensor ends at ${expected} (tensors must tile the data without gaps or overlaps)`,
        `${e.name}.data_offsets`,
      )
    expected = e.end
  }
  if (expected !== dataLength)
    return fail(op, `the tensors cover ${expected} of the ${dataLength} data bytes`, 'data')
  const tensors = new Map<string, AnyTensor>()
  for (const e of entries) {
    const data = decodeData(
      bytes.subarray(dataStart + e.begin, dataStart + e.end),
      e.dtype,
      (e.end - e.begin) / elementBytes[e.dtype],
    )
    tensors.set(e.name, makeTensor(e.shape, dtypeOf[e.dtype], data))
  }
  return E.right({ tensors, metadata: Object.freeze(metadata) })
}

/**
 * Reads a safetensors buffer into a parameter tree: with a template, exactly the template's
 * tensors with its shapes and dtypes (a missing, unknown or mis-shaped tensor is a `DecodeError`
 * naming it); without one, the dotted names are nested.
 * @example
 * import { decodeSafetensors, encodeSafetensors, zeros } from 'nabla'
 * const params = { layers: [{ w: zeros([2, 2]) }] }
 * decodeSafetensors(encodeSafetensors(params), params) // Right({ layers: [{ w }] })
 */
export function decodeSafetensors<T extends Template>(
  bytes: Uint8Array,
  template: T,
  options?: SafetensorsReadOptions & { readonly op?: string },
): E.Either<DecodeError, Decoded<T>>
export function decodeSafetensors(
  bytes: Uint8Array,
  template?: Template,
  options?: SafetensorsReadOptions & { readonly op?: string },
): E.Either<DecodeError, ParamTree>
export function decodeSafetensors(
  bytes: Uint8Array,
  template?: Template,
  options?: SafetensorsReadOptions & { readonly op?: string },
): E.Either<DecodeError, ParamTree> {
  const op = options?.op ?? 'decodeSafetensors'
  const contents = readSafetensors(bytes, options, op)
  if (E.isLeft(contents)) return contents
  const { tensors } = contents.right
  try {
    if (template === undefined)
      return E.right(
        buildTree(
          op,
          [...tensors].map(([name, value]) => ({ segments: name.split('.'), value })),
        ),
      )
    const expected = templateLeaves(op, template)
    const names = new Set(expected.map((l) => dottedName(l.segments)))
    const expectedNames = `(expected tensors: ${listNames([...names])})`
    for (const name of tensors.keys())
      if (!names.has(name))
        return fail(op, `unknown tensor "${name}" (not in the template) ${expectedNames}`, name)
    for (const { segments, value: spec } of expected) {
      const name = dottedName(segments)
      const x = tensors.get(name)
      if (x === undefined) return fail(op, `missing tensor "${name}" ${expectedNames}`, name)
      if (!shapesEqual(x.shape, spec.shape))
        return fail(
          op,
          `${name}: expected shape [${spec.shape}] (from the template), got [${x.shape}]`,
          `${name}.shape`,
        )
      if (spec.dtype !== undefined && spec.dtype !== x.dtype)
        return fail(
          op,
          `${name}: expected dtype ${spec.dtype} (from the template), got ${x.dtype}`,
          `${name}.dtype`,
        )
    }
    return E.right(rebuildLike(template, (segments) => tensors.get(dottedName(segments))!))
  } catch (error) {
    if (error instanceof DecodeError) return E.left(error)
    throw error
  }
}

const checkName = (op: string, segments: readonly (string | number)[]): string => {
  if (segments.length === 0)
    throw new ArgumentError(
      op,
      'safetensors stores named tensors: pass a record or array of tensors, not one tensor',
    )
  for (const s of segments)
    if (typeof s === 'string' && (s === '' || s.includes('.')))
      throw new ArgumentError(
        op,
        `key ${JSON.stringify(s)} in ${dottedName(segments)} cannot be written: names are joined with dots, so keys must be non-empty and dot-free`,
      )
  const name = dottedName(segments)
  if (name === '__metadata__') throw new ArgumentError(op, '"__metadata__" is reserved by safetensors')
  return name
}

/**
 * A safetensors buffer of the parameters (F32 / F64 by dtype), with optional string metadata.
 * Tensors are laid out float64 first, then by name, so every tensor is aligned to its element size.
 * @example
 * import { encodeSafetensors, zeros } from 'nabla'
 * import { writeFileSync } from 'node:fs'
 * writeFileSync('model.safetensors', encodeSafetensors({ fc1: { w: zeros([784, 128]) } }))
 * // torch: safetensors.torch.load_file('model.safetensors')['fc1.w'].shape == (784, 128)
 */
export const encodeSafetensors = (
  params: ParamTree,
  options?: { readonly metadata?: Readonly<Record<string, string>> },
): Uint8Array => {
  const op = 'encodeSafetensors'
  const metadata = options?.metadata
  if (metadata !== undefined)
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string')
        throw new ArgumentError(op, `metadata.${k} must be a string, got ${typeof v}`)
  const leaves = paramLeaves(op, params)
    .map((l) => ({ name: checkName(op, l.segments), tensor: l.value }))
    .sort((a, b) =>
      a.tensor.dtype !== b.tensor.dtype
        ? a.tensor.dtype === 'float64'
          ? -1
          : 1
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
    )
  const header: Record<string, unknown> = {}
  if (metadata !== undefined) header.__metadata__ = { ...metadata }
  let offset = 0
  for (const { name, tensor } of leaves) {
    const bytes = tensor.size * (tensor.dtype === 'float64' ? 8 : 4)
    header[name] = {
      dtype: tensor.dtype === 'float64' ? 'F64' : 'F32',
      shape: [...tensor.shape],
      data_offsets: [offset, offset + bytes],
    }
    offset += bytes
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const headerLength = Math.ceil((8 + json.length) / 8) * 8 - 8
  const out = new Uint8Array(8 + headerLength + offset)
  const view = new DataView(out.buffer)
  view.setUint32(0, headerLength, true)
  out.set(json, 8)
  out.fill(0x20, 8 + json.length, 8 + headerLength)
  let at = 8 + headerLength
  for (const { tensor } of leaves) {
    const data = storage(tensor)
    if (littleEndian) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at)
    else
      for (let i = 0; i < data.length; i++)
        if (tensor.dtype === 'float64') view.setFloat64(at + 8 * i, data[i]!, true)
        else view.setFloat32(at + 4 * i, data[i]!, true)
    at += data.byteLength
  }
  return out
}
