/**
 * Initialisers: fans, the bound or standard deviation each one promises (uniform bounds exactly,
 * standard deviations within 5 standard errors of the sample estimate), determinism per key, and
 * argument errors.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, toFlat } from '../../src/index.js'
import {
  fans,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  initializers,
  ngUniform,
  zerosInit,
} from '../../src/models/init.js'
import { key, split } from '../../src/models/random/index.js'

const stats = (xs: readonly number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length
  return { mean, std: Math.sqrt(variance), maxAbs: Math.max(...xs.map(Math.abs)) }
}

describe('fans', () => {
  it('reads [in, out] and multiplies leading axes into both', () => {
    expect(fans([784, 128])).toEqual({ fanIn: 784, fanOut: 128 })
    expect(fans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 })
  })
  it('rejects rank < 2 and zero fans', () => {
    expect(() => fans([5])).toThrow(ArgumentError)
    expect(() => fans([0, 4])).toThrow(/zero fan/)
  })
})

describe('uniform initialisers', () => {
  const cases = [
    ['glorotUniform', glorotUniform, (i: number, o: number) => Math.sqrt(6 / (i + o))],
    ['heUniform', heUniform, (i: number) => Math.sqrt(6 / i)],
    ['ngUniform', ngUniform, (i: number, o: number) => Math.sqrt(6) / Math.sqrt(i + o)],
  ] as const
  for (const [name, init, bound] of cases)
    it(`${name} stays inside ±a, fills it (max |w| near a) and has std a/√3`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 20, max: 60 }),
          fc.integer({ min: 20, max: 60 }),
          fc.nat(1000),
          (i, o, seed) => {
            const a = bound(i, o)
            const w = init(key(seed), [i, o], { dtype: 'float64' })
            expect(w.shape).toEqual([i, o])
            const s = stats(toFlat(w))
            expect(s.maxAbs).toBeLessThan(a)
            expect(s.maxAbs).toBeGreaterThan(0.95 * a)
            // the sample std of n uniforms has a standard error of about 0.45·σ/√n
            const sigma = a / Math.sqrt(3)
            expect(Math.abs(s.std - sigma)).toBeLessThan((5 * 0.45 * sigma) / Math.sqrt(i * o))
          },
        ),
        { seed: 3, numRuns: 10 },
      )
    })
})

describe('normal initialisers', () => {
  const cases = [
    ['glorotNormal', glorotNormal, (i: number, o: number) => Math.sqrt(2 / (i + o))],
    ['heNormal', heNormal, (i: number) => Math.sqrt(2 / i)],
  ] as const
  for (const [name, init, sigmaOf] of cases)
    it(`${name} has mean 0 and the promised std (within 5 standard errors)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 30, max: 80 }),
          fc.integer({ min: 30, max: 80 }),
          fc.nat(1000),
          (i, o, seed) => {
            const sigma = sigmaOf(i, o)
            const n = i * o
            const s = stats(toFlat(init(key(seed), [i, o], { dtype: 'float64' })))
            expect(Math.abs(s.mean)).toBeLessThan((5 * sigma) / Math.sqrt(n))
            expect(Math.abs(s.std - sigma)).toBeLessThan((5 * sigma) / Math.sqrt(2 * n))
          },
        ),
        { seed: 4, numRuns: 10 },
      )
    })
})

describe('determinism and options', () => {
  it('the same key gives the same weights; split keys give different ones', () => {
    for (const init of Object.values(initializers)) {
      const [a, b] = split(key(9))
      expect(toFlat(init(a, [5, 4]))).toEqual(toFlat(init(a, [5, 4])))
      expect(toFlat(init(a, [5, 4]))).not.toEqual(toFlat(init(b, [5, 4])))
      expect(init(a, [5, 4]).dtype).toBe('float32')
    }
  })
  it("ngUniform takes a fixed ε (the course's 0.12) and rejects ε ≤ 0", () => {
    const w = toFlat(ngUniform(key(1), [400, 25], { epsilon: 0.12, dtype: 'float64' }))
    expect(Math.max(...w.map(Math.abs))).toBeLessThan(0.12)
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.119)
    expect(() => ngUniform(key(1), [4, 4], { epsilon: 0 })).toThrow(ArgumentError)
    expect(() => ngUniform(key(1), [4, 4], { epsilon: Number.NaN })).toThrow(/epsilon/)
  })
  it('zerosInit ignores the key', () => {
    expect(toFlat(zerosInit(key(1), [3]))).toEqual([0, 0, 0])
  })
  it('rejects weight shapes of rank < 2', () => {
    expect(() => glorotUniform(key(0), [10])).toThrow(ArgumentError)
    expect(() => heNormal(key(0), [])).toThrow(/rank ≥ 2/)
  })
})
