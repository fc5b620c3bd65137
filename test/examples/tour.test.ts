/**
 * examples/tour.ts (the README's tour): the run-time shape error names the op and both shapes, the
 * gradient has the parameters' type and equals the hand derivative of Σ tanh(xW + b), and the
 * property test runs.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { main, type Params, params } from '../../examples/tour.js'
import { toArray } from '../../src/index.js'

describe('examples/tour', () => {
  it('prints the three parts, with hand-checked gradients', () => {
    const lines: string[] = []
    const r = main((l) => lines.push(l))
    expect(r.message).toBe('matmul: inner dimensions differ: a is [2,3], b is [4,5]')
    expect(r.yShape).toEqual([2, 4])
    expectTypeOf(r.gradient).toEqualTypeOf<Params>()
    // ∂/∂b_j Σ tanh(z) = Σ_r (1 − tanh²(z_rj)), ∂/∂w_ij = Σ_r x_ri (1 − tanh²(z_rj)), z = x w + b
    const x = [
      [1, 2, 3],
      [4, 5, 6],
    ]
    const w = toArray(params.w)
    const b = toArray(params.b)
    const dz = x.map((row) =>
      b.map((bj, j) => 1 - Math.tanh(row.reduce((s, v, i) => s + v * w[i]![j]!, bj)) ** 2),
    )
    const db = b.map((_, j) => dz[0]![j]! + dz[1]![j]!)
    const dw = w.map((row, i) => row.map((_, j) => x[0]![i]! * dz[0]![j]! + x[1]![i]! * dz[1]![j]!))
    toArray(r.gradient.b).forEach((v, j) => {
      expect(Math.abs(v - db[j]!)).toBeLessThanOrEqual(1e-5)
    })
    toArray(r.gradient.w).forEach((row, i) => {
      row.forEach((v, j) => {
        expect(Math.abs(v - dw[i]![j]!)).toBeLessThanOrEqual(1e-5)
      })
    })
    expect(r.runs).toBe(50)
    expect(lines).toHaveLength(5)
    expect(lines[0]).toContain('does not compile')
  })
})
