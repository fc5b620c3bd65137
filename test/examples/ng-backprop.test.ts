/**
 * examples/ng-backprop.ts: Ng's loop backpropagation equals nabla's `grad(J)` to 1e-10 on random
 * networks and data (fixed seed), both pass `checkGrads`, the bias column is not regularised, and
 * the example prints the course's gradient check with a relative difference below 1e-9.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  backprop,
  backpropAsFunction,
  costFunction,
  debugProblem,
  type Matrix,
  main,
  type Problem,
  type Thetas,
  toTensors,
} from '../../examples/ng-backprop.js'
import { grad, toArray } from '../../src/index.js'
import { checkGrads } from '../../src/testing/index.js'

const arbMatrix = (rows: number, cols: number, min: number, max: number): fc.Arbitrary<Matrix> =>
  fc.array(fc.array(fc.double({ min, max, noNaN: true }), { minLength: cols, maxLength: cols }), {
    minLength: rows,
    maxLength: rows,
  })

const arbCase = fc
  .record({
    s1: fc.integer({ min: 1, max: 4 }),
    s2: fc.integer({ min: 1, max: 5 }),
    K: fc.integer({ min: 1, max: 4 }),
    m: fc.integer({ min: 1, max: 6 }),
  })
  .chain(({ s1, s2, K, m }) =>
    fc.record({
      problem: fc.record({
        X: arbMatrix(m, s1, -2, 2),
        Y: arbMatrix(m, K, 0, 1).map((y) => y.map((row) => row.map(Math.round))),
        lambda: fc.double({ min: 0, max: 5, noNaN: true }),
      }),
      thetas: fc.record({
        theta1: arbMatrix(s2, s1 + 1, -1.5, 1.5),
        theta2: arbMatrix(K, s2 + 1, -1.5, 1.5),
      }),
    }),
  )

const maxAbsDiff = (a: Matrix, b: Matrix): number =>
  Math.max(...a.flatMap((row, r) => row.map((v, c) => Math.abs(v - b[r]![c]!))))

describe('examples/ng-backprop', () => {
  it('D from the δ/Δ loops equals grad(J) to 1e-10, and J by loops equals J by ops', () => {
    fc.assert(
      fc.property(arbCase, ({ problem, thetas }: { problem: Problem; thetas: Thetas }) => {
        const { J, D1, D2 } = backprop(problem, thetas)
        const params = toTensors(thetas)
        const cost = costFunction(problem)
        const g = grad(cost)(params)
        expect(maxAbsDiff(D1, toArray(g.theta1) as Matrix)).toBeLessThanOrEqual(1e-10)
        expect(maxAbsDiff(D2, toArray(g.theta2) as Matrix)).toBeLessThanOrEqual(1e-10)
        expect(Math.abs(J - (toArray(cost(params)) as number))).toBeLessThanOrEqual(1e-10 * Math.max(1, J))
      }),
      { seed: 5, numRuns: 40 },
    )
  })

  it('both the loops and grad pass checkGrads', () => {
    fc.assert(
      fc.property(arbCase, ({ problem, thetas }) => {
        const params = toTensors(thetas)
        expect(checkGrads(costFunction(problem), params).failures).toEqual([])
        expect(checkGrads(backpropAsFunction(problem), params).failures).toEqual([])
      }),
      { seed: 6, numRuns: 10 },
    )
  })

  it('regularises every column of Θ but the bias column: D(λ) − D(0) = (λ/m)Θ off column 0', () => {
    const { problem, thetas } = debugProblem(3)
    const withL = backprop(problem, thetas)
    const without = backprop({ ...problem, lambda: 0 }, thetas)
    const m = problem.X.length
    for (const [D, D0, theta] of [
      [withL.D1, without.D1, thetas.theta1],
      [withL.D2, without.D2, thetas.theta2],
    ] as const)
      D.forEach((row, r) => {
        row.forEach((v, c) => {
          const expected = c === 0 ? 0 : (3 / m) * theta[r]![c]!
          expect(Math.abs(v - D0[r]![c]! - expected)).toBeLessThanOrEqual(1e-15)
        })
      })
  })

  it('main prints the course-style gradient check and finds agreement', () => {
    const lines: string[] = []
    const result = main((l) => lines.push(l))
    expect(result.maxDifferenceFromGrad).toBeLessThanOrEqual(1e-10)
    expect(result.costDifference).toBeLessThanOrEqual(1e-12)
    expect(result.relativeDifference).toBeLessThan(1e-9)
    expect(result.gradPassesCheck).toBe(true)
    expect(result.loopsPassCheck).toBe(true)
    const text = lines.join('\n')
    expect(text).toContain('Relative Difference:')
    // ex4's checkNNGradients starts with these two columns (the bias column is never regularised)
    expect(lines.filter((l) => /^\s+-?0\.\d{10}\s+-?0\.\d{10}$/.test(l))).toHaveLength(10)
    expect(lines.find((l) => /^\s+-0\.0092782524\s+-0\.0092782524$/.test(l))).toBeDefined()
  })
})
