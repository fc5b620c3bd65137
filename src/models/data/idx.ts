/**
 * The IDX file format of the original MNIST distribution (`train-images-idx3-ubyte`, …), plain or
 * gzip-compressed. The reader treats its input as untrusted: the magic number, the element type,
 * the number of dimensions and the dimensions are checked against the length of the buffer
 * *before* anything is allocated, so a lying header can neither allocate a huge array nor hang;
 * every problem is a `DecodeError` whose `path` names the bad field.
 *
 * Layout (all integers big-endian): two zero bytes, a type byte (0x08 uint8, 0x09 int8, 0x0B int16,
 * 0x0C int32, 0x0D float32, 0x0E float64), a byte with the number of dimensions `d`, `d` uint32
 * dimensions, then the elements in row-major order. The file must end exactly after them.
 *
 * @module idx
 */
import { gunzipSync, constants as zlibConstants } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { budgetProblem, DecodeError, maxSize, memoryBudget, ResourceError } from '../../tensor/internal.js'

/**
 * The element types of IDX files.
 * @example
 * import type { IdxType } from 'nabla/node'
 * const t: IdxType = 'uint8' // MNIST pixels and labels
 */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64'

/**
 * A decoded IDX array. `data` is row-major, converted to the platform's byte order.
 * @example
 * import { type IdxArray, readIdx } from 'nabla/node'
 * const bytes = new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 2, 7, 3])
 * const labels: IdxArray = readIdx(bytes) // { type: 'uint8', shape: [2], data: Uint8Array [7, 3] } // { type: 'uint8', shape: [60000], data: Uint8Array }
 */
export interface IdxArray {
  readonly type: IdxType
  readonly shape: readonly number[]
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array
}

/**
 * Options of the IDX reader.
 * @example
 * import { readFileSync } from 'node:fs'
 * import { readIdx } from 'nabla/node'
 * readIdx(readFileSync('train-images-idx3-ubyte.gz'), { maxBytes: 2 ** 27 })
 */
export interface IdxOptions {
  /** Largest decompressed size accepted for a gzip input, in bytes (default 1 GiB). */
  readonly maxBytes?: number
}

const types: Record<number, { readonly type: IdxType; readonly bytes: number }> = {
  8: { type: 'uint8', bytes: 1 },
  9: { type: 'int8', bytes: 1 },
  11: { type: 'int16', bytes: 2 },
  12: { type: 'int32', bytes: 4 },
  13: { type: 'float32', bytes: 4 },
  14: { type: 'float64', bytes: 8 },
}

const op = 'readIdx'
const fail: (message: string, path: string) => never = (message, path) => {
  throw new DecodeError(op, message, path)
}

/**
 * Whether the bytes start with the gzip magic number.
 * @example
 * import { isGzip } from './idx.js'
 * isGzip(new Uint8Array([0x1f, 0x8b, 8])) // true
 */
export const isGzip = (bytes: Uint8Array): boolean =>
  bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

const gunzip = (bytes: Uint8Array, maxBytes: number, why: string): Uint8Array => {
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.max(1, maxBytes) })
  } catch (error) {
    const code = (error as { code?: unknown }).code
    return code === 'ERR_BUFFER_TOO_LARGE'
      ? fail(`gzip data expands to more than ${maxBytes} bytes (${why})`, 'gzip')
      : fail(`corrupt gzip data: ${(error as Error).message}`, 'gzip')
  }
}

/** Largest IDX header: 4 bytes, then up to 255 uint32 dimensions. */
const maxHeaderBytes = 4 + 4 * 255

