/**
 * Tests of safetensors: the byte layout of the reference implementation, bit-for-bit round trips
 * of random trees, F16/BF16 reading, templates, each header error, and fuzzing with random,
 * truncated and lying bytes (only DecodeErrors, no huge allocation).
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { toFlat } from '../../../src/io/index.js'
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
} from '../../../src/models/serialize/safetensors.js'
import { ArgumentError, DecodeError, type Tensor, tensor, zeros } from '../../../src/tensor/index.js'
import { arbTree, expectSameTree, safeKey } from './support.js'

/** A safetensors file from a header object and raw data, as the format specifies. */
const file = (header: unknown, data: Uint8Array = new Uint8Array(), lengthOverride?: bigint): Uint8Array => {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header))
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(lengthOverride ?? BigInt(json.length))
  return Buffer.concat([length, json, data])
}
const f32 = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer)

const errorOf = (result: E.Either<DecodeError, unknown>): DecodeError => {
  if (E.isRight(result)) throw new Error('expected a DecodeError, got a value')
  expect(result.left).toBeInstanceOf(DecodeError)
  return result.left
}

describe('layout', () => {
  it('writes what the reference implementation writes: u64 length, space-padded JSON, little-endian data', () => {
    // safetensors' own test vector (bindings/python/tests/test_simple.py) with I32 → F32, padded
    // to 8 bytes as safetensors ≥ 0.3 pads its header
    const bytes = encodeSafetensors({
      test: tensor([
        [0, 0],
        [0, 1],
      ]),
    })
    const header = '{"test":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}    '
    const expected = Buffer.concat([
      Buffer.from([64, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from(header),
      Buffer.from(f32(0, 0, 0, 1)),
    ])
    expect(Buffer.from(bytes).equals(expected)).toBe(true)
  })
  it('reads an unpadded file as the reference implementation writes it for torch', () => {
    const bytes = file({ test: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, f32(1, 2, 3, 4))
    const r = readSafetensors(bytes)
    expect(E.isRight(r) && toFlat(r.right.tensors.get('test')!)).toEqual([1, 2, 3, 4])
  })
  it('orders float64 tensors first and names nested keys with dots', () => {
    const bytes = encodeSafetensors(
      { b: zeros([1]), a: [{ w: zeros([1], { dtype: 'float64' }) }] },
      { metadata: { format: 'pt' } },
    )
    const length = Number(Buffer.from(bytes).readBigUInt64LE(0))
    expect(length % 8).toBe(0)
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString())
    expect(header).toEqual({
      __metadata__: { format: 'pt' },
      'a.0.w': { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    })
  })
})

describe('round trips', () => {
  it('encode → decode is bit for bit with a template, for any tree', () => {
    fc.assert(
      fc.property(arbTree(safeKey), (tree) => {
        const decoded = decodeSafetensors(encodeSafetensors(tree), tree)
        if (E.isLeft(decoded)) throw decoded.left
        expectSameTree(decoded.right, tree, 'params', true)
      }),
      { seed: 801, numRuns: 300 },
    )
  })
  it('without a template, dotted names nest back into the same records and arrays', () => {
    fc.assert(
      fc.property(arbTree(safeKey, 1), (tree) => {
        const decoded = decodeSafetensors(encodeSafetensors(tree))
        if (E.isLeft(decoded)) throw decoded.left
        expectSameTree(decoded.right, tree, 'params', true)
      }),
      { seed: 802, numRuns: 300 },
    )
  })
  it('keeps NaN payloads and metadata', () => {
    const bits = new Uint32Array([0x7fc00001, 0xffbfffff])
    const x = tensor([0, 0])
    const bytes = encodeSafetensors({ x }, { metadata: { epoch: '3' } })
    bytes.set(new Uint8Array(bits.buffer), bytes.length - 8)
    const r = readSafetensors(bytes)
    if (E.isLeft(r)) throw r.left
    const y = r.right.tensors.get('x')!
    expect(r.right.metadata).toEqual({ epoch: '3' })
    const roundTrip = readSafetensors(encodeSafetensors({ y }))
    if (E.isLeft(roundTrip)) throw roundTrip.left
    expect(Buffer.from(encodeSafetensors({ x: roundTrip.right.tensors.get('y')! })).subarray(-8)).toEqual(
      Buffer.from(bits.buffer),
    )
  })
  it('reads F16 and BF16 as float32', () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00, 0x7e00]).buffer)
    const brain = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer)
    const r = readSafetensors(
      file(
        {
          h: { dtype: 'F16', shape: [5], data_offsets: [0, 10] },
          b: { dtype: 'BF16', shape: [2], data_offsets: [10, 14] },
        },
        Buffer.concat([half, brain]),
      ),
    )
    if (E.isLeft(r)) throw r.left
    expect(toFlat(r.right.tensors.get('h')!)).toEqual([1, -2, 2 ** -24, Number.POSITIVE_INFINITY, Number.NaN])
    expect(toFlat(r.right.tensors.get('b')!)).toEqual([1, -3])
    expect(r.right.tensors.get('b')!.dtype).toBe('float32')
  })
  it('the template types the result', () => {
    const params = { fc1: { w: zeros([3, 2]), b: zeros([2]) } }
    const r = decodeSafetensors(encodeSafetensors(params), params)
    if (E.isLeft(r)) throw r.left
    const w: Tensor<[3, 2], 'float32'> = r.right.fc1.w
    expect(w.shape).toEqual([3, 2])
  })
})

