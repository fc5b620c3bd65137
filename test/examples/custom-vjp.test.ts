/**
 * examples/custom-vjp.ts: the stable log-sigmoid's rule agrees with finite differences (checkGrads
 * at first and second order, and central differences at extreme inputs where the naive version
 * fails); the straight-through estimator follows its hand rule and moves signs plain `sign` cannot.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fitSigns, main, signStraightThrough, stableLogSigmoid } from '../../examples/custom-vjp.js'
import { type AnyTensor, add, grad, mul, sign, sub, sum, tensor, toFlat } from '../../src/index.js'
import { arbTensor, checkGrads } from '../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const

describe('examples/custom-vjp', () => {
  it('the stable log-sigmoid passes checkGrads on random inputs, at order 2', () => {
    fc.assert(
      fc.property(arbTensor([6], { dtype: 'float64', min: -40, max: 40 }), (x) => {
        const result = checkGrads((t: AnyTensor) => sum(stableLogSigmoid(t)), x, { order: 2 })
        expect(result.failures).toEqual([])
      }),
      { seed: 11, numRuns: 30 },
    )
  })

  it('its gradient is 1 − σ(x) by hand, finite everywhere, where the naive one is NaN', () => {
    const xs = [-1000, -800, -100, -3, 0, 3, 100, 800, 1000]
    const g = toFlat(grad((t: AnyTensor) => sum(stableLogSigmoid(t)))(tensor(xs, f64)))
    xs.forEach((x, i) => {
      expect(Math.abs(g[i]! - (1 - 1 / (1 + Math.exp(-x))))).toBeLessThanOrEqual(1e-15)
    })
    expect(toFlat(stableLogSigmoid(tensor([-800], f64)))).toEqual([-800])
  })

  it('main prints finite stable results matching central differences, and the naive failure', () => {
    const lines: string[] = []
    const r = main((l) => lines.push(l))
    r.extremes.forEach((x, i) => {
      expect(Number.isFinite(r.stableValues[i]!)).toBe(true)
      expect(Math.abs(r.stableGrads[i]! - r.centralDifferences[i]!)).toBeLessThanOrEqual(1e-8)
      // log σ(x) by hand, stably: x − log(1 + eˣ) for x < 0, −log(1 + e⁻ˣ) otherwise
      const byHand = x < 0 ? x - Math.log1p(Math.exp(x)) : -Math.log1p(Math.exp(-x))
      expect(Math.abs(r.stableValues[i]! - byHand)).toBeLessThanOrEqual(1e-12 * Math.max(1, -x))
    })
    expect(r.naiveValues[0]).toBe(Number.NEGATIVE_INFINITY)
    expect(Number.isNaN(r.naiveGrads[0]!)).toBe(true)
    expect(r.checkOk).toBe(true)
    expect(r.signsWithEstimator).toEqual(r.target)
    expect(r.signsWithPlainSign).not.toEqual(r.target)
    expect(lines.join('\n')).toContain('-Infinity')
  })

  it('the straight-through estimator: sign forward, cotangent · [|x| ≤ 1] backward', () => {
    fc.assert(
      fc.property(
        arbTensor([5], { dtype: 'float64', min: -3, max: 3, avoid: [-1, 0, 1], margin: 1e-3 }),
        (x) => {
          const xs = toFlat(x)
          expect(toFlat(signStraightThrough(x))).toEqual(xs.map(Math.sign))
          const weights = tensor([1, -2, 3, 0.5, -1], f64)
          const g = toFlat(grad((t: AnyTensor) => sum(mul(weights, signStraightThrough(t))))(x))
          const w = toFlat(weights)
          xs.forEach((v, i) => {
            expect(g[i]! + 0).toBe(Math.abs(v) <= 1 ? w[i] : 0) // + 0 turns −0 into 0
          })
          // while the true derivative of sign, by central differences, is 0
          const h = 1e-6
          expect(toFlat(sign(add(x, h)))).toEqual(toFlat(sign(sub(x, h))))
        },
      ),
      { seed: 12, numRuns: 50 },
    )
  })

  it('fitSigns through the estimator reaches the target signs; through plain sign it stays put', () => {
    const start = tensor([0.5, -0.5, 0.2], f64)
    const target = tensor([-1, 1, 1], f64)
    expect(fitSigns(signStraightThrough, start, target)).toEqual([-1, 1, 1])
    expect(fitSigns(sign, start, target)).toEqual([1, -1, 1])
  })
})
