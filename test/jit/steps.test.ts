/**
 * The plan's own steps against the eager ops, bit for bit: products large enough to be split
 * across the shared arena's helper threads, and the softmax/logSoftmax loops.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  add,
  fromArrayOrThrow,
  jit,
  logSoftmax,
  matmulTransposed,
  softmax,
  toFlat,
} from '../../src/index.js'
import { makeIR } from '../../src/jit/makeIR.js'
import { compilePlan } from '../../src/jit/plan.js'
import { planThreadThreshold } from '../../src/tensor/internal.js'

const filled = (shape: readonly number[], dtype: 'float32' | 'float64', seed: number): AnyTensor => {
  const size = shape.reduce((p, d) => p * d, 1)
  const values = Array.from({ length: size }, (_, i) => Math.sin(seed + i * 0.731) * 3)
  return fromArrayOrThrow(values, [...shape], { dtype })
}

const sameBits = (a: AnyTensor, b: AnyTensor): boolean => {
  const [x, y] = [toFlat(a), toFlat(b)]
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]))
}

describe('plan steps', () => {
  it('split a large product across the helper threads and give the eager product', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.integer({ min: 64, max: 160 }),
        fc.integer({ min: 64, max: 96 }),
        fc.integer({ min: 100, max: 200 }),
        fc.boolean(),
        (dtype, m, n, k, transposeB) => {
          const a = filled([m, k], dtype, 1)
          const b = filled(transposeB ? [n, k] : [k, n], dtype, 2)
          const f = (x: AnyTensor, y: AnyTensor) => matmulTransposed(x, y, { transposeB })
          expect(m * n * k).toBeGreaterThanOrEqual(planThreadThreshold)
          const plan = compilePlan(makeIR(f)(a, b), { fusion: true })!
          expect(plan.threaded).toBe(true)
          expect(sameBits(plan.run([a, b])[0]!, f(a, b))).toBe(true)
        },
      ),
      { seed: 7, numRuns: 12 },
    )
  })

  it('give the eager product on every run, whichever way the split choice runs it', () => {
    // the first runs of a size try both ways (split first), then the cheaper one with probes of
    // the other: twenty runs of each plan take both ways, with and without an epilogue
    const dtype = 'float32'
    const [m, n, k] = [128, 96, 120]
    const a = filled([m, k], dtype, 3)
    const b = filled([k, n], dtype, 4)
    const bias = filled([n], dtype, 5)
    const product = (x: AnyTensor, y: AnyTensor) => matmulTransposed(x, y)
    const withEpilogue = (x: AnyTensor, y: AnyTensor) => add(matmulTransposed(x, y), bias)
    for (const f of [product, withEpilogue]) {
      const plan = compilePlan(makeIR(f)(a, b), { fusion: true })!
      expect(plan.threaded).toBe(true)
      const expected = f(a, b)
      for (let run = 0; run < 20; run++) expect(sameBits(plan.run([a, b])[0]!, expected)).toBe(true)
    }
  })

  it('run softmax and logSoftmax with the primitives’ arithmetic, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.nat(100),
        (dtype, shape, axisSeed, seed) => {
          const axis = axisSeed % shape.length
          const x = filled(shape, dtype, seed)
          for (const op of [softmax, logSoftmax]) {
            const f = jit((t: AnyTensor) => op(t, axis))
            f(x) // traces
            const y = filled(shape, dtype, seed + 1)
            expect(sameBits(f(y), op(y, axis))).toBe(true)
          }
        },
      ),
      { seed: 8, numRuns: 40 },
    )
  })
})
