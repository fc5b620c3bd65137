/**
 * examples/second-order.ts: `hessian` and `hvp` equal the hand-derived Hessians of a cubic and of
 * Rosenbrock's function at random points (fixed seed); one Newton step solves a random quadratic
 * (A·x = b checked directly); Newton's method reaches Rosenbrock's minimum.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  cubic,
  cubicHessianByHand,
  main,
  newtonStep,
  rosenbrock,
  rosenbrockHessianByHand,
  type Scalar,
  type Vector,
} from '../../examples/second-order.js'
import { hessian, hvp, matmul, mul, reshape, sub, sum, tensor, toArray, toFlat } from '../../src/index.js'

const f64 = { dtype: 'float64' } as const
const vec = (n: number, min = -3, max = 3) =>
  fc.array(fc.double({ min, max, noNaN: true }), { minLength: n, maxLength: n })

describe('examples/second-order', () => {
  it('hessian and hvp of the cubic equal the hand formulas', () => {
    fc.assert(
      fc.property(vec(3), vec(3), (x, v) => {
        const H = toArray(hessian(cubic)(tensor(x, f64))) as number[][]
        const hand = cubicHessianByHand(x)
        H.forEach((r, i) => {
          r.forEach((h, j) => {
            expect(Math.abs(h - hand[i]![j]!)).toBeLessThanOrEqual(1e-12)
          })
        })
        const Hv = toFlat(hvp(cubic)(tensor(x, f64), tensor(v, f64)))
        hand.forEach((r, i) => {
          const expected = r.reduce((s, h, j) => s + h * v[j]!, 0)
          expect(Math.abs(Hv[i]! - expected)).toBeLessThanOrEqual(1e-11)
        })
      }),
      { seed: 21, numRuns: 30 },
    )
  })

  it("hessian of Rosenbrock's function equals [[1200x² − 400y + 2, −400x], [−400x, 200]]", () => {
    fc.assert(
      fc.property(vec(2, -2, 2), ([x, y]) => {
        const H = toArray(hessian(rosenbrock)(tensor([x!, y!], f64))) as number[][]
        const hand = rosenbrockHessianByHand(x!, y!)
        H.forEach((r, i) => {
          r.forEach((h, j) => {
            expect(Math.abs(h - hand[i]![j]!)).toBeLessThanOrEqual(1e-10)
          })
        })
      }),
      { seed: 22, numRuns: 30 },
    )
  })

  it('one Newton step minimises a random positive definite quadratic: A·x₁ = b', () => {
    fc.assert(
      fc.property(vec(9, -1, 1), vec(3), vec(3, -10, 10), (m, b, start) => {
        // A = M Mᵀ + I is symmetric positive definite
        const M = [m.slice(0, 3), m.slice(3, 6), m.slice(6, 9)]
        const A = M.map((ri, i) => M.map((rj, j) => ri.reduce((s, v, k) => s + v * rj[k]!, i === j ? 1 : 0)))
        const At = tensor(A, f64)
        const bt = tensor(b, f64)
        const f = (p: Vector): Scalar =>
          sub(mul(sum(mul(p, reshape(matmul(At, reshape(p, [3, 1])), [3]))), 0.5), sum(mul(bt, p)))
        const x1 = newtonStep(f, start)
        A.forEach((r, i) => {
          const Ax = r.reduce((s, v, k) => s + v * x1[k]!, 0)
          expect(Math.abs(Ax - b[i]!)).toBeLessThanOrEqual(1e-9)
        })
      }),
      { seed: 23, numRuns: 30 },
    )
  })

  it('main: Newton reaches (1, 1) on Rosenbrock and every check agrees', () => {
    const lines: string[] = []
    const r = main((l) => lines.push(l))
    expect(r.cubicHessianError).toBeLessThanOrEqual(1e-12)
    expect(r.cubicHvpError).toBeLessThanOrEqual(1e-12)
    expect(r.quadraticGradientAfterStep).toBeLessThanOrEqual(1e-12)
    r.quadraticStep.forEach((v, i) => {
      expect(Math.abs(v - r.quadraticMinimiser[i]!)).toBeLessThanOrEqual(1e-12)
    })
    // A = [[4, 1, 0], [1, 3, −1], [0, −1, 2]], b = [1, −2, 3]: A⁻¹b = [1/3, −1/3, 4/3] by hand
    ;[1 / 3, -1 / 3, 4 / 3].forEach((v, i) => {
      expect(Math.abs(r.quadraticStep[i]! - v)).toBeLessThanOrEqual(1e-12)
    })
    expect(r.rosenbrockHessianError).toBeLessThanOrEqual(1e-10)
    const last = r.rosenbrockIterates.at(-1)!
    expect(Math.abs(last[0]! - 1)).toBeLessThanOrEqual(1e-12)
    expect(Math.abs(last[1]! - 1)).toBeLessThanOrEqual(1e-12)
    expect(r.rosenbrockIterates[0]).toEqual([-1.2, 1])
    expect(lines.some((l) => l.startsWith('  step 8: [1, 1]'))).toBe(true)
  })
})
