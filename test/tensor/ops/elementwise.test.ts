import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  abs,
  add,
  cos,
  DTypeError,
  div,
  equal,
  exp,
  floor,
  greater,
  greaterEqual,
  less,
  lessEqual,
  log,
  log1p,
  maximum,
  minimum,
  mul,
  neg,
  notEqual,
  pow,
  relu,
  ShapeError,
  scalar,
  sigmoid,
  sign,
  sin,
  sqrt,
  sub,
  tanh,
  tensor,
  toFlat,
  where,
  zeros,
} from '../../../src/index.js'
import {
  arbBroadcastPair,
  arbBroadcastShapes,
  arbDType,
  arbFinite,
  arbNaive,
  arbShape,
  arbSmallInt,
  toNaive,
  toTensor,
} from '../../support/arbitraries.js'
import { expand, firstMismatch, naiveBroadcastShape, roundTo, zipWith } from '../../support/naive.js'

type Binary = (a: AnyTensor | number, b: AnyTensor | number) => AnyTensor
type Unary = (x: AnyTensor) => AnyTensor

/** Relative tolerance of a few units in the last place of the dtype. */
const ulps = (dtype: 'float32' | 'float64', count: number) => (value: number) =>
  count * Math.abs(value) * (dtype === 'float32' ? 2 ** -23 : 2 ** -52)

// name, op, the maths in float64, and whether the result is exact (correctly rounded) in both dtypes
const binaries: readonly [string, Binary, (x: number, y: number) => number, boolean][] = [
  ['add', add as Binary, (x, y) => x + y, true],
  ['sub', sub as Binary, (x, y) => x - y, true],
  ['mul', mul as Binary, (x, y) => x * y, true],
  ['div', div as Binary, (x, y) => x / y, true],
  ['pow', pow as Binary, (x, y) => x ** y, false],
  ['maximum', maximum as Binary, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y)), true],
  ['minimum', minimum as Binary, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y)), true],
  ['equal', equal as Binary, (x, y) => (x === y ? 1 : 0), true],
  ['notEqual', notEqual as Binary, (x, y) => (x !== y ? 1 : 0), true],
  ['less', less as Binary, (x, y) => (x < y ? 1 : 0), true],
  ['lessEqual', lessEqual as Binary, (x, y) => (x <= y ? 1 : 0), true],
  ['greater', greater as Binary, (x, y) => (x > y ? 1 : 0), true],
  ['greaterEqual', greaterEqual as Binary, (x, y) => (x >= y ? 1 : 0), true],
]

