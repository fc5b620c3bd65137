import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  clip,
  logSigmoid,
  logSoftmax,
  logsumexp,
  softmax,
  softplus,
  square,
  tensor,
  toArray,
  toFlat,
} from '../../../src/index.js'
import { arbDType, arbNaive, arbShape, toNaive, toTensor } from '../../support/arbitraries.js'
import { firstMismatch, naiveReduce, roundTo } from '../../support/naive.js'

type AxisArg = number | readonly number[] | undefined
const lse = logsumexp as unknown as (
  x: AnyTensor,
  axis?: AxisArg,
  options?: { keepdims?: boolean },
) => AnyTensor

/** Tolerance: a few float32 (or float64) ulps of the magnitude, with a floor at magnitude 1. */
const close =
  (dtype: 'float32' | 'float64', expected: readonly number[], count = 4) =>
  (i: number) =>
    count * Math.max(1, Math.abs(expected[i]!)) * (dtype === 'float32' ? 2 ** -23 : 2 ** -52)

/** log Σ exp over axes, in float64 with the maximum subtracted. */
const naiveLogsumexp = (
  x: { shape: readonly number[]; data: readonly number[] },
  axes: number[],
  keepdims: boolean,
) => {
  const m = naiveReduce(x, axes, true, -Infinity, (a, v) => Math.max(a, v))
  const kept = m.shape
  const shifted = x.data.map((v, flat) => {
    // the index of this element's reduced position
    let index = flat
    let o = 0
    let stride = 1
    for (let d = x.shape.length - 1; d >= 0; d--) {
      const i = index % x.shape[d]!
      index = Math.floor(index / x.shape[d]!)
      o += (axes.includes(d) ? 0 : i) * stride
      stride *= kept[d]!
    }
    const shift = Number.isFinite(m.data[o]!) ? m.data[o]! : 0
    return Math.exp(v - shift)
  })
  const total = naiveReduce({ shape: x.shape, data: shifted }, axes, keepdims, 0, (a, v) => a + v)
  return {
    shape: total.shape,
    data: total.data.map((s, i) => {
      const shift = Number.isFinite(m.data[i]!) ? m.data[i]! : 0
      return Math.log(s) + shift
    }),
  }
}

describe('logsumexp', () => {
  it('equals log Σ exp computed in float64 over random axes, for values as large as ±1000', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 4, minDim: 1, maxDim: 3 }).chain((s) =>
          fc.tuple(
            arbNaive(s, fc.double({ min: -1000, max: 1000, noNaN: true })),
            fc.shuffledSubarray(s.map((_, i) => i)),
            fc.boolean(),
            arbDType,
          ),
        ),
        ([nx, axes, keepdims, dtype]) => {
          const x = toTensor(nx, dtype)
          const out = lse(x, axes, { keepdims })
          const sorted = [...axes].sort((a, b) => a - b)
          const expected = naiveLogsumexp(toNaive(x), sorted, keepdims)
          expect(out.shape).toEqual(expected.shape)
          expect(out.dtype).toBe(dtype)
          expect(firstMismatch(toFlat(out), expected.data, close(dtype, expected.data))).toBe(undefined)
        },
      ),
      { seed: 0x10c501, numRuns: 150 },
    )
  })

  it('gives 1000 + log 2 for [1000, 1000] and -1000 + log 2 for [-1000, -1000] in both dtypes', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const got = toFlat(
        lse(
          tensor(
            [
              [1000, 1000],
              [-1000, -1000],
            ],
            { dtype },
          ),
          1,
        ),
      )
      const want = roundTo(dtype, [1000 + Math.LN2, -1000 + Math.LN2])
      expect(firstMismatch(got, want, close(dtype, want, 1))).toBe(undefined)
    }
  })

  it('gives -Infinity for all -Infinity entries, and ignores -Infinity next to finite entries', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      expect(toFlat(lse(tensor([-Infinity, -Infinity, -Infinity], { dtype })))).toEqual([-Infinity])
      expect(
        toFlat(
          lse(
            tensor(
              [
                [-Infinity, -Infinity],
                [-Infinity, 3],
              ],
              { dtype },
            ),
            1,
          ),
        ),
      ).toEqual([-Infinity, 3])
      expect(toFlat(lse(tensor([Infinity, 1], { dtype })))).toEqual([Infinity])
    }
  })

  it('keeps reduced axes with keepdims and rejects axes out of range', () => {
    expect(lse(tensor([[1, 2, 3]]), 1, { keepdims: true }).shape).toEqual([1, 1])
    expect(lse(tensor([[1, 2, 3]])).shape).toEqual([])
    expect(() => lse(tensor([[1, 2, 3]]), 2)).toThrow(ArgumentError)
  })
})

