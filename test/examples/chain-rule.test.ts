/**
 * examples/chain-rule.ts: 3Blue1Brown's hand formulas and nabla's `grad` agree to 1e-12 in float64
 * over random chains (a fast-check property with a fixed seed), the hand formulas themselves agree
 * with central differences of the cost, and the example prints the table it promises.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { byGrad, byHand, type Chain, compare, lastLayerByHand, main } from '../../examples/chain-rule.js'

const arbChain = (maxLayers: number): fc.Arbitrary<Chain> =>
  fc.integer({ min: 1, max: maxLayers }).chain((L) =>
    fc.record({
      w: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: L, maxLength: L }),
      b: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: L, maxLength: L }),
      a0: fc.double({ min: 0, max: 1, noNaN: true }),
      y: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  )

/** C by plain numbers, to check the hand formulas by central differences. */
const costOf = (c: Chain): number => {
  let a = c.a0
  c.w.forEach((w, l) => {
    a = 1 / (1 + Math.exp(-(w * a + c.b[l]!)))
  })
  return (a - c.y) ** 2
}

describe('examples/chain-rule', () => {
  it('the last layer: ∂C/∂w_L, ∂C/∂b_L, ∂C/∂a_{L-1} by hand equal grad to 1e-12', () => {
    fc.assert(
      fc.property(arbChain(1), (c) => {
        const hand = lastLayerByHand(c.w[0]!, c.b[0]!, c.a0, c.y)
        const auto = byGrad(c)
        expect(Math.abs(hand.dw - auto.w[0]!)).toBeLessThanOrEqual(1e-12)
        expect(Math.abs(hand.db - auto.b[0]!)).toBeLessThanOrEqual(1e-12)
        expect(Math.abs(hand.daPrev - auto.a0)).toBeLessThanOrEqual(1e-12)
      }),
      { seed: 31, numRuns: 100 },
    )
  })

  it('deeper chains: the recursive hand derivation equals grad to 1e-12', () => {
    fc.assert(
      fc.property(arbChain(6), (c) => {
        for (const row of compare(c))
          expect(Math.abs(row.hand - row.grad), row.name).toBeLessThanOrEqual(1e-12)
      }),
      { seed: 32, numRuns: 100 },
    )
  })

  it('the hand formulas agree with central differences of C', () => {
    fc.assert(
      fc.property(arbChain(4), (c) => {
        const h = 1e-6
        const hand = byHand(c)
        const nudge = (key: 'w' | 'b', l: number, d: number): Chain => ({
          ...c,
          [key]: c[key].map((v, i) => (i === l ? v + d : v)),
        })
        c.w.forEach((_, l) => {
          for (const key of ['w', 'b'] as const) {
            const numeric = (costOf(nudge(key, l, h)) - costOf(nudge(key, l, -h))) / (2 * h)
            expect(Math.abs(numeric - hand[key][l]!)).toBeLessThanOrEqual(1e-8)
          }
        })
        const da = (costOf({ ...c, a0: c.a0 + h }) - costOf({ ...c, a0: c.a0 - h })) / (2 * h)
        expect(Math.abs(da - hand.a0)).toBeLessThanOrEqual(1e-8)
      }),
      { seed: 33, numRuns: 50 },
    )
  })

  it('main prints both columns for every derivative and a tiny largest difference', () => {
    const lines: string[] = []
    const { rows, maxDifference } = main((l) => lines.push(l))
    expect(rows).toHaveLength(3 + 9)
    expect(maxDifference).toBeLessThanOrEqual(1e-12)
    const text = lines.join('\n')
    for (const name of ['∂C/∂w_L', '∂C/∂b_L', '∂C/∂a_{L-1}', '∂C/∂w_4', '∂C/∂b_1', '∂C/∂a_0'])
      expect(text).toContain(name)
    // ∂C/∂w_L for w = 1.3, b = −0.4, a_{L−1} = 0.62, y = 1, by hand here
    const a = 1 / (1 + Math.exp(-(1.3 * 0.62 - 0.4)))
    const dw = 0.62 * a * (1 - a) * 2 * (a - 1)
    const line = lines.find((l) => l.startsWith('∂C/∂w_L'))!
    const [hand, auto] = line.split(/\s+/).slice(1, 3).map(Number)
    expect(Math.abs(hand! - dw)).toBeLessThanOrEqual(1e-14)
    expect(Math.abs(auto! - dw)).toBeLessThanOrEqual(1e-12)
  })
})