describe('errors', () => {
  const params = { fc1: { w: zeros([3, 2]), b: zeros([2]) } }
  const good = encodeSafetensors(params)
  it('template mismatches name the tensor', () => {
    expect(
      errorOf(decodeSafetensors(good, { fc1: { w: { shape: [2, 3] }, b: { shape: [2] } } })).message,
    ).toMatch(/fc1.w: expected shape \[2,3\] \(from the template\), got \[3,2\]/)
    expect(errorOf(decodeSafetensors(good, { fc1: { w: zeros([3, 2]) } })).path).toBe('fc1.b')
    expect(errorOf(decodeSafetensors(good, { ...params, fc2: { w: zeros([1]) } })).message).toMatch(
      /missing tensor "fc2.w"/,
    )
    expect(
      errorOf(decodeSafetensors(good, { fc1: { w: zeros([3, 2], { dtype: 'float64' }), b: zeros([2]) } }))
        .path,
    ).toBe('fc1.w.dtype')
  })
  const header = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }
  const cases: [string, Uint8Array, string, RegExp][] = [
    ['a truncated length', new Uint8Array(5), 'header', /the header length alone needs 8/],
    [
      'a lying header length',
      file(header, f32(1, 2), 1n << 40n),
      'header',
      /header length 1099511627776 exceeds/,
    ],
    ['a header that is not JSON', file('{"a":', f32()), 'header', /malformed JSON at position 5/],
    [
      'a header that is not UTF-8',
      file(Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1')),
      'header',
      /not valid UTF-8|malformed JSON/,
    ],
    ['a header that is an array', file([1]), 'header', /must be a JSON object/],
    [
      'an unsupported dtype',
      file({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
      'a.dtype',
      /"I64" is not supported/,
    ],
    [
      'a bad shape',
      file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }),
      'a.shape',
      /non-negative integers/,
    ],
    [
      'a huge shape',
      file({ a: { dtype: 'F32', shape: [1e6, 1e6, 1e6], data_offsets: [0, 8] } }, f32(1, 2)),
      'a.shape',
      /more than 2147483647 elements/,
    ],
    [
      'offsets past the end',
      file({ a: { dtype: 'F32', shape: [2 ** 28], data_offsets: [0, 2 ** 30] } }, f32(1, 2)),
      'a.data_offsets',
      /outside the 8 data bytes/,
    ],
    [
      'offsets of the wrong size',
      file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(1, 2)),
      'a.data_offsets',
      /hold 8 bytes but shape \[3\] of F32 needs 12/,
    ],
    [
      'a gap',
      file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2)),
      'a.data_offsets',
      /data starts at 4/,
    ],
    [
      'an overlap',
      file(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        f32(1, 2),
      ),
      'b.data_offsets',
      /data starts at 4 but the previous tensor ends at 8/,
    ],
    ['trailing data', file(header, f32(1, 2, 3)), 'data', /cover 8 of the 12 data bytes/],
    [
      'an unknown field',
      file({ a: { ...header.a, strides: [1] } }, f32(1, 2)),
      'a.strides',
      /unknown key "strides"/,
    ],
    [
      'bad metadata',
      file({ __metadata__: { n: 1 }, ...header }, f32(1, 2)),
      '__metadata__',
      /object of strings/,
    ],
    [
      'a name that is both a tensor and a group',
      file({ a: header.a, 'a.b': { dtype: 'F32', shape: [0], data_offsets: [8, 8] } }, f32(1, 2)),
      'a.b',
      /clashes/,
    ],
  ]
  for (const [name, bytes, path, message] of cases)
    it(name, () => {
      const error = errorOf(decodeSafetensors(bytes))
      expect(error.path).toBe(path)
      expect(error.message).toMatch(message)
    })
  it('only DecodeErrors come out of random, truncated or mutated bytes', () => {
    const onlyDecodeErrors = (bytes: Uint8Array) => {
      const r = decodeSafetensors(bytes)
      if (E.isLeft(r)) expect(r.left).toBeInstanceOf(DecodeError)
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), onlyDecodeErrors), { seed: 803, numRuns: 500 })
    fc.assert(
      fc.property(
        arbTree(safeKey, 1),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        (tree, cut, flips) => {
          const bytes = encodeSafetensors(tree)
          onlyDecodeErrors(bytes.subarray(0, cut % (bytes.length + 1)))
          const mutated = Uint8Array.from(bytes)
          for (const [at, value] of flips) mutated[at % mutated.length] = value
          onlyDecodeErrors(mutated)
        },
      ),
      { seed: 804, numRuns: 500 },
    )
  })
  it('headers with random lying entries are rejected before allocating', () => {
    const count = fc.oneof(fc.nat(), fc.constantFrom(2 ** 31, 2 ** 40, 2 ** 53 - 1))
    fc.assert(
      fc.property(
        fc.constantFrom('F32', 'F64', 'F16', 'BF16'),
        fc.array(count, { maxLength: 4 }),
        fc.tuple(count, count),
        fc.nat({ max: 64 }),
        (dtype, shape, offsets, dataBytes) => {
          const r = readSafetensors(
            file({ t: { dtype, shape, data_offsets: offsets } }, new Uint8Array(dataBytes)),
          )
          if (E.isLeft(r)) expect(r.left).toBeInstanceOf(DecodeError)
          else expect(r.right.tensors.get('t')!.size * 8).toBeLessThanOrEqual(dataBytes * 4)
        },
      ),
      { seed: 805, numRuns: 1000 },
    )
  })
  it('names that cannot round-trip are rejected when writing', () => {
    expect(() => encodeSafetensors({ 'a.b': zeros([1]) })).toThrow(ArgumentError)
    expect(() => encodeSafetensors({ '': zeros([1]) })).toThrow(/must be non-empty and dot-free/)
    expect(() => encodeSafetensors(zeros([1]))).toThrow(/not one tensor/)
    expect(() => encodeSafetensors({ __metadata__: zeros([1]) })).toThrow(/reserved/)
    expect(() => encodeSafetensors({ w: zeros([1]) }, { metadata: { n: 1 as unknown as string } })).toThrow(
      ArgumentError,
    )
  })
})
