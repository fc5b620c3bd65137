/**
 * dropout: the identity at inference; in training, a function of its key (same key, same mask),
 * each element 0 or x/(1 − rate), the kept fraction close to 1 − rate, and a gradient that is the
 * same mask (finite differences, float64); bad rates are errors.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, dropout, mul, normal, sum, type Tensor, tensor, toFlat } from '../../../src/index.js'
import { key } from '../../../src/models/random/index.js'
import { checkGrads } from '../../../src/testing/index.js'

describe('dropout', () => {
  it('is the identity at inference', () => {
    const drop = dropout(0.5, [3])
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(drop.apply(drop.init(key(0)), x)).toBe(x)
  })

  it('keeps each element with probability 1 − rate, scaled by 1/(1 − rate), the mask fixed by the key', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 0.9, noNaN: true }), fc.nat(), (rate, seed) => {
        const drop = dropout(rate, [1000], { dtype: 'float64' })
        const x = normal(key(seed), [4, 1000], { dtype: 'float64' })
        const a = toFlat(drop.applyTraining({}, x, key(seed + 1)))
        const b = toFlat(drop.applyTraining({}, x, key(seed + 1)))
        expect(a).toEqual(b)
        const xs = toFlat(x)
        let kept = 0
        let worst = 0
        a.forEach((v, i) => {
          if (v !== 0) {
            kept++
            worst = Math.max(worst, Math.abs(v - xs[i]! / (1 - rate)) / (1 + Math.abs(v)))
          }
        })
        expect(worst).toBeLessThan(1e-12)
        // 4000 Bernoulli draws: 5 standard deviations of the kept fraction
        const sd = Math.sqrt((rate * (1 - rate)) / 4000)
        expect(Math.abs(kept / 4000 - (1 - rate))).toBeLessThan(5 * sd + 1e-3)
        expect(toFlat(drop.applyTraining({}, x, key(seed + 2)))).not.toEqual(a)
      }),
      { seed: 3, numRuns: 20 },
    )
  })

  it('passes gradients through the kept elements only (finite differences, order 1 and 2)', () => {
    const drop = dropout(0.5, [6], { dtype: 'float64' })
    const x = tensor([[0.3, -1.2, 2.0, 0.5, 1.0, -0.7]], { dtype: 'float64' })
    const weights = tensor([1, 2, 3, 4, 5, 6], { dtype: 'float64' })
    const loss = (v: Tensor<[1, 6], 'float64'>) =>
      sum(mul(mul(drop.applyTraining({}, v, key(7)), v), weights))
    expect(checkGrads(loss, x, { order: 2 }).failures).toEqual([])
  })

  it('rejects a rate outside [0, 1)', () => {
    expect(() => dropout(1, [3])).toThrow(
      new ArgumentError('dropout', 'rate must be a probability in [0, 1), got 1'),
    )
    expect(() => dropout(-0.1, [3])).toThrow(ArgumentError)
    expect(() => dropout(Number.NaN, [3])).toThrow(ArgumentError)
  })

  it('draws its mask with dropoutMasks, which applyMasked multiplies in (the key-taking pass is the same)', () => {
    const drop = dropout(0.25, [2, 3], { dtype: 'float64' })
    const x = normal(key(1), [4, 2, 3], { dtype: 'float64' })
    const masks = drop.dropoutMasks(key(2), 4)
    expect(masks.map((m) => m.shape)).toEqual([[4, 2, 3]])
    expect(new Set(toFlat(masks[0]!))).toEqual(new Set([0, 4 / 3]))
    const xs = toFlat(x)
    const expected = toFlat(masks[0]!).map((m, i) => m * xs[i]!)
    expect(toFlat(drop.applyMasked({}, x, masks))).toEqual(expected)
    expect(toFlat(drop.applyTraining({}, x, key(2)))).toEqual(expected)
    expect(dropout(0, [3]).dropoutMasks(key(0), 2)).toEqual([])
    expect(() => drop.applyMasked({}, x, [])).toThrow('expected 1 dropout masks (from dropoutMasks), got 0')
    expect(() => drop.applyMasked({}, x, drop.dropoutMasks(key(2), 3))).toThrow(
      'mask 1 must be [4,2,3], got [3,2,3]',
    )
  })
})
