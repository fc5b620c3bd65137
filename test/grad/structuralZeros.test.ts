/**
 * Tests of the structural-zero algebra: the laws of `intersect` and `union` (commutative,
 * associative, identities, absorbing elements) over random masks, `allZero`, and `dropNonFinite`
 * (non-finite values become 0 exactly where an element is structurally zero, nowhere else).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { allZero, dropNonFinite, intersect, type Unreached, union } from '../../src/grad/structuralZeros.js'
import { tensor, toFlat } from '../../src/index.js'

const size = 5
const bits = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: size, maxLength: size })
// a mask as bytes (values known) or as a 0/1 tensor (a traced mask inside jit or vmap), of either dtype
const arbUnreached: fc.Arbitrary<Unreached> = fc.oneof(
  fc.constant(undefined),
  fc.constant('all' as const),
  bits.map((v) => Uint8Array.from(v)),
  fc
    .tuple(bits, fc.constantFrom('float32' as const, 'float64' as const))
    .map(([v, dtype]) => tensor(v, { dtype })),
)
/** The set of structurally zero positions, or undefined (nothing known) — the model of `Unreached`. */
const positions = (u: Unreached): number[] | undefined => {
  if (u === undefined) return []
  if (u === 'all') return [0, 1, 2, 3, 4]
  const values = u instanceof Uint8Array ? [...u] : toFlat(u)
  return [...values.keys()].filter((k) => values[k] === 1)
}
const same = (a: Unreached, b: Unreached): void => {
  expect(positions(a)).toEqual(positions(b))
}

describe('intersect and union', () => {
  it('are set intersection and union of the structurally zero positions', () => {
    fc.assert(
      fc.property(arbUnreached, arbUnreached, (a, b) => {
        const pa = new Set(positions(a))
        const pb = new Set(positions(b))
        expect(positions(intersect(a, b))).toEqual([...pa].filter((k) => pb.has(k)).sort())
        expect(positions(union(a, b))).toEqual([...new Set([...pa, ...pb])].sort())
      }),
      { seed: 11, numRuns: 200 },
    )
  })

  it('are commutative and associative, with identities all (intersect) and undefined (union)', () => {
    fc.assert(
      fc.property(arbUnreached, arbUnreached, arbUnreached, (a, b, c) => {
        same(intersect(a, b), intersect(b, a))
        same(union(a, b), union(b, a))
        same(intersect(intersect(a, b), c), intersect(a, intersect(b, c)))
        same(union(union(a, b), c), union(a, union(b, c)))
        same(intersect(a, 'all'), a)
        same(union(a, undefined), a)
        expect(intersect(a, undefined)).toBeUndefined()
        expect(union(a, 'all')).toBe('all')
      }),
      { seed: 12, numRuns: 200 },
    )
  })

  it('allZero holds for all and for a mask of ones only', () => {
    expect(allZero('all')).toBe(true)
    expect(allZero(Uint8Array.from([1, 1]))).toBe(true)
    expect(allZero(Uint8Array.from([1, 0]))).toBe(false)
    expect(allZero(undefined)).toBe(false)
  })
})

describe('dropNonFinite', () => {
  it('zeroes non-finite values exactly at structurally zero positions', () => {
    const special = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)
    const value = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), special)
    fc.assert(
      fc.property(fc.array(value, { minLength: size, maxLength: size }), arbUnreached, (values, zeros) => {
        const out = toFlat(dropNonFinite(tensor(values, { dtype: 'float64' }), zeros))
        const zero = new Set(zeros === undefined ? [] : positions(zeros))
        values.forEach((v, k) => {
          if (zero.has(k) && !Number.isFinite(v)) expect(out[k]).toBe(0)
          else expect(Object.is(out[k], v)).toBe(true)
        })
      }),
      { seed: 13, numRuns: 200 },
    )
  })
})
