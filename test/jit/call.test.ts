/**
 * The call primitive: under an outer transform a jitted function is one primitive whose forward is
 * the compiled plan and whose vjp is the compiled pullback. Expected values come from the eager
 * function (first and second order, both dtypes, on the random-program generator) and from finite
 * differences.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { recordReverse } from '../../src/grad/trace.js'
import {
  type AnyTensor,
  grad,
  jit,
  mul,
  sin,
  sum,
  tanh,
  tensor,
  toFlat,
  treeDot,
  valueAndGrad,
  vmap,
} from '../../src/index.js'
import { makeIR } from '../../src/jit/makeIR.js'
import { arbProgram, type Program, programInputs } from '../../src/testing/index.js'

const tolerance = (dtype: string) => (dtype === 'float32' ? 1e-4 : 1e-9)

const differs = (got: AnyTensor, expected: AnyTensor, tol: number): string | undefined => {
  const [a, b] = [toFlat(got), toFlat(expected)]
  if (got.dtype !== expected.dtype || a.length !== b.length) return 'dtype or size differ'
  for (let i = 0; i < a.length; i++) {
    const bad = Number.isNaN(b[i]!)
      ? !Number.isNaN(a[i]!)
      : !(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)))
    if (bad) return `element ${i}: jit ${a[i]} vs eager ${b[i]}`
  }
  return undefined
}

const expectClose = (got: readonly AnyTensor[], expected: readonly AnyTensor[], tol: number, what: string) =>
  expected.forEach((e, i) => {
    const problem = differs(got[i]!, e, tol)
    if (problem !== undefined) throw new Error(`${what}, input ${i}: ${problem}`)
  })

describe('the call primitive of a jitted function', () => {
  it('is what an outer grad records, once, in place of the function’s primitives', () => {
    const f = (x: AnyTensor) => sum(tanh(mul(sin(x), x)))
    const jitted = jit(f)
    const x = tensor([0.3, -1.2, 2], { dtype: 'float64' })
    jitted(x) // traced and compiled outside any transform
    const { trace } = recordReverse('test', (y: AnyTensor) => jitted(y), x)
    const names = trace.nodes.flatMap((n) => (n.prim === undefined ? [] : [n.prim.name]))
    expect(names).toEqual(['jit(f)'])
  })

  it('grad(jit(f)) and grad(grad(jit(f))) equal the eager derivatives on random programs (both dtypes)', () => {
    const check = (program: Program, seed: number): void => {
      const tol = tolerance(program.dtype)
      const loss = (xs: readonly AnyTensor[]) => sum(program.run(xs))
      const jitted = jit(loss)
      const direction = programInputs(program.inputShapes, program.dtype, seed + 7)
      // second order: the gradient of ⟨∇loss, v⟩ (a Hessian-vector product)
      const hvpOf = (g: (xs: readonly AnyTensor[]) => readonly AnyTensor[]) =>
        grad((xs: readonly AnyTensor[]) => treeDot(g(xs), direction))
      for (const inputs of [0, 1].map((k) => programInputs(program.inputShapes, program.dtype, seed + k))) {
        expectClose(grad(jitted)(inputs), grad(loss)(inputs), tol, `grad\n${program}`)
        expectClose(hvpOf(grad(jitted))(inputs), hvpOf(grad(loss))(inputs), tol, `grad∘grad\n${program}`)
      }
      expect(jitted.traceCount()).toBe(1)
    }
    fc.assert(fc.property(arbProgram({ dtypes: ['float32', 'float64'], maxSteps: 6 }), fc.nat(1000), check), {
      seed: 21,
      numRuns: 25,
    })
  })

  it('second derivative of a jitted function agrees with finite differences', () => {
    const f = jit((x: AnyTensor) => sum(mul(tanh(x), sin(x))))
    const eager = (x: AnyTensor) => sum(mul(tanh(x), sin(x)))
    const ddf = grad((x: AnyTensor) => sum(grad(f)(x)))
    const at = [0.4, -0.9, 1.3]
    const x = tensor(at, { dtype: 'float64' })
    const h = 1e-5
    const expected = at.map((_, i) => {
      const shifted = (d: number) =>
        tensor(
          at.map((v, j) => (j === i ? v + d : v)),
          { dtype: 'float64' },
        )
      const slope = (d: number) => toFlat(grad(eager)(shifted(d)))[i]!
      return (slope(h) - slope(-h)) / (2 * h)
    })
    const got = toFlat(ddf(x))
    for (const [i, e] of expected.entries()) expect(Math.abs(got[i]! - e)).toBeLessThan(1e-6)
  })

  it('packs several outputs into one primitive and splits them again (values and gradients)', () => {
    const f = (p: { w: AnyTensor; b: AnyTensor }) => ({ y: tanh(mul(p.w, p.b)), s: sum(sin(p.w)) })
    const jitted = jit(f)
    const p = {
      w: tensor(
        [
          [0.5, -1],
          [2, 0.1],
        ],
        { dtype: 'float64' },
      ),
      b: tensor([0.3, -0.7], { dtype: 'float64' }),
    }
    const loss = (g: typeof f) => (q: typeof p) => {
      const { y, s } = g(q)
      return sum(mul(y, s))
    }
    for (const scale of [1, 2]) {
      const q = { w: mul(p.w, scale), b: p.b }
      const [value, grads] = valueAndGrad(loss(jitted))(q)
      const [expectedValue, expected] = valueAndGrad(loss(f))(q)
      expectClose([value, grads.w, grads.b], [expectedValue, expected.w, expected.b], 1e-12, 'packed')
    }
  })

  it('is inlined by an outer trace and batched by re-applying the IR under vmap', () => {
    const f = (x: AnyTensor) => sum(tanh(mul(x, x)))
    const jitted = jit(f)
    const x = tensor([0.1, 0.5, -2], { dtype: 'float64' })
    jitted(x)
    expect(String(makeIR(grad(jitted))(x))).not.toContain('jit(')
    const rows = tensor(
      [
        [0.1, 0.5, -2],
        [1, 2, 3],
      ],
      { dtype: 'float64' },
    )
    expectClose([vmap(grad(jitted))(rows)], [vmap(grad(f))(rows)], 1e-12, 'vmap(grad(jit))')
    expectClose([jit(grad(jitted))(x)], [grad(f)(x)], 1e-12, 'jit(grad(jit))')
  })
})
