import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, ShapeError } from '../../src/index.js'
import {
  broadcastShapes,
  describe as describeValue,
  maxSize,
  normalizeAxes,
  normalizeAxis,
  shapesEqual,
  sizeOf,
  stridesOf,
  validateShape,
} from '../../src/tensor/shape.js'
import { arbBroadcastPair, arbShape } from '../support/arbitraries.js'
import { naiveBroadcastShape, ravel, sizeOfShape } from '../support/naive.js'

describe('sizeOf and stridesOf', () => {
  it('size is the product of dims; the strides turn a multi-index into its row-major position', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 6, minDim: 1, maxDim: 5 }).chain((s) =>
          fc.tuple(fc.constant(s), fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d - 1 })))),
        ),
        ([shape, index]) => {
          expect(sizeOf(shape)).toBe(sizeOfShape(shape))
          const strides = stridesOf(shape)
          expect(strides.length).toBe(shape.length)
          expect(index.reduce((acc, v, i) => acc + v * strides[i]!, 0)).toBe(ravel(index, shape))
        },
      ),
      { seed: 0x5a9e01, numRuns: 100 },
    )
    expect(sizeOf([])).toBe(1)
    expect(sizeOf([3, 0])).toBe(0)
  })
})

describe('validateShape', () => {
  it('accepts non-negative integer dims and returns a frozen copy', () => {
    const input = [2, 0, 3]
    const out = validateShape('op', input)
    expect(out).toEqual([2, 0, 3])
    expect(out).not.toBe(input)
    expect(Object.isFrozen(out)).toBe(true)
  })

  it('throws a ShapeError naming the op, the argument, the dim and the shape', () => {
    expect(() => validateShape('zeros', [2, -1])).toThrow(
      new ShapeError('zeros', 'shape[1] must be a non-negative integer, got -1 in [2,-1]'),
    )
    expect(() => validateShape('reshape', [NaN], 'target')).toThrow(
      new ShapeError('reshape', 'target[0] must be a non-negative integer, got NaN in [NaN]'),
    )
    expect(() => validateShape('zeros', [2n])).toThrow(
      new ShapeError(
        'zeros',
        'shape[0] must be a non-negative integer, got 2n (a BigInt) in [2n (a BigInt)]',
      ),
    )
    expect(() => validateShape('zeros', { length: 1 })).toThrow(
      new ShapeError('zeros', 'shape must be an array of dimensions, got an object'),
    )
    expect(() => validateShape('zeros', [maxSize + 1])).toThrow(ShapeError)
    expect(validateShape('zeros', [maxSize])).toEqual([maxSize])
  })
})

describe('broadcastShapes', () => {
  it('agrees with the NumPy rule written out, for any pair of shapes (rank ≤ 6)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          arbBroadcastPair({ maxRank: 6 }),
          fc.tuple(arbShape({ maxRank: 6, maxDim: 3 }), arbShape({ maxRank: 6, maxDim: 3 })),
        ),
        ([a, b]) => {
          const expected = naiveBroadcastShape(a, b)
          if (expected === undefined) {
            // the first clashing axis of the right-aligned shapes, written out independently
            const rank = Math.max(a.length, b.length)
            const padded = (s: readonly number[]) => [...Array(rank - s.length).fill(1), ...s]
            const [pa, pb] = [padded(a), padded(b)]
            const axis = pa.findIndex((d, i) => d !== pb[i] && d !== 1 && pb[i] !== 1)
            expect(() => broadcastShapes('add', a, b)).toThrow(
              new ShapeError(
                'add',
                `cannot broadcast [${a.join(',')}] with [${b.join(',')}]: axis ${axis} (aligned from the right) is ${pa[axis]} vs ${pb[axis]}; dimensions must be equal or 1`,
              ),
            )
          } else {
            expect(broadcastShapes('add', a, b)).toEqual(expected)
            expect(broadcastShapes('add', b, a)).toEqual(expected)
          }
        },
      ),
      { seed: 0x5a9e02, numRuns: 300 },
    )
  })

  it('broadcasts 1 against 0 to 0, and a missing axis counts as 1', () => {
    expect(broadcastShapes('add', [1, 3], [0, 1])).toEqual([0, 3])
    expect(broadcastShapes('add', [], [2, 3])).toEqual([2, 3])
    expect(() => broadcastShapes('add', [0], [2])).toThrow(ShapeError)
  })
})

describe('normalizeAxes and normalizeAxis', () => {
  it('map negative axes from the end and sort a list', () => {
    expect(normalizeAxes('sum', undefined, 3)).toEqual([0, 1, 2])
    expect(normalizeAxes('sum', -1, 3)).toEqual([2])
    expect(normalizeAxes('sum', [2, -3], 3)).toEqual([0, 2])
    expect(normalizeAxes('sum', [], 3)).toEqual([])
    expect(normalizeAxis('sum', -1, 1)).toBe(0)
  })

  it('throw an ArgumentError naming the axis and rank', () => {
    expect(() => normalizeAxis('sum', 3, 3)).toThrow(
      new ArgumentError('sum', 'axis 3 is out of range for a tensor of rank 3'),
    )
    expect(() => normalizeAxis('sum', 0, 0)).toThrow(ArgumentError)
    expect(() => normalizeAxes('sum', [0, 0], 2)).toThrow(
      new ArgumentError('sum', 'axis [0,0] repeats an axis'),
    )
    expect(() => normalizeAxis('sum', 1.5, 2)).toThrow(
      new ArgumentError('sum', 'axis must be an integer, got 1.5'),
    )
    expect(() => normalizeAxes('sum', 'x' as never, 2)).toThrow(ArgumentError)
  })
})

describe('shapesEqual and describe', () => {
  it('compare shapes by value and describe values briefly', () => {
    expect(shapesEqual([2, 3], [2, 3])).toBe(true)
    expect(shapesEqual([2, 3], [2])).toBe(false)
    expect(shapesEqual([2, 3], [3, 2])).toBe(false)
    expect(describeValue(NaN)).toBe('NaN')
    expect(describeValue('a')).toBe('"a"')
    expect(describeValue(null)).toBe('null')
    expect(describeValue([1, 2])).toBe('an array of length 2')
    expect(describeValue(new Int8Array(1))).toBe('a Int8Array')
    expect(describeValue(undefined)).toBe('undefined')
  })
})
