import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  max,
  mean,
  min,
  sum,
  tensor,
  toFlat,
  zeros,
} from '../../../src/index.js'
import { arbDType, arbNaive, arbShape, arbSmallInt, toTensor } from '../../support/arbitraries.js'
import { type Naive, naiveReduce, roundTo } from '../../support/naive.js'

type AxisArg = number | readonly number[] | undefined
type Reduction = (x: AnyTensor, axis?: AxisArg, options?: { keepdims?: boolean }) => AnyTensor

/** A tensor and an axis argument in one of its spellings: undefined, a number, or a list (negative axes too). */
const arbReduceCase = (values: fc.Arbitrary<number>, minDim = 0) =>
  arbShape({ maxRank: 6, minDim, maxDim: 3 }).chain((shape) =>
    fc.tuple(
      arbNaive(shape, values),
      fc.oneof(
        fc.constant<AxisArg>(undefined),
        shape.length === 0
          ? fc.constant<AxisArg>([])
          : fc.integer({ min: -shape.length, max: shape.length - 1 }).map((a): AxisArg => a),
        fc
          .shuffledSubarray(shape.map((_, i) => i))
          .chain((axes) =>
            fc
              .array(fc.boolean(), { minLength: axes.length, maxLength: axes.length })
              .map((negative): AxisArg => axes.map((a, i) => (negative[i] ? a - shape.length : a))),
          ),
      ),
      fc.boolean(),
      arbDType,
    ),
  )

const axesOf = (axis: AxisArg, rank: number): number[] =>
  axis === undefined
    ? Array.from({ length: rank }, (_, i) => i)
    : (typeof axis === 'number' ? [axis] : [...axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b)

const nanMax = (acc: number, v: number) => (Number.isNaN(acc) || Number.isNaN(v) ? NaN : Math.max(acc, v))
const nanMin = (acc: number, v: number) => (Number.isNaN(acc) || Number.isNaN(v) ? NaN : Math.min(acc, v))

const reductions: readonly [string, Reduction, (x: Naive, axes: number[], keepdims: boolean) => Naive][] = [
  ['sum', sum as Reduction, (x, axes, keep) => naiveReduce(x, axes, keep, 0, (a, v) => a + v)],
  ['max', max as Reduction, (x, axes, keep) => naiveReduce(x, axes, keep, -Infinity, nanMax)],
  ['min', min as Reduction, (x, axes, keep) => naiveReduce(x, axes, keep, Infinity, nanMin)],
  [
    'mean',
    mean as Reduction,
    (x, axes, keep) => {
      const total = naiveReduce(x, axes, keep, 0, (a, v) => a + v)
      const count = axes.reduce((n, a) => n * x.shape[a]!, 1)
      return { shape: total.shape, data: total.data.map((v) => v / count) }
    },
  ],
]

describe.each(reductions)('%s', (name, op, naive) => {
  // max/min/mean of an empty axis are errors, so their cases have no size-0 dimensions
  const minDim = name === 'sum' ? 0 : 1

  it('agrees with a naive loop over random axes (negative, lists, all), with and without keepdims', () => {
    fc.assert(
      fc.property(arbReduceCase(arbSmallInt, minDim), ([nx, axis, keepdims, dtype]) => {
        const x = toTensor(nx, dtype)
        const out = op(x, axis, { keepdims })
        const expected = naive(nx, axesOf(axis, nx.shape.length), keepdims)
        expect(out.shape).toEqual(expected.shape)
        expect(out.dtype).toBe(dtype)
        expect(toFlat(out)).toEqual(roundTo(dtype, expected.data))
      }),
      { seed: 0x7ed001, numRuns: 250 },
    )
  })

  it('propagates NaN', () => {
    const x = tensor(
      [
        [1, NaN, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64' },
    )
    expect(toFlat(op(x, 1))[0]).toBeNaN()
    expect(toFlat(op(x, 1))[1]).not.toBeNaN()
    expect(toFlat(op(x))[0]).toBeNaN()
  })

  it('throws an ArgumentError naming the op, the axis and the rank for an axis out of range', () => {
    const x = zeros([2, 3])
    expect(() => op(x, 2)).toThrow(new ArgumentError(name, 'axis 2 is out of range for a tensor of rank 2'))
    expect(() => op(x, -3)).toThrow(new ArgumentError(name, 'axis -3 is out of range for a tensor of rank 2'))
    expect(() => op(x, [0, 5])).toThrow(
      new ArgumentError(name, 'axis 5 is out of range for a tensor of rank 2'),
    )
    expect(() => op(x, 0.5)).toThrow(new ArgumentError(name, 'axis must be an integer, got 0.5'))
    expect(() => op(x, [1, -1])).toThrow(new ArgumentError(name, 'axis [1,-1] repeats an axis'))
    expect(() => op(x, '1' as never)).toThrow(ArgumentError)
  })

  it('reduces a rank-0 tensor to itself', () => {
    const s = tensor(7)
    expect(op(s).shape).toEqual([])
    expect(toFlat(op(s))).toEqual([7])
    expect(toFlat(op(s, [], { keepdims: true }))).toEqual([7])
  })
})

describe('empty axes', () => {
  it('sum over an empty axis is 0 (the identity)', () => {
    expect(toFlat(sum(zeros([2, 0]), 1))).toEqual([0, 0])
    expect(toFlat(sum(zeros([0])))).toEqual([0])
    expect(sum(zeros([0, 3]), 1).shape).toEqual([0])
  })

  it('max, min and mean over an empty axis are errors, not ±Infinity or NaN', () => {
    expect(() => max(zeros([2, 0]), 1)).toThrow(
      new ArgumentError('max', 'cannot take the max over an empty axis of a tensor of shape [2,0]'),
    )
    expect(() => min(zeros([0]))).toThrow(
      new ArgumentError('min', 'cannot take the min over an empty axis of a tensor of shape [0]'),
    )
    expect(() => mean(zeros([3, 0]), 1)).toThrow(
      new ArgumentError('mean', 'cannot take the mean over an empty axis of a tensor of shape [3,0]'),
    )
  })

  it('max and min over a non-empty axis of a tensor with another empty axis give an empty result', () => {
    expect(max(zeros([0, 3]), 1).shape).toEqual([0])
    expect(mean(zeros([0, 3]), 1, { keepdims: true }).shape).toEqual([0, 1])
  })
})
