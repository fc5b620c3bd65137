/**
 * checkGrads must catch wrong gradients (and name where), pass right ones, and check the vjp of the
 * vjp at order 2. Wrong gradients are planted with customVjp rules that are off by a known amount.
 */
import { describe, expect, it } from 'vitest'
import { type AnyTensor, add, cos, customVjp, mul, sin, sum, tensor, toFlat } from '../../src/index.js'
import { assertGrads, checkGrads, GradCheckError } from '../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const

/** sin whose derivative is wrong by `error` at element `index` only (rank-1 inputs). */
const brokenSin = (index: number, error: number) =>
  customVjp(
    (x: AnyTensor) => sin(x),
    (ct, _y, x) => {
      const bump = tensor(
        Array.from({ length: x.size }, (_, i) => (i === index ? error : 0)),
        f64,
      )
      return [mul(ct, add(cos(x), bump))] as const
    },
  )

describe('checkGrads', () => {
  it('passes a correct gradient in both modes and at order 2', () => {
    const r = checkGrads(
      (p: { a: AnyTensor; b: AnyTensor }) => sum(mul(sin(p.a), p.b)),
      { a: tensor([0.1, 2], f64), b: tensor([3, -1], f64) },
      {
        order: 2,
        modes: ['full', 'random'],
      },
    )
    expect(r.ok).toBe(true)
    expect(r.failures).toEqual([])
    expect(r.checked).toBeGreaterThan(8)
  })

  it('names the failing leaf and element in full mode', () => {
    const bad = brokenSin(1, 1e-3)
    const r = checkGrads((p: { a: AnyTensor; b: AnyTensor }) => sum(mul(bad(p.a), p.b)), {
      a: tensor([0.1, 2, 1], f64),
      b: tensor([3, -1, 2], f64),
    })
    expect(r.ok).toBe(false)
    expect(r.failures).toHaveLength(1)
    const [f] = r.failures
    expect(f!.leaf).toBe('x.a')
    expect(f!.index).toBe(1)
    expect(f!.analytic - f!.numeric).toBeCloseTo(-1e-3, 6) // b[1] = −1 times the planted error
  })

  it('catches the error in random mode and names the leaf', () => {
    const bad = brokenSin(0, 1e-2)
    const r = checkGrads((x: AnyTensor) => sum(bad(x)), tensor([0.5, 0.25], f64), { modes: ['random'] })
    expect(r.ok).toBe(false)
    expect(r.failures.every((f) => f.mode === 'random' && f.leaf === 'x')).toBe(true)
  })

  it('catches a rule whose first derivative is right but whose own derivative is wrong (order 2)', () => {
    // the rule reads x's values as constants: right first derivative 2x, but its derivative is 0, not 2
    const constantRule = customVjp(
      (x: AnyTensor) => mul(x, x),
      (ct, _y, x) =>
        [
          mul(
            ct,
            tensor(
              toFlat(x).map((v) => 2 * v),
              f64,
            ),
          ),
        ] as const,
    )
    expect(checkGrads((x: AnyTensor) => sum(constantRule(x)), tensor([1.5], f64), { order: 1 }).ok).toBe(true)
    const second = checkGrads((x: AnyTensor) => sum(constantRule(x)), tensor([1.5], f64), { order: 2 })
    expect(second.ok).toBe(false)
    expect(second.failures[0]!.order).toBe(2)
  })

  it('assertGrads throws a GradCheckError that describes the first mismatch', () => {
    const bad = brokenSin(0, 1e-2)
    expect(() => assertGrads((x: AnyTensor) => sum(bad(x)), tensor([0.5], f64))).toThrow(GradCheckError)
    expect(() => assertGrads((x: AnyTensor) => sum(bad(x)), tensor([0.5], f64))).toThrow(/x\[0\]/)
  })
})
