import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  argmax,
  fromArrayOrThrow,
  item,
  scalar,
  tensor,
  toArray,
  toFlat,
  toTypedArray,
  zeros,
} from '../../src/index.js'
import { arbData, arbDType, arbFinite, arbShape, toTensor } from '../support/arbitraries.js'
import { nest, roundTo } from '../support/naive.js'

describe('toArray and toFlat', () => {
  it('give the nested and the flat row-major values of any shape (rank 0–6, size-0 dims included)', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 6, maxDim: 3 }).chain((s) =>
          fc.tuple(fc.constant(s), arbData(s, arbFinite), arbDType),
        ),
        ([shape, data, dtype]) => {
          const t = toTensor({ shape, data }, dtype)
          const values = roundTo(dtype, data)
          expect(toFlat(t)).toEqual(values)
          expect(toArray(t)).toEqual(nest(shape, values))
        },
      ),
      { seed: 0x4ead01, numRuns: 150 },
    )
    expect(toArray(scalar(3))).toBe(3)
    expect(toArray(zeros([2, 0]))).toEqual([[], []])
    expect(toArray(zeros([0, 2]))).toEqual([])
  })

  it('return copies: changing them does not change the tensor', () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ])
    const flat = toFlat(t)
    flat[0] = 99
    const nested = toArray(t)
    nested[1]![1] = 99
    expect(toFlat(t)).toEqual([1, 2, 3, 4])
    expect(toArray(t)).toEqual([
      [1, 2],
      [3, 4],
    ])
  })
})

describe('toTypedArray', () => {
  it('gives the flat values in a typed array of the dtype, any shape', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 5, maxDim: 4 }).chain((s) =>
          fc.tuple(fc.constant(s), arbData(s, arbFinite), arbDType),
        ),
        ([shape, data, dtype]) => {
          const t = toTensor({ shape, data }, dtype)
          const out = toTypedArray(t)
          expect(out).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array)
          expect(Array.from(out)).toEqual(roundTo(dtype, data))
        },
      ),
      { seed: 0x70e1, numRuns: 100 },
    )
  })

  it('round-trips through fromArray bit for bit (NaN, -0, infinities, subnormals)', () => {
    fc.assert(
      fc.property(fc.float64Array({ maxLength: 40 }), (data) => {
        const back = toTypedArray(fromArrayOrThrow(data, [data.length]))
        expect(new Uint8Array(back.buffer)).toEqual(
          new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        )
      }),
      { seed: 0x70e2, numRuns: 100 },
    )
  })

  it('returns a copy of its own: changing it does not change the tensor, nor a second read', () => {
    const t = tensor([1, 2, 3])
    const first = toTypedArray(t)
    first[0] = 99
    expect(toFlat(t)).toEqual([1, 2, 3])
    expect(Array.from(toTypedArray(t))).toEqual([1, 2, 3])
    expect(toTypedArray(t).buffer).not.toBe(toTypedArray(t).buffer)
  })

  it('fromArray of a subarray view takes exactly the view, not its whole buffer', () => {
    const whole = new Float32Array([9, 1, 2, 3, 9])
    const t = fromArrayOrThrow(whole.subarray(1, 4), [3])
    whole.fill(0)
    expect(Array.from(toTypedArray(t))).toEqual([1, 2, 3])
  })
})

describe('item', () => {
  it('reads the one value of a rank-0 or size-1 tensor', () => {
    expect(item(scalar(2.5))).toBe(2.5)
    expect(item(tensor([[[7]]]))).toBe(7)
    expect(item(tensor([NaN]))).toBeNaN()
  })

  it('throws an ArgumentError naming the shape and size for any other size', () => {
    expect(() => item(zeros([2, 3]))).toThrow(
      new ArgumentError('item', 'needs a tensor with exactly one element, got shape [2,3] (6 elements)'),
    )
    expect(() => item(zeros([0]))).toThrow(
      new ArgumentError('item', 'needs a tensor with exactly one element, got shape [0] (0 elements)'),
    )
  })
})

describe('argmax', () => {
  it('gives the first index of the maximum along an axis', () => {
    fc.assert(
      fc.property(
        arbShape({ minRank: 1, maxRank: 4, minDim: 1, maxDim: 4 }).chain((s) =>
          fc.tuple(
            fc.constant(s),
            arbData(s, fc.integer({ min: -3, max: 3 })),
            fc.integer({ min: -s.length, max: s.length - 1 }),
          ),
        ),
        ([shape, data, axis]) => {
          const a = axis < 0 ? axis + shape.length : axis
          const out = argmax(toTensor({ shape, data }), axis)
          const n = shape[a]!
          const inner = shape.slice(a + 1).reduce((x, y) => x * y, 1)
          const outer = shape.slice(0, a).reduce((x, y) => x * y, 1)
          const expected: number[] = []
          for (let o = 0; o < outer; o++)
            for (let i = 0; i < inner; i++) {
              const column = Array.from({ length: n }, (_, k) => data[(o * n + k) * inner + i]!)
              expected.push(column.indexOf(Math.max(...column)))
            }
          expect(out.shape).toEqual(shape.filter((_, i) => i !== a))
          expect(toFlat(out)).toEqual(expected)
        },
      ),
      { seed: 0x4ead02, numRuns: 100 },
    )
  })

  it('counts NaN as the maximum and refuses an empty axis or an axis out of range', () => {
    expect(toFlat(argmax(tensor([1, NaN, 3])))).toEqual([1])
    expect(() => argmax(zeros([2, 0]))).toThrow(
      new ArgumentError('argmax', 'cannot take the argmax over an empty axis of a tensor of shape [2,0]'),
    )
    // @ts-expect-error: axis 1 is out of range for shape [2]
    expect(() => argmax(zeros([2]), 1)).toThrow(
      new ArgumentError('argmax', 'axis 1 is out of range for a tensor of rank 1'),
    )
  })
})
