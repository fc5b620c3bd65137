/**
 * Matmul epilogues: a product read only by one fused group runs as one step with it, and gives the
 * eager values bit for bit (the group's kernel uses the back end's own lane-wise ops), on one and
 * several row blocks, single-threaded and split across the helper threads, both dtypes.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  add,
  fromArrayOrThrow,
  greater,
  matmulTransposed,
  mul,
  relu,
  sub,
  toFlat,
  where,
} from '../../src/index.js'
import { attachEpilogues } from '../../src/jit/epilogue.js'
import { planUnits } from '../../src/jit/fusion.js'
import { makeIR } from '../../src/jit/makeIR.js'
import { compilePlan } from '../../src/jit/plan.js'

const filled = (shape: readonly number[], dtype: 'float32' | 'float64', seed: number): AnyTensor => {
  const size = shape.reduce((p, d) => p * d, 1)
  const values = Array.from({ length: size }, (_, i) => Math.sin(seed * 7.1 + i * 0.377))
  return fromArrayOrThrow(values, [...shape], { dtype })
}

const sameBits = (a: AnyTensor, b: AnyTensor): boolean => {
  const [x, y] = [toFlat(a), toFlat(b)]
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]))
}

type Epilogue = (p: AnyTensor, row: AnyTensor, column: AnyTensor, full: AnyTensor) => AnyTensor
const epilogues: readonly (readonly [string, Epilogue])[] = [
  ['relu(p + bias)', (p, row) => relu(add(p, row))],
  ['(p − 0.5) · column', (p, _row, column) => mul(sub(p, 0.5), column)],
  ['relu mask on an upstream gradient', (p, _row, _column, full) => where(greater(full, 0), p, 0)],
  ['full − 0.01 · p (an SGD update)', (p, _row, _column, full) => sub(full, mul(p, 0.01))],
]

describe('matmul epilogues', () => {
  it('merge a product with its only reader and give the eager values, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.constantFrom(...epilogues),
        // small products (one or several 128-row blocks) and ones big enough to split across threads
        fc.oneof(
          fc.tuple(
            fc.integer({ min: 1, max: 300 }),
            fc.integer({ min: 1, max: 20 }),
            fc.integer({ min: 1, max: 20 }),
          ),
          fc.tuple(
            fc.integer({ min: 96, max: 200 }),
            fc.integer({ min: 64, max: 80 }),
            fc.integer({ min: 90, max: 120 }),
          ),
        ),
        fc.boolean(),
        (dtype, [, epilogue], [m, n, k], transposeA) => {
          const a = filled(transposeA ? [k, m] : [m, k], dtype, 1)
          const b = filled([k, n], dtype, 2)
          const [row, column, full] = [
            filled([n], dtype, 3),
            filled([m, 1], dtype, 4),
            filled([m, n], dtype, 5),
          ]
          const f = (x: AnyTensor, y: AnyTensor, r: AnyTensor, c: AnyTensor, u: AnyTensor) =>
            epilogue(matmulTransposed(x, y, { transposeA }), r, c, u)
          const inputs = [a, b, row, column, full]
          const ir = makeIR(f)(...(inputs as [AnyTensor, AnyTensor, AnyTensor, AnyTensor, AnyTensor]))
          const units = attachEpilogues(ir, planUnits(ir, true))
          expect(units.map((u) => u.kind)).toEqual(['epilogue'])
          const plan = compilePlan(ir, { fusion: true })!
          const expected = f(a, b, row, column, full)
          expect(sameBits(plan.run(inputs)[0]!, expected)).toBe(true)
        },
      ),
      { seed: 31, numRuns: 40 },
    )
  })

  it('leave a product that something else also reads as its own step', () => {
    const f = (x: AnyTensor, w: AnyTensor, b: AnyTensor) => {
      const p = matmulTransposed(x, w)
      return [relu(add(p, b)), p]
    }
    const ir = makeIR(f)(
      filled([4, 3], 'float64', 1),
      filled([3, 2], 'float64', 2),
      filled([2], 'float64', 3),
    )
    expect(attachEpilogues(ir, planUnits(ir, true)).map((u) => u.kind)).toEqual(['single', 'fused'])
  })

  it('leave a group that updates a donated input of its shape apart, so the update is written in place', () => {
    const f = (w: AnyTensor, x: AnyTensor, g: AnyTensor) =>
      sub(w, mul(matmulTransposed(x, g, { transposeA: true }), 0.01))
    const inputs = [filled([3, 2], 'float32', 1), filled([4, 3], 'float32', 2), filled([4, 2], 'float32', 3)]
    const ir = makeIR(f)(...(inputs as [AnyTensor, AnyTensor, AnyTensor]))
    const w = ir.inputs[0]!.id
    expect(attachEpilogues(ir, planUnits(ir, true)).map((u) => u.kind)).toEqual(['epilogue'])
    expect(attachEpilogues(ir, planUnits(ir, true), new Set([w])).map((u) => u.kind)).toEqual([
      'single',
      'fused',
    ])
    const plan = compilePlan(ir, { fusion: true, donated: [true, false, false] })!
    expect([...plan.donations.keys()]).toEqual([(ir.outputs[0] as { id: number }).id])
    // the same bits as the merged step (the eager product of so small a matrix sums in another order)
    const merged = compilePlan(ir, { fusion: true })!
    expect(sameBits(plan.run(inputs)[0]!, merged.run(inputs)[0]!)).toBe(true)
  })
})