describe('softmax and logSoftmax', () => {
  it('logits of ±1000 give finite, correct probabilities in float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor(
        [
          [1000, 0, -1000],
          [-1000, -1000, -1000],
          [1000, 1000, 1000],
          [-1000, 1000, -1000],
        ],
        { dtype },
      )
      const p = toArray(softmax(x)) as number[][]
      expect(p.flat().every(Number.isFinite)).toBe(true)
      expect(p[0]).toEqual([1, 0, 0])
      expect(p[3]).toEqual([0, 1, 0])
      const third = roundTo(dtype, [1 / 3])[0]!
      for (const row of [p[1]!, p[2]!])
        expect(firstMismatch(row, [third, third, third], close(dtype, [third, third, third], 2))).toBe(
          undefined,
        )
      const lp = toArray(logSoftmax(x)) as number[][]
      expect(lp.flat().every(Number.isFinite)).toBe(true)
      expect(lp[0]).toEqual([0, -1000, -2000])
      expect(
        firstMismatch(lp[1]!, roundTo(dtype, [-Math.log(3), -Math.log(3), -Math.log(3)]), () => 1e-6),
      ).toBe(undefined)
    }
    expect(toFlat(logSoftmax(tensor([-1000, -1000])))).toEqual(roundTo('float32', [-Math.LN2, -Math.LN2]))
  })

  it('rows are probabilities: in [0, 1], summing to 1, and equal exp(x − logsumexp(x)) along any axis', () => {
    fc.assert(
      fc.property(
        arbShape({ minRank: 1, maxRank: 4, minDim: 1, maxDim: 4 }).chain((s) =>
          fc.tuple(
            arbNaive(s, fc.double({ min: -1000, max: 1000, noNaN: true })),
            fc.integer({ min: -s.length, max: s.length - 1 }),
            arbDType,
          ),
        ),
        ([nx, axis, dtype]) => {
          const x = toTensor(nx, dtype)
          const p = softmax(x, axis)
          const a = axis < 0 ? axis + nx.shape.length : axis
          const probabilities = toFlat(p)
          expect(probabilities.every((v) => v >= 0 && v <= 1)).toBe(true)
          const sums = naiveReduce(toNaive(p), [a], false, 0, (s, v) => s + v)
          const n = nx.shape[a]!
          expect(
            firstMismatch(
              sums.data,
              sums.data.map(() => 1),
              () => n * (dtype === 'float32' ? 2 ** -22 : 2 ** -50),
            ),
          ).toBe(undefined)
          const lseKept = naiveLogsumexp(toNaive(x), [a], true)
          const expected = toFlat(x).map((v, flat) => {
            const outer = Math.floor(flat / (n * stride(nx.shape, a)))
            const inner = flat % stride(nx.shape, a)
            return Math.exp(v - lseKept.data[outer * stride(nx.shape, a) + inner]!)
          })
          expect(firstMismatch(probabilities, expected, () => (dtype === 'float32' ? 2e-6 : 1e-13))).toBe(
            undefined,
          )
        },
      ),
      { seed: 0x10c502, numRuns: 150 },
    )
  })
})

const stride = (shape: readonly number[], axis: number) => shape.slice(axis + 1).reduce((a, b) => a * b, 1)

describe('square, softplus, logSigmoid, clip', () => {
  it('square equals x·x', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 3 }).chain((s) =>
          fc.tuple(arbNaive(s, fc.double({ min: -1e3, max: 1e3, noNaN: true })), arbDType),
        ),
        ([nx, dtype]) => {
          const x = toTensor(nx, dtype)
          expect(toFlat(square(x))).toEqual(
            roundTo(
              dtype,
              toFlat(x).map((v) => v * v),
            ),
          )
        },
      ),
      { seed: 0x10c503, numRuns: 50 },
    )
  })

  it('softplus is log(1 + eˣ) without overflow, and logSigmoid is −softplus(−x)', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 3 }).chain((s) =>
          fc.tuple(arbNaive(s, fc.double({ min: -30, max: 30, noNaN: true })), arbDType),
        ),
        ([nx, dtype]) => {
          const x = toTensor(nx, dtype)
          const want = roundTo(
            dtype,
            toFlat(x).map((v) => Math.log1p(Math.exp(v))),
          )
          expect(firstMismatch(toFlat(softplus(x)), want, close(dtype, want))).toBe(undefined)
          const wantLog = roundTo(
            dtype,
            toFlat(x).map((v) => -Math.log1p(Math.exp(-v))),
          )
          expect(firstMismatch(toFlat(logSigmoid(x)), wantLog, close(dtype, wantLog))).toBe(undefined)
        },
      ),
      { seed: 0x10c504, numRuns: 50 },
    )
    expect(toFlat(softplus(tensor([1000, -1000], { dtype: 'float64' })))).toEqual([1000, 0])
    expect(toFlat(logSigmoid(tensor([-1000, 1000], { dtype: 'float64' })))).toEqual([-1000, -0])
  })

  it('clip clamps to [lo, hi]', () => {
    expect(toFlat(clip(tensor([-5, 0.5, 5]), 0, 1))).toEqual([0, 0.5, 1])
  })
})