describe.each(binaries)('%s', (name, op, f, exact) => {
  it('equals the elementwise maths on explicitly expanded operands (broadcasting, rank ≤ 6)', () => {
    const values = name === 'pow' ? fc.double({ min: 0.25, max: 4, noNaN: true }) : arbFinite
    fc.assert(
      fc.property(
        arbBroadcastPair({ maxRank: 6, maxDim: 3 }).chain(([sa, sb]) =>
          fc.tuple(arbNaive(sa, values), arbNaive(sb, fc.oneof(values, arbSmallInt)), arbDType),
        ),
        ([na, nb, dtype]) => {
          const a = toTensor(na, dtype)
          const b = toTensor(nb, dtype)
          const out = op(a, b)
          const shape = naiveBroadcastShape(a.shape, b.shape)!
          expect(out.shape).toEqual(shape)
          expect(out.dtype).toBe(dtype)
          const expected = roundTo(dtype, zipWith(expand(toNaive(a), shape), expand(toNaive(b), shape), f))
          expect(
            firstMismatch(toFlat(out), expected, exact ? () => 0 : (i) => ulps(dtype, 2)(expected[i]!)),
          ).toBe(undefined)
        },
      ),
      { seed: 0x5eed01, numRuns: 120 },
    )
  })

  it('throws a ShapeError naming the op and both shapes when shapes do not broadcast', () => {
    fc.assert(
      fc.property(arbShape({ maxRank: 3, maxDim: 4 }), arbShape({ maxRank: 3, maxDim: 4 }), (sa, sb) => {
        const run = () => op(zeros(sa), zeros(sb))
        if (naiveBroadcastShape(sa, sb) !== undefined) expect(run).not.toThrow()
        // the clashing axis is checked by the broadcastShapes property in test/tensor/shape.test.ts
        else expect(run).toThrow(`${name}: cannot broadcast [${sa.join(',')}] with [${sb.join(',')}]: axis `)
      }),
      { seed: 0x5eed02, numRuns: 150 },
    )
    expect(() => op(zeros([2, 3]), zeros([3, 4]))).toThrow(`${name}: cannot broadcast [2,3] with [3,4]`)
  })

  it('takes a number for either operand, in the dtype of the tensor', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor([1.5, -2, 3], { dtype })
      expect(op(x, 0.1).dtype).toBe(dtype)
      expect(toFlat(op(x, 0.1))).toEqual(toFlat(op(x, scalar(0.1, { dtype }))))
      expect(toFlat(op(0.1, x))).toEqual(toFlat(op(scalar(0.1, { dtype }), x)))
    }
    expect(op(2, 3).dtype).toBe('float32')
    expect(op(2, 3).shape).toEqual([])
  })

  it('refuses to mix float32 and float64 with a DTypeError', () => {
    const a = zeros([2])
    const b = zeros([2], { dtype: 'float64' })
    expect(() => op(a, b)).toThrow(DTypeError)
    expect(() => op(a, b)).toThrow(`${name}: a is float32 but b is float64`)
  })

  it('refuses a non-tensor operand with a DTypeError naming the argument', () => {
    expect(() => op(zeros([2]), 'x' as never)).toThrow(
      new DTypeError(name, 'b must be a tensor or a number, got "x"'),
    )
  })
})

describe('NaN and infinities in binary ops', () => {
  it('maximum and minimum propagate NaN from either side; comparisons with NaN are false', () => {
    const a = tensor([NaN, 1, NaN, Infinity], { dtype: 'float64' })
    const b = tensor([1, NaN, NaN, -Infinity], { dtype: 'float64' })
    expect(toFlat(maximum(a, b))).toEqual([NaN, NaN, NaN, Infinity])
    expect(toFlat(minimum(a, b))).toEqual([NaN, NaN, NaN, -Infinity])
    expect(toFlat(equal(a, b))).toEqual([0, 0, 0, 0])
    expect(toFlat(notEqual(a, b))).toEqual([1, 1, 1, 1])
    expect(toFlat(less(a, b))).toEqual([0, 0, 0, 0])
    expect(toFlat(div(tensor([1, -1, 0]), 0))).toEqual([Infinity, -Infinity, NaN])
  })
})

// name, op, maths, tolerance in ulps (0: exact), input values
const unaries: readonly [string, Unary, (x: number) => number, number, fc.Arbitrary<number>][] = [
  ['neg', neg as Unary, (x) => -x, 0, arbFinite],
  ['abs', abs as Unary, Math.abs, 0, arbFinite],
  ['sign', sign as Unary, Math.sign, 0, fc.oneof(arbFinite, fc.constant(0))],
  ['floor', floor as Unary, Math.floor, 0, fc.oneof(arbFinite, fc.integer({ min: -5, max: 5 }))],
  ['relu', relu as Unary, (x) => Math.max(x, 0), 0, arbFinite],
  ['sqrt', sqrt as Unary, Math.sqrt, 0, fc.double({ min: 0, max: 1e6, noNaN: true })],
  ['exp', exp as Unary, Math.exp, 2, fc.double({ min: -80, max: 80, noNaN: true })],
  ['log', log as Unary, Math.log, 2, fc.double({ min: 1e-6, max: 1e6, noNaN: true })],
  ['log1p', log1p as Unary, Math.log1p, 2, fc.double({ min: -0.999, max: 1e6, noNaN: true })],
  ['sin', sin as Unary, Math.sin, 2, arbFinite],
  ['cos', cos as Unary, Math.cos, 2, arbFinite],
  ['tanh', tanh as Unary, Math.tanh, 2, arbFinite],
  ['sigmoid', sigmoid as Unary, (x) => 1 / (1 + Math.exp(-x)), 4, arbFinite],
]

