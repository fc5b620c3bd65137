/**
 * Samplers: determinism, independence of split streams, the distributions (bounds are 6 standard
 * errors, or a Kolmogorov–Smirnov test at α = 1e-6), and argument errors.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toFlat } from '../../../src/io/index.js'
import {
  bernoulli,
  key,
  normal,
  permutation,
  randint,
  split,
  uniform,
} from '../../../src/models/random/index.js'
import { ArgumentError, DTypeError, ShapeError } from '../../../src/tensor/index.js'

const mean = (xs: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < xs.length; i++) s += xs[i]!
  return s / xs.length
}
const variance = (xs: ArrayLike<number>): number => {
  const m = mean(xs)
  let s = 0
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2
  return s / (xs.length - 1)
}
/** Kolmogorov–Smirnov statistic of a sample against a CDF. */
const ksStatistic = (xs: ArrayLike<number>, cdf: (x: number) => number): number => {
  const sorted = Float64Array.from(xs).sort()
  let d = 0
  for (let i = 0; i < sorted.length; i++) {
    const f = cdf(sorted[i]!)
    d = Math.max(d, (i + 1) / sorted.length - f, f - i / sorted.length)
  }
  return d
}
/** Critical KS distance at significance α for n samples (asymptotic). */
const ksCritical = (n: number, alpha = 1e-6): number => Math.sqrt(Math.log(2 / alpha) / (2 * n))
/** Standard normal CDF via Abramowitz & Stegun 7.1.26 (error < 1.5e-7, far below the KS bound). */
const normalCdf = (x: number): number => {
  const z = Math.abs(x) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * z)
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
  const erf = 1 - poly * Math.exp(-z * z)
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf)
}

describe('determinism and independence', () => {
  const shape = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 })
  it('the same key gives the same numbers from every sampler', () => {
    fc.assert(
      fc.property(
        fc.maxSafeInteger(),
        shape,
        fc.constantFrom('float32', 'float64' as const),
        (seed, s, dtype) => {
          const draw = () => [
            toFlat(uniform(key(seed), s, { dtype })),
            toFlat(normal(key(seed), s, { dtype })),
            toFlat(bernoulli(key(seed), s, 0.3, { dtype })),
            toFlat(randint(key(seed), s, { min: -3, max: 9, dtype })),
            permutation(key(seed), 20),
          ]
          expect(draw()).toEqual(draw())
        },
      ),
      { seed: 105, numRuns: 60 },
    )
  })
  it('split keys give different streams', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        const streams = split(key(seed), 4).map((k) => toFlat(uniform(k, [16])).join(','))
        expect(new Set(streams).size).toBe(4)
        const [a, b] = split(key(seed))
        const x = toFlat(normal(a, [1000], { dtype: 'float64' }))
        const y = toFlat(normal(b, [1000], { dtype: 'float64' }))
        // correlation of independent streams: |r| < 6/sqrt(n)
        const r =
          x.reduce((s, v, i) => s + v * y[i]!, 0) /
          Math.sqrt(x.reduce((s, v) => s + v * v, 0) * y.reduce((s, v) => s + v * v, 0))
        expect(Math.abs(r)).toBeLessThan(6 / Math.sqrt(1000))
      }),
      { seed: 106, numRuns: 20 },
    )
  })
  it('a prefix of a draw does not depend on its length (counter-based)', () => {
    expect(toFlat(uniform(key(3), [10])).slice(0, 4)).toEqual(toFlat(uniform(key(3), [4])))
  })
})

