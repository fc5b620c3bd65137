/** Tests of the synthetic datasets: shapes, labels, geometry, determinism and argument errors. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toFlat } from '../../../src/io/index.js'
import { twoSpirals, xor } from '../../../src/models/data/synthetic.js'
import { key } from '../../../src/models/random/index.js'
import { ArgumentError } from '../../../src/tensor/index.js'

describe('twoSpirals', () => {
  it('has n training and testSize test points in the plane, labels alternating 0 and 1', () => {
    const data = twoSpirals(key(0), 101, 0.1, { testSize: 40 })
    expect(data.xTrain.shape).toEqual([101, 2])
    expect(data.xTest.shape).toEqual([40, 2])
    expect(toFlat(data.yTrain)).toEqual(Array.from({ length: 101 }, (_, i) => i % 2))
    expect(data.classes).toEqual(['0', '1'])
  })
  it('without noise lies on the two arms: radius θ/3π and angle θ + cπ', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        const data = twoSpirals(key(seed), 50, 0, { dtype: 'float64' })
        const x = toFlat(data.xTrain)
        const y = toFlat(data.yTrain)
        for (let i = 0; i < 50; i++) {
          const r = Math.hypot(x[2 * i]!, x[2 * i + 1]!)
          expect(r).toBeGreaterThanOrEqual(0.25 - 1e-12)
          expect(r).toBeLessThan(1)
          const theta = r * 3 * Math.PI + y[i]! * Math.PI
          expect(x[2 * i]!).toBeCloseTo(r * Math.cos(theta), 10)
          expect(x[2 * i + 1]!).toBeCloseTo(r * Math.sin(theta), 10)
        }
      }),
      { seed: 401, numRuns: 20 },
    )
  })
  it('is deterministic for a key; other keys and the test set differ', () => {
    const a = twoSpirals(key(3), 20)
    expect(toFlat(twoSpirals(key(3), 20).xTrain)).toEqual(toFlat(a.xTrain))
    expect(toFlat(twoSpirals(key(4), 20).xTrain)).not.toEqual(toFlat(a.xTrain))
    expect(toFlat(a.xTest)).not.toEqual(toFlat(a.xTrain))
  })
  it('rejects bad sizes and noise', () => {
    expect(() => twoSpirals(key(0), 0)).toThrow(/twoSpirals: n must be an integer/)
    expect(() => twoSpirals(key(0), 2.5)).toThrow(ArgumentError)
    expect(() => twoSpirals(key(0), 10, -1)).toThrow(/noise must be a finite number ≥ 0/)
    expect(() => twoSpirals(key(0), 10, Number.NaN)).toThrow(ArgumentError)
  })
})

describe('xor', () => {
  it('labels 1 exactly when the coordinates have opposite signs, balanced on average', () => {
    const data = xor(key(1), 4000, 0, { dtype: 'float64' })
    const x = toFlat(data.xTrain)
    const y = toFlat(data.yTrain)
    y.forEach((label, i) => {
      expect(label).toBe(x[2 * i]! * x[2 * i + 1]! < 0 ? 1 : 0)
    })
    expect(x.every((v) => v >= -1 && v < 1)).toBe(true)
    const ones = y.filter((l) => l === 1).length
    expect(Math.abs(ones - 2000)).toBeLessThan(6 * Math.sqrt(4000 * 0.25))
  })
  it('noise moves the points but not the labels', () => {
    const clean = xor(key(2), 50)
    const noisy = xor(key(2), 50, 0.3)
    expect(toFlat(noisy.yTrain)).toEqual(toFlat(clean.yTrain))
    expect(toFlat(noisy.xTrain)).not.toEqual(toFlat(clean.xTrain))
    expect(() => xor(key(0), -3)).toThrow(ArgumentError)
  })
})
