/**
 * examples/property-testing.ts: the four properties of the user's model hold, and the planted
 * gradient bug is caught (by `assertGrads`, under fast-check) — the bug itself confirmed by hand.
 */
import { describe, expect, it } from 'vitest'
import { buggyTanh, main } from '../../examples/property-testing.js'
import { type AnyTensor, grad, sum, tensor, toFlat } from '../../src/index.js'

describe('examples/property-testing', () => {
  it('the model properties hold and the planted bug is caught', () => {
    const lines: string[] = []
    const outcomes = main((l) => lines.push(l))
    expect(outcomes.map((o) => o.failed)).toEqual([false, false, false, false, true])
    expect(outcomes.slice(0, 4).map((o) => o.runs)).toEqual([40, 100, 100, 60])
    expect(outcomes[4]!.error).toMatch(/derivatives disagree with finite differences/)
    expect(lines[4]).toMatch(/^FAILS {2}the planted bug/)
  })

  it('the planted bug is real: the buggy rule gives 1 − y where tanh′ = 1 − y²', () => {
    const xs = [-1.5, -0.2, 0.7, 2]
    const g = toFlat(grad((t: AnyTensor) => sum(buggyTanh(t)))(tensor(xs, { dtype: 'float64' })))
    xs.forEach((x, i) => {
      const y = Math.tanh(x)
      expect(Math.abs(g[i]! - (1 - y))).toBeLessThanOrEqual(1e-15)
      expect(Math.abs(g[i]! - (1 - y * y))).toBeGreaterThan(1e-3)
    })
  })
})