describe('distributions', () => {
  const n = 100_000
  const seeds = fc.integer({ min: 0, max: 2 ** 32 - 1 })
  it('uniform: in [min, max), mean, variance and KS distance within bounds', () => {
    fc.assert(
      fc.property(seeds, fc.constantFrom('float32', 'float64' as const), (seed, dtype) => {
        const xs = toFlat(uniform(key(seed), [n], { dtype }))
        expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
        expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(6 * Math.sqrt(1 / 12 / n))
        expect(Math.abs(variance(xs) - 1 / 12)).toBeLessThan(6 * Math.sqrt((1 / 80 - 1 / 144) / n))
        expect(ksStatistic(xs, (x) => x)).toBeLessThan(ksCritical(n))
      }),
      { seed: 107, numRuns: 4 },
    )
    const ys = toFlat(uniform(key(9), [1000], { min: -3, max: 5 }))
    expect(ys.every((y) => y >= -3 && y < 5)).toBe(true)
  })
  it('uniform never returns max, even when rounding would', () => {
    const max = Math.fround(1 + 2 ** -23)
    const xs = toFlat(uniform(key(1), [1000], { min: 1, max }))
    expect(xs.every((x) => x === 1)).toBe(true)
    const big = toFlat(uniform(key(2), [1000], { min: 0, max: 2 ** 60, dtype: 'float64' }))
    expect(big.every((x) => x >= 0 && x < 2 ** 60)).toBe(true)
  })
  it('normal: mean, variance and KS distance within bounds; mean and std shift and scale', () => {
    fc.assert(
      fc.property(seeds, fc.constantFrom('float32', 'float64' as const), (seed, dtype) => {
        const xs = toFlat(normal(key(seed), [n], { dtype }))
        expect(Math.abs(mean(xs))).toBeLessThan(6 / Math.sqrt(n))
        expect(Math.abs(variance(xs) - 1)).toBeLessThan(6 * Math.sqrt(2 / n))
        expect(ksStatistic(xs, normalCdf)).toBeLessThan(ksCritical(n))
      }),
      { seed: 108, numRuns: 4 },
    )
    const z = toFlat(normal(key(5), [50], { dtype: 'float64' }))
    const scaled = toFlat(normal(key(5), [50], { mean: 3, std: 2, dtype: 'float64' }))
    for (const [i, v] of scaled.entries()) expect(v).toBeCloseTo(3 + 2 * z[i]!, 12)
  })
  it('bernoulli: 0/1 values with mean p', () => {
    fc.assert(
      fc.property(seeds, fc.double({ min: 0, max: 1, noNaN: true }), (seed, p) => {
        const xs = toFlat(bernoulli(key(seed), [n], p))
        expect(xs.every((x) => x === 0 || x === 1)).toBe(true)
        // 6 standard errors, plus one count for the discreteness when p(1 − p) is tiny
        expect(Math.abs(mean(xs) - p)).toBeLessThanOrEqual(6 * Math.sqrt((p * (1 - p)) / n) + 1 / n)
      }),
      { seed: 109, numRuns: 10 },
    )
    expect(toFlat(bernoulli(key(0), [100], 0)).every((x) => x === 0)).toBe(true)
    expect(toFlat(bernoulli(key(0), [100], 1)).every((x) => x === 1)).toBe(true)
  })
  it('randint: integers in [min, max), each value with frequency within 6σ', () => {
    fc.assert(
      fc.property(
        seeds,
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 1, max: 13 }),
        (seed, min, span) => {
          const xs = toFlat(randint(key(seed), [20_000], { min, max: min + span }))
          const counts = new Array<number>(span).fill(0)
          expect(xs.every((x) => Number.isInteger(x) && x >= min && x < min + span)).toBe(true)
          for (const x of xs) counts[x - min]!++
          const p = 1 / span
          for (const c of counts)
            expect(Math.abs(c - 20_000 * p)).toBeLessThanOrEqual(6 * Math.sqrt(20_000 * p * (1 - p)))
        },
      ),
      { seed: 110, numRuns: 10 },
    )
    // the widest range: the rejection threshold is exact
    const wide = toFlat(randint(key(1), [100], { min: -(2 ** 31), max: 2 ** 31, dtype: 'float64' }))
    expect(wide.every((x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31)).toBe(true)
  })
  it('permutation: always a permutation of 0..n-1', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: 300 }), (seed, size) => {
        const p = permutation(key(seed), size)
        expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: size }, (_, i) => i))
      }),
      { seed: 111, numRuns: 100 },
    )
  })
  it('permutation: all 6 orders of 3 items are equally likely', () => {
    const runs = 12_000
    const counts = new Map<string, number>()
    for (const k of split(key(12), runs)) {
      const id = permutation(k, 3).join('')
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    expect(counts.size).toBe(6)
    for (const c of counts.values())
      expect(Math.abs(c - runs / 6)).toBeLessThan(6 * Math.sqrt((runs * 5) / 36))
  })
})

describe('argument errors', () => {
  it('bad distribution parameters are ArgumentErrors; bad shapes and dtypes have their own errors', () => {
    for (const p of [-0.1, 1.1, Number.NaN]) expect(() => bernoulli(key(0), [2], p)).toThrow(ArgumentError)
    expect(() => uniform(key(0), [2], { min: 1, max: 1 })).toThrow(/uniform: needs min < max/)
    expect(() => uniform(key(0), [2], { min: Number.NaN })).toThrow(/min must be a finite number, got NaN/)
    expect(() => uniform(key(0), [2], { min: -3e38, max: 3e38 })).toThrow(ArgumentError)
    expect(() => normal(key(0), [2], { std: -1 })).toThrow(/normal: std must be ≥ 0/)
    expect(() => randint(key(0), [2], { max: 0 })).toThrow(/randint: needs min < max/)
    expect(() => randint(key(0), [2], { max: 2 ** 25 })).toThrow(ArgumentError)
    expect(() => randint(key(0), [2], { min: 0.5, max: 3 })).toThrow(ArgumentError)
    expect(() => uniform(key(0), [2, -1])).toThrow(ShapeError)
    expect(() => normal(key(0), [2 ** 31])).toThrow(ShapeError)
    expect(() => uniform(key(0), [2], { dtype: 'int32' as 'float32' })).toThrow(DTypeError)
  })
})
