import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  arange,
  DTypeError,
  eye,
  fromArray,
  fromArrayOrThrow,
  full,
  linspace,
  type NablaError,
  ones,
  ShapeError,
  scalar,
  tensor,
  toArray,
  toFlat,
  zeros,
} from '../../src/index.js'
import { arbData, arbDType, arbFinite, arbShape } from '../support/arbitraries.js'
import { nest, roundTo, sizeOfShape } from '../support/naive.js'

const leftOf = <A>(r: E.Either<NablaError, A>): NablaError => {
  if (E.isRight(r)) throw new Error('expected a Left, got a Right')
  return r.left
}

describe('tensor', () => {
  it('infers the shape of any nested array and keeps its values in row-major order', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 6, maxDim: 3 }).chain((s) =>
          fc.tuple(fc.constant(s), arbData(s, arbFinite), arbDType),
        ),
        ([shape, data, dtype]) => {
          const t = tensor(nest(shape, data) as never, { dtype })
          // a nested array cannot express the dimensions after a 0
          const seen = shape.includes(0) ? shape.slice(0, shape.indexOf(0) + 1) : shape
          expect(t.shape).toEqual(seen)
          expect(t.dtype).toBe(dtype)
          expect(toFlat(t)).toEqual(roundTo(dtype, data))
        },
      ),
      { seed: 0xc0de01, numRuns: 150 },
    )
    expect(tensor(5).shape).toEqual([])
    expect(tensor([]).shape).toEqual([0])
    expect(tensor([[], []]).shape).toEqual([2, 0])
    expect(tensor([1, 2]).dtype).toBe('float32')
  })

  it('throws a ShapeError naming the path of a ragged row', () => {
    expect(() => tensor([[1, 2], [3]] as never)).toThrow(
      new ShapeError('tensor', 'ragged nested array: data[1] has length 1 but its siblings have length 2'),
    )
    expect(() =>
      tensor([
        [
          [1, 2],
          [3, 4],
        ],
        [[5, 6], [7]],
      ] as never),
    ).toThrow('tensor: ragged nested array: data[1][1] has length 1 but its siblings have length 2')
    expect(() => tensor([[1], 2] as never)).toThrow(
      new ShapeError('tensor', 'ragged nested array: data[1] is 2 but its siblings have length 1'),
    )
    expect(() => tensor([1, [2]] as never)).toThrow(
      new ShapeError(
        'tensor',
        'ragged nested array: data[1] is an array of length 1 but its siblings are numbers',
      ),
    )
    expect(() => tensor([[], [1]] as never)).toThrow(ShapeError)
  })

  it('throws a DTypeError naming the path of a value that is not a number', () => {
    expect(() => tensor([[1, 'a']] as never)).toThrow(
      new DTypeError('tensor', 'data[0][1] must be a number, got "a"'),
    )
    expect(() => tensor([1, 2n] as never)).toThrow(
      new DTypeError('tensor', 'data[1] must be a number, got 2n (a BigInt); convert it with Number()'),
    )
    expect(() => tensor([null] as never)).toThrow(DTypeError)
    expect(() => tensor([1], { dtype: 'int32' as never })).toThrow(
      new DTypeError('tensor', "dtype must be 'float32' or 'float64', got \"int32\""),
    )
  })

  it('copies its input: changing the array afterwards does not change the tensor', () => {
    const rows = [
      [1, 2],
      [3, 4],
    ]
    const t = tensor(rows)
    rows[0]![0] = 99
    rows.push([5, 6])
    expect(toArray(t)).toEqual([
      [1, 2],
      [3, 4],
    ])
  })
})

