/** Tests of `formatNumber`: four significant digits, exponent notation outside [1e-3, 1e5). */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatNumber } from '../../src/inspect/format.js'

describe('formatNumber', () => {
  it('keeps four significant digits in plain notation between 1e-3 and 1e5', () => {
    expect(formatNumber(0.0123456)).toBe('0.01235')
    expect(formatNumber(-12345.6)).toBe('-12350')
    expect(formatNumber(0)).toBe('0')
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 99_990, noNaN: true }), (v) => {
        const text = formatNumber(v)
        expect(text).not.toMatch(/e/)
        expect(Math.abs(Number(text) - v)).toBeLessThanOrEqual(v * 5e-4)
      }),
      { seed: 3, numRuns: 200 },
    )
  })

  it('uses exponent notation for very small and very large values, and names non-finite ones', () => {
    expect(formatNumber(1e-7)).toBe('1.000e-7')
    expect(formatNumber(-2.5e6)).toBe('-2.500e+6')
    expect(formatNumber(Number.NaN)).toBe('NaN')
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe('-Infinity')
  })
})