/** What inflating the first `take` input bytes gives: the output, 'large' (over 1 MiB) or 'corrupt'. */
const inflatePrefix = (bytes: Uint8Array, take: number): Uint8Array | 'large' | 'corrupt' => {
  try {
    return gunzipSync(bytes.subarray(0, take), {
      finishFlush: zlibConstants.Z_SYNC_FLUSH,
      maxOutputLength: 2 ** 20,
    })
  } catch (error) {
    return (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' ? 'large' : 'corrupt'
  }
}

/**
 * The first `want` bytes of a gzip stream (fewer if it is shorter), inflating as little input as
 * it takes: prefixes of doubling length, then a bisection when one jumps past 1 MiB (one deflate
 * input byte inflates to at most a few KiB, so a prefix with between `want` bytes and 1 MiB exists).
 */
const gunzipPrefix = (bytes: Uint8Array, want: number): Uint8Array => {
  let short = 0
  for (let take = 64; ; take *= 2) {
    const end = Math.min(take, bytes.length)
    const out = inflatePrefix(bytes, end)
    if (out === 'large') {
      let [low, high] = [short, end]
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2)
        const mid = inflatePrefix(bytes, middle)
        if (mid === 'large') high = middle
        else if (mid !== 'corrupt' && mid.length >= want) return mid.subarray(0, want)
        else low = middle
      }
      return fail('gzip data expands by more than 1 MiB per input byte', 'gzip')
    }
    // a stream cut mid-block can fail to inflate; only the whole input is conclusive
    if (out === 'corrupt' && end === bytes.length) return gunzip(bytes, want, 'inflating the header')
    if (out !== 'corrupt' && (out.length >= want || end === bytes.length)) return out.subarray(0, want)
    short = end
  }
}

/**
 * The element count and byte size an IDX header declares (`undefined` while it is too short to
 * tell; a header that cannot be valid is left for the full check to report).
 */
const declaredBytes = (header: Uint8Array): number | undefined => {
  if (header.length < 4) return undefined
  const element = types[header[2]!]
  const rank = header[3]!
  if (element === undefined || header.length < 4 + 4 * rank) return undefined
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength)
  let size = 1
  for (let i = 0; i < rank; i++) size *= view.getUint32(4 + 4 * i)
  return 4 + 4 * rank + size * element.bytes
}

/**
 * Inflates a gzip IDX input, limited by the size its own header declares (and by `maxBytes` and
 * the memory budget): a 1 MB gzip that inflates to 1 GiB behind a header declaring 10 bytes stops
 * at 10 bytes.
 */
const inflateIdx = (input: Uint8Array, maxBytes: number): Uint8Array => {
  const declared = declaredBytes(gunzipPrefix(input, maxHeaderBytes))
  if (declared === undefined) return gunzip(input, Math.min(maxBytes, maxHeaderBytes), 'an IDX header')
  if (declared > maxBytes)
    fail(`the header declares ${declared} bytes, more than maxBytes ${maxBytes}`, 'dims')
  const overBudget = budgetProblem(declared)
  if (overBudget !== undefined)
    throw new ResourceError(
      op,
      `the header declares ${declared} bytes, and inflating them ${overBudget}`,
      declared,
      memoryBudget(),
    )
  return gunzip(input, declared, 'the size its header declares')
}

const decodeData = (view: DataView, offset: number, type: IdxType, size: number): IdxArray['data'] => {
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + size))
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + size))
    case 'int16': {
      const out = new Int16Array(size)
      for (let i = 0; i < size; i++) out[i] = view.getInt16(offset + 2 * i)
      return out
    }
    case 'int32': {
      const out = new Int32Array(size)
      for (let i = 0; i < size; i++) out[i] = view.getInt32(offset + 4 * i)
      return out
    }
    case 'float32': {
      const out = new Float32Array(size)
      for (let i = 0; i < size; i++) out[i] = view.getFloat32(offset + 4 * i)
      return out
    }
    case 'float64': {
      const out = new Float64Array(size)
      for (let i = 0; i < size; i++) out[i] = view.getFloat64(offset + 8 * i)
      return out
    }
  }
}

/**
 * Decodes an IDX buffer (gzip-compressed or not); throws a `DecodeError` naming the bad field, or a
 * `ResourceError` naming the size when a gzip header declares more than the memory budget.
 * @example
 * import { readIdx } from 'nabla/node'
 * import { readFileSync } from 'node:fs'
 * const images = readIdx(readFileSync('train-images-idx3-ubyte.gz'))
 * images.shape // [60000, 28, 28]
 */
