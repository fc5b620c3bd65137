/** exactJson: equal keys exactly for equal values, with −0, NaN, ±Infinity and look-alike strings apart. */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { exactJson } from '../../../src/tensor/kernels/exactJson.js'

// leaves JSON would merge (−0 with 0; NaN and ±Infinity with null) and strings that imitate the
// text those numbers are written as
const leaf = fc.constantFrom<unknown>(
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  null,
  1.5,
  'n-0',
  'nNaN',
  'sn-0',
  '-0',
  'NaN',
  '',
  true,
)
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b'), tie('v'), { maxKeys: 2 }),
  ),
})).v

/** The oracle: the same structure with every leaf `Object.is`-equal. */
const same = (a: unknown, b: unknown): boolean => {
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]))
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const [ka, kb] = [Object.keys(a).sort(), Object.keys(b).sort()]
    return (
      ka.length === kb.length &&
      ka.every(
        (k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    )
  }
  return Object.is(a, b)
}

describe('exactJson', () => {
  it('gives two values the same key exactly when they are the same (keys in one order)', () => {
    const sorted = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sorted)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
            )
          : v
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(exactJson(sorted(a)) === exactJson(sorted(b))).toBe(same(a, b))
      }),
      { seed: 20, numRuns: 3000 },
    )
  })
})