describe('scalar, full, zeros, ones', () => {
  it('fill a shape with one value in the asked dtype', () => {
    fc.assert(
      fc.property(arbShape({ maxRank: 6, maxDim: 3 }), arbFinite, arbDType, (shape, value, dtype) => {
        const n = sizeOfShape(shape)
        for (const [t, v] of [
          [full(shape, value, { dtype }), value],
          [zeros(shape, { dtype }), 0],
          [ones(shape, { dtype }), 1],
        ] as const) {
          expect(t.shape).toEqual(shape)
          expect(t.dtype).toBe(dtype)
          expect(t.size).toBe(n)
          expect(toFlat(t)).toEqual(roundTo(dtype, new Array(n).fill(v)))
        }
      }),
      { seed: 0xc0de02, numRuns: 60 },
    )
    expect(toFlat(scalar(2.5, { dtype: 'float64' }))).toEqual([2.5])
    expect(scalar(0.1).dtype).toBe('float32')
    expect(toFlat(scalar(0.1))).toEqual([Math.fround(0.1)])
  })

  it('throw a ShapeError naming the bad dimension and the whole shape', () => {
    expect(() => zeros([2, -1])).toThrow(
      new ShapeError('zeros', 'shape[1] must be a non-negative integer, got -1 in [2,-1]'),
    )
    expect(() => ones([1.5])).toThrow(
      new ShapeError('ones', 'shape[0] must be a non-negative integer, got 1.5 in [1.5]'),
    )
    expect(() => zeros([NaN])).toThrow(
      new ShapeError('zeros', 'shape[0] must be a non-negative integer, got NaN in [NaN]'),
    )
    expect(() => zeros(3 as never)).toThrow(
      new ShapeError('zeros', 'shape must be an array of dimensions, got 3'),
    )
    expect(() => zeros([65536, 65536])).toThrow(
      new ShapeError(
        'zeros',
        'shape [65536,65536] has 4294967296 elements, more than the 2147483647 allowed',
      ),
    )
    expect(() => full([2], 'x' as never)).toThrow(new DTypeError('full', 'value must be a number, got "x"'))
    expect(() => scalar(1n as never)).toThrow(DTypeError)
  })

  it('copy the shape: changing the caller’s array afterwards does not change the tensor, and t.shape is frozen', () => {
    const shape = [2, 3]
    const t = zeros(shape)
    shape[0] = 7
    expect(t.shape).toEqual([2, 3])
    expect(Object.isFrozen(t.shape)).toBe(true)
    expect(() => {
      ;(t.shape as number[])[0] = 5
    }).toThrow(TypeError)
  })
})

describe('arange, linspace, eye', () => {
  it('arange gives start + i·step below stop', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: -5, max: 5 }).filter((s) => s !== 0),
        (start, stop, step) => {
          const expected: number[] = []
          for (let v = start; step > 0 ? v < stop : v > stop; v += step) expected.push(v)
          expect(toFlat(arange(start, stop, step, { dtype: 'float64' }))).toEqual(expected)
        },
      ),
      { seed: 0xc0de03, numRuns: 100 },
    )
    expect(toFlat(arange(4))).toEqual([0, 1, 2, 3])
    expect(toFlat(arange(1, 2, 0.5))).toEqual([1, 1.5])
    expect(() => arange(0, 1, 0)).toThrow(new ArgumentError('arange', 'step must not be 0'))
    expect(() => arange(0, Infinity)).toThrow(
      new ArgumentError('arange', 'stop must be a finite number, got Infinity'),
    )
    expect(() => arange(NaN)).toThrow(ArgumentError)
  })

  it('linspace includes both ends', () => {
    expect(toFlat(linspace(0, 1, 5, { dtype: 'float64' }))).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(toFlat(linspace(3, 7, 1))).toEqual([3])
    expect(linspace(0, 1, 0).shape).toEqual([0])
    expect(() => linspace(0, 1, -1)).toThrow(ShapeError)
    expect(() => linspace(0, NaN, 3)).toThrow(ArgumentError)
  })

  it('eye has ones on the diagonal only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (n, m) => {
        const t = eye(n, m)
        expect(t.shape).toEqual([n, m])
        expect(toArray(t)).toEqual(
          Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : 0))),
        )
      }),
      { seed: 0xc0de04, numRuns: 40 },
    )
    expect(eye(3).shape).toEqual([3, 3])
    expect(() => eye(-1)).toThrow(ShapeError)
  })
})