describe.each(unaries)('%s', (_name, op, f, tolerance, values) => {
  it('equals the maths elementwise and keeps shape and dtype', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 6, maxDim: 3 }).chain((s) => fc.tuple(arbNaive(s, values), arbDType)),
        ([nx, dtype]) => {
          const x = toTensor(nx, dtype)
          const out = op(x)
          expect(out.shape).toEqual(x.shape)
          expect(out.dtype).toBe(dtype)
          const expected = roundTo(dtype, toFlat(x).map(f))
          // an absolute floor of one ulp of 1 covers results that round to (near) zero
          const tol = (i: number) =>
            tolerance === 0 ? 0 : ulps(dtype, tolerance)(Math.max(Math.abs(expected[i]!), 1))
          expect(firstMismatch(toFlat(out), expected, tol)).toBe(undefined)
        },
      ),
      { seed: 0x5eed03, numRuns: 60 },
    )
  })
})

describe('unary edge cases', () => {
  it('sigmoid saturates without NaN at ±1000 in both dtypes', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const expected = roundTo(dtype, [0, 1 / (1 + Math.exp(50)), 0.5, 1 / (1 + Math.exp(-50)), 1])
      const actual = toFlat(sigmoid(tensor([-1000, -50, 0, 50, 1000], { dtype })))
      expect(firstMismatch(actual, expected, (i) => ulps(dtype, 2)(expected[i]!))).toBe(undefined)
    }
  })
  it('log of 0 is -Infinity and of a negative number NaN (IEEE), sqrt(-1) is NaN', () => {
    expect(toFlat(log(tensor([0, -1])))).toEqual([-Infinity, NaN])
    expect(toFlat(sqrt(tensor([-1])))).toEqual([NaN])
  })
  it('refuses a non-tensor with a DTypeError naming the op and argument', () => {
    expect(() => exp(3 as never)).toThrow(new DTypeError('exp', 'x must be a tensor, got 3'))
  })
})

describe('where', () => {
  it('picks a where the condition is non-zero, else b, with all three broadcast (rank ≤ 6)', () => {
    fc.assert(
      fc.property(
        arbBroadcastShapes(3, { maxRank: 6, maxDim: 3 }).chain(([sc, sa, sb]) =>
          fc.tuple(
            arbNaive(sc!, fc.constantFrom(0, 1, -2, 0.5, NaN)),
            arbNaive(sa!, arbFinite),
            arbNaive(sb!, arbFinite),
            arbDType,
          ),
        ),
        ([nc, na, nb, dtype]) => {
          const c = toTensor(nc, 'float32')
          const a = toTensor(na, dtype)
          const b = toTensor(nb, dtype)
          const out = where(c, a, b)
          const shape = naiveBroadcastShape(naiveBroadcastShape(c.shape, a.shape)!, b.shape)!
          expect(out.shape).toEqual(shape)
          expect(out.dtype).toBe(dtype)
          const cs = expand(toNaive(c), shape)
          const as = expand(toNaive(a), shape)
          const bs = expand(toNaive(b), shape)
          expect(toFlat(out)).toEqual(cs.map((v, i) => (v !== 0 ? as[i] : bs[i])))
        },
      ),
      { seed: 0x5eed04, numRuns: 120 },
    )
  })
  it('takes numbers for the branches and names the shapes that do not broadcast', () => {
    const x = tensor([-1, 2, -3])
    expect(toFlat(where(greater(x, 0), x, 0))).toEqual([0, 2, 0])
    const whereAny = where as unknown as (
      c: AnyTensor,
      a: AnyTensor | number,
      b: AnyTensor | number,
    ) => AnyTensor
    expect(() => whereAny(zeros([2]), zeros([3]), 0)).toThrow(
      new ShapeError(
        'where',
        'cannot broadcast [2] with [3]: axis 0 (aligned from the right) is 2 vs 3; dimensions must be equal or 1',
      ),
    )
    expect(() => whereAny(zeros([2]), zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow(DTypeError)
  })
})
