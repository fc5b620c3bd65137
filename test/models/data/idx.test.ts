/**
 * Tests of the IDX reader: round trips of every element type written by an independent helper
 * (plain and gzip), each corruption as a DecodeError with its path, and fuzzing with random,
 * truncated and mutated bytes (only values or DecodeErrors, never another exception).
 */
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeIdx, type IdxType, readIdx, writeIdx } from '../../../src/models/data/idx.js'
import { DecodeError, ResourceError, setMemoryBudget } from '../../../src/tensor/index.js'

const codes: Record<IdxType, number> = { uint8: 8, int8: 9, int16: 11, int32: 12, float32: 13, float64: 14 }
const widths: Record<IdxType, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 }

/** Writes an IDX file with Node's Buffer methods (independent of writeIdx). */
const idxFile = (type: IdxType, dims: readonly number[], values: readonly number[]): Buffer => {
  const header = Buffer.alloc(4 + 4 * dims.length)
  header[2] = codes[type]
  header[3] = dims.length
  dims.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i)
  })
  const body = Buffer.alloc(values.length * widths[type])
  values.forEach((v, i) => {
    const at = i * widths[type]
    if (type === 'uint8') body.writeUInt8(v, at)
    else if (type === 'int8') body.writeInt8(v, at)
    else if (type === 'int16') body.writeInt16BE(v, at)
    else if (type === 'int32') body.writeInt32BE(v, at)
    else if (type === 'float32') body.writeFloatBE(v, at)
    else body.writeDoubleBE(v, at)
  })
  return Buffer.concat([header, body])
}