describe('fromArray', () => {
  it('returns a Right holding the data in the given shape', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 6, maxDim: 3 }).chain((s) =>
          fc.tuple(fc.constant(s), arbData(s, arbFinite), arbDType),
        ),
        ([shape, data, dtype]) => {
          const r = fromArray(data, shape, { dtype })
          expect(E.isRight(r)).toBe(true)
          if (E.isRight(r)) {
            expect(r.right.shape).toEqual(shape)
            expect(r.right.dtype).toBe(dtype)
            expect(toFlat(r.right)).toEqual(roundTo(dtype, data))
          }
        },
      ),
      { seed: 0xc0de05, numRuns: 100 },
    )
  })

  it('returns a Left ShapeError naming both counts when the length does not match the shape', () => {
    fc.assert(
      fc.property(arbShape({ maxRank: 4, maxDim: 4 }), fc.integer({ min: 0, max: 70 }), (shape, length) => {
        const n = sizeOfShape(shape)
        fc.pre(length !== n)
        const e = leftOf(fromArray(new Array<number>(length).fill(1), shape))
        expect(e).toBeInstanceOf(ShapeError)
        expect(e.message).toBe(
          `fromArray: data has ${length} values but shape [${shape.join(',')}] needs ${n}`,
        )
      }),
      { seed: 0xc0de06, numRuns: 100 },
    )
  })

  it('returns a Left ShapeError for negative, fractional, NaN or infinite dimensions, naming the dimension', () => {
    for (const [dims, bad, shown] of [
      [[2, -3], 1, '-3'],
      [[2.5, 2], 0, '2.5'],
      [[NaN], 0, 'NaN'],
      [[Infinity], 0, 'Infinity'],
      [[1, '2'], 1, '"2"'],
    ] as const) {
      const e = leftOf(fromArray([1, 2, 3, 4, 5, 6], dims as never))
      expect(e).toBeInstanceOf(ShapeError)
      expect(e.message).toContain(`fromArray: shape[${bad}] must be a non-negative integer, got ${shown}`)
    }
    expect(leftOf(fromArray([1], null as never))).toBeInstanceOf(ShapeError)
  })

  it('returns a Left DTypeError for values that are not numbers, naming the index', () => {
    expect(leftOf(fromArray([1, 'x', 3] as never, [3]))).toEqual(
      new DTypeError('fromArray', 'data[1] must be a number, got "x"'),
    )
    const big = leftOf(fromArray([1, 2n] as never, [2]))
    expect(big).toBeInstanceOf(DTypeError)
    expect(big.message).toBe(
      'fromArray: data[1] must be a number, got 2n (a BigInt); convert it with Number()',
    )
    expect(leftOf(fromArray([[1, 2]] as never, [2]))).toBeInstanceOf(DTypeError)
    expect(leftOf(fromArray('123' as never, [3]))).toBeInstanceOf(DTypeError)
    expect(leftOf(fromArray([1], [1], { dtype: 'float16' as never }))).toBeInstanceOf(DTypeError)
  })

  it('returns a Left DTypeError for integer typed arrays and for a typed array of the other dtype', () => {
    for (const data of [new Int32Array(2), new Uint8Array(2), new BigInt64Array(2), new Int16Array(2)]) {
      const e = leftOf(fromArray(data as never, [2]))
      expect(e).toBeInstanceOf(DTypeError)
      expect(e.message).toContain(`fromArray: data is a ${data.constructor.name}`)
    }
    expect(leftOf(fromArray(new Float64Array(2), [2], { dtype: 'float32' }))).toBeInstanceOf(DTypeError)
    expect(leftOf(fromArray(new Float32Array(2), [2], { dtype: 'float64' }))).toBeInstanceOf(DTypeError)
  })

  it('takes the dtype of a typed array when none is asked for', () => {
    expect(fromArrayOrThrow(new Float64Array([0.1]), [1]).dtype).toBe('float64')
    expect(toFlat(fromArrayOrThrow(new Float64Array([0.1]), [1]))).toEqual([0.1])
    expect(fromArrayOrThrow(new Float32Array([0.1]), [1]).dtype).toBe('float32')
  })

  it('copies typed arrays and number arrays: changing them afterwards does not change the tensor', () => {
    for (const data of [new Float32Array([1, 2, 3, 4]), new Float64Array([1, 2, 3, 4]), [1, 2, 3, 4]]) {
      const t = fromArrayOrThrow(data, [2, 2])
      data[0] = 99
      expect(toFlat(t)).toEqual([1, 2, 3, 4])
    }
  })

  it('fromArrayOrThrow throws the same errors', () => {
    expect(() => fromArrayOrThrow([1, 2, 3], [2, 2])).toThrow(
      new ShapeError('fromArray', 'data has 3 values but shape [2,2] needs 4'),
    )
  })
})