export const readIdx = (input: Uint8Array, options?: IdxOptions): IdxArray => {
  if (!(input instanceof Uint8Array)) fail('input must be a Uint8Array or Buffer', '')
  const maxBytes = options?.maxBytes ?? 2 ** 30
  const bytes = isGzip(input) ? inflateIdx(input, maxBytes) : input
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 4)
    fail(`truncated header: ${bytes.length} bytes, an IDX header needs at least 4`, 'magic')
  if (bytes[0] !== 0 || bytes[1] !== 0)
    fail(
      `bad magic number 0x${view.getUint32(0).toString(16).padStart(8, '0')}: an IDX file starts with two zero bytes`,
      'magic',
    )
  const element = types[bytes[2]!] ?? fail(`unknown element type 0x${bytes[2]!.toString(16)}`, 'magic.type')
  const rank = bytes[3]!
  if (rank === 0) fail('the number of dimensions is 0', 'magic.dims')
  const headerBytes = 4 + 4 * rank
  if (bytes.length < headerBytes)
    fail(
      `truncated header: ${rank} dimensions need ${headerBytes} header bytes, the input has ${bytes.length}`,
      'dims',
    )
  const shape: number[] = []
  let size = 1
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i)
    shape.push(d)
    size *= d
    if (size > maxSize)
      fail(`dimensions [${shape.join(',')}…] hold more than ${maxSize} elements`, `dims[${i}]`)
  }
  const dataBytes = bytes.length - headerBytes
  if (dataBytes !== size * element.bytes)
    fail(
      `dimensions [${shape.join(',')}] of ${element.type} need ${size * element.bytes} data bytes but the input has ${dataBytes}`,
      'data',
    )
  return Object.freeze({
    type: element.type,
    shape: Object.freeze(shape),
    data: decodeData(view, headerBytes, element.type, size),
  })
}

/**
 * `readIdx` returning an `Either` instead of throwing.
 * @example
 * import { decodeIdx } from 'nabla/node'
 * import * as E from 'fp-ts/lib/Either.js'
 * E.isLeft(decodeIdx(new Uint8Array([1, 2, 3]))) // true: bad magic number
 */
export const decodeIdx = (input: Uint8Array, options?: IdxOptions): E.Either<DecodeError, IdxArray> => {
  try {
    return E.right(readIdx(input, options))
  } catch (error) {
    if (error instanceof DecodeError) return E.left(error)
    throw error
  }
}

/**
 * Encodes an array as an uncompressed IDX buffer (the inverse of `readIdx`).
 * @example
 * import { readIdx, writeIdx } from 'nabla/node'
 * const bytes = writeIdx({ type: 'uint8', shape: [2], data: new Uint8Array([7, 9]) })
 * readIdx(bytes).data // Uint8Array [7, 9]
 */
export const writeIdx = (array: IdxArray): Uint8Array => {
  const code = Number(Object.entries(types).find(([, t]) => t.type === array.type)?.[0])
  const element = types[code]!
  const headerBytes = 4 + 4 * array.shape.length
  const out = new Uint8Array(headerBytes + array.data.length * element.bytes)
  const view = new DataView(out.buffer)
  out[2] = code
  out[3] = array.shape.length
  for (const [i, d] of array.shape.entries()) view.setUint32(4 + 4 * i, d)
  for (let i = 0; i < array.data.length; i++) {
    const at = headerBytes + i * element.bytes
    const v = array.data[i]!
    if (element.type === 'uint8') view.setUint8(at, v)
    else if (element.type === 'int8') view.setInt8(at, v)
    else if (element.type === 'int16') view.setInt16(at, v)
    else if (element.type === 'int32') view.setInt32(at, v)
    else if (element.type === 'float32') view.setFloat32(at, v)
    else view.setFloat64(at, v)
  }
  return out
}