const arbValue: Record<IdxType, fc.Arbitrary<number>> = {
  uint8: fc.integer({ min: 0, max: 255 }),
  int8: fc.integer({ min: -128, max: 127 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  float32: fc.float({ noNaN: true }),
  float64: fc.double({ noNaN: true }),
}

const arbIdx = fc
  .tuple(
    fc.constantFrom(...(Object.keys(codes) as IdxType[])),
    fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
  )
  .chain(([type, dims]) =>
    fc.record({
      type: fc.constant(type),
      dims: fc.constant(dims),
      values: fc.array(arbValue[type], {
        minLength: dims.reduce((a, b) => a * b, 1),
        maxLength: dims.reduce((a, b) => a * b, 1),
      }),
    }),
  )

/** Only a value or a DecodeError may come out. */
const onlyDecodeErrors = (bytes: Uint8Array): void => {
  try {
    readIdx(bytes, { maxBytes: 1 << 20 })
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError)
  }
}

describe('readIdx', () => {
  it('reads every element type, plain and gzipped, as written', () => {
    fc.assert(
      fc.property(arbIdx, fc.boolean(), ({ type, dims, values }, zipped) => {
        const file = idxFile(type, dims, values)
        const read = readIdx(zipped ? gzipSync(file) : file)
        expect(read.type).toBe(type)
        expect(read.shape).toEqual(dims)
        expect(Array.from(read.data)).toEqual(type === 'float32' ? values.map(Math.fround) : values)
      }),
      { seed: 201, numRuns: 200 },
    )
  })
  it('writeIdx is its inverse', () => {
    fc.assert(
      fc.property(arbIdx, ({ type, dims, values }) => {
        const read = readIdx(idxFile(type, dims, values))
        expect(Buffer.from(writeIdx(read)).equals(idxFile(type, dims, values))).toBe(true)
      }),
      { seed: 202, numRuns: 100 },
    )
  })
  it('reads a file that sits at an offset inside a larger buffer', () => {
    const file = idxFile('int16', [3], [-2, 0, 515])
    const big = new Uint8Array(file.length + 5)
    big.set(file, 3)
    expect(Array.from(readIdx(big.subarray(3, 3 + file.length)).data)).toEqual([-2, 0, 515])
  })
  it('names the bad field of each corruption', () => {
    const good = idxFile('uint8', [2, 3], [1, 2, 3, 4, 5, 6])
    const cases: [Uint8Array, string, RegExp][] = [
      [good.subarray(0, 3), 'magic', /truncated header/],
      [Buffer.from([1, 0, 8, 1, 0, 0, 0, 0]), 'magic', /bad magic number 0x01000801/],
      [Buffer.from([0, 0, 7, 1, 0, 0, 0, 0]), 'magic.type', /unknown element type 0x7/],
      [Buffer.from([0, 0, 8, 0]), 'magic.dims', /number of dimensions is 0/],
      [good.subarray(0, 9), 'dims', /2 dimensions need 12 header bytes/],
      [good.subarray(0, good.length - 1), 'data', /need 6 data bytes but the input has 5/],
      [Buffer.concat([good, Buffer.from([0])]), 'data', /need 6 data bytes but the input has 7/],
    ]
    for (const [bytes, path, message] of cases) {
      const result = decodeIdx(bytes)
      expect(E.isLeft(result) && result.left.path).toBe(path)
      expect(() => readIdx(bytes)).toThrow(message)
    }
  })
  it('rejects a lying header that claims a huge array, before allocating', () => {
    const header = idxFile('float64', [60_000, 60_000, 60_000], [])
    expect(() => readIdx(header)).toThrow(/more than 2147483647 elements/)
    const plausible = idxFile('float64', [50_000_000], [])
    expect(() => readIdx(plausible)).toThrow(/need 400000000 data bytes but the input has 0/)
  })
  it('rejects corrupt gzip and gzip that expands past maxBytes', () => {
    const zipped = gzipSync(idxFile('uint8', [4096], new Array(4096).fill(0)))
    expect(() => readIdx(zipped, { maxBytes: 1000 })).toThrow(
      'the header declares 4104 bytes, more than maxBytes 1000',
    )
    const corrupt = Buffer.from(zipped)
    corrupt[12] = corrupt[12]! ^ 0xff
    expect(() => readIdx(corrupt)).toThrow(DecodeError)
    expect(() => readIdx(zipped.subarray(0, 15))).toThrow(/corrupt gzip data/)
  })
  it('limits inflating to the size the header declares (a gzip bomb behind a small header)', () => {
    // a valid header declaring 10 uint8 values, followed by 16 MiB of zeros: 16 KiB compressed
    const bomb = gzipSync(Buffer.concat([idxFile('uint8', [10], []), Buffer.alloc(2 ** 24)]))
    expect(bomb.length).toBeLessThan(2 ** 15)
    expect(() => readIdx(bomb)).toThrow(
      new DecodeError(
        'readIdx',
        'gzip data expands to more than 18 bytes (the size its header declares)',
        'gzip',
      ),
    )
    // the header read first, so the declared size is checked against the memory budget before inflating
    const previous = setMemoryBudget(2 ** 20)
    try {
      const big = gzipSync(Buffer.from(idxFile('float64', [2 ** 18], [])))
      expect(() => readIdx(big)).toThrow(ResourceError)
      expect(() => readIdx(big)).toThrow(
        /^readIdx: the header declares 2097160 bytes, and inflating them needs 2 MiB/,
      )
      // a resource limit, not malformed data: decodeIdx throws it too instead of returning a Left
      expect(() => decodeIdx(big)).toThrow(ResourceError)
    } finally {
      setMemoryBudget(previous)
    }
  })
  it('throws only DecodeErrors on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => onlyDecodeErrors(bytes)),
      { seed: 203, numRuns: 500 },
    )
  })
  it('throws only DecodeErrors on random headers with random data lengths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.array(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 6 }),
        fc.uint8Array({ maxLength: 64 }),
        (type, dims, data) => {
          const header = Buffer.alloc(4 + 4 * dims.length)
          header[2] = type
          header[3] = dims.length
          dims.forEach((d, i) => {
            header.writeUInt32BE(d, 4 + 4 * i)
          })
          onlyDecodeErrors(Buffer.concat([header, data]))
        },
      ),
      { seed: 204, numRuns: 500 },
    )
  })
  it('throws only DecodeErrors on truncated or mutated valid files, plain and gzipped', () => {
    fc.assert(
      fc.property(
        arbIdx,
        fc.boolean(),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        ({ type, dims, values }, zipped, cut, flips) => {
          const file = idxFile(type, dims, values)
          const bytes = Buffer.from(zipped ? gzipSync(file) : file)
          for (const [at, value] of flips) bytes[at % bytes.length] = value
          onlyDecodeErrors(bytes.subarray(0, cut % (bytes.length + 1)))
          onlyDecodeErrors(bytes)
        },
      ),
      { seed: 205, numRuns: 500 },
    )
  })
})
