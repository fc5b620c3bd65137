/**
 * vjp, grad, valueAndGrad: graph shapes that break naive tapes (fan-out, diamonds, shared weights,
 * x − x, unused inputs), broadcasting, layouts, size-0 and rank-0 tensors, conventions at
 * non-differentiable points, determinism and clean state after exceptions. Expected gradients are
 * derived by hand or by central differences, never by the code under test.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  abs,
  add,
  grad,
  gradWithAux,
  greater,
  log,
  logsumexp,
  matmul,
  max,
  maximum,
  mean,
  mul,
  ones,
  relu,
  reshape,
  ShapeError,
  sin,
  softmax,
  sqrt,
  sub,
  sum,
  tensor,
  toArray,
  toFlat,
  transpose,
  valueAndGrad,
  valueAndGradWithAux,
  vjp,
  where,
  zeros,
} from '../../src/index.js'
import { arbTensor, assertGrads } from '../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const
const close = (actual: number[], expected: number[], tol = 1e-12) => {
  expect(actual.length).toBe(expected.length)
  actual.forEach((a, i) => {
    expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!)))
  })
}

describe('vjp', () => {
  it('returns the value and a pullback of the input type (records)', () => {
    const x = { w: tensor([1, 2], f64), b: tensor(3, f64) }
    const [y, pullback] = vjp((p: typeof x) => add(mul(p.w, p.w), p.b), x)
    expect(toArray(y)).toEqual([4, 7])
    const g = pullback(tensor([1, 10], f64))
    expect(toArray(g.w)).toEqual([2, 40]) // d(w²)/dw · ct
    expect(toFlat(g.b)).toEqual([11]) // broadcast scalar: sum of ct
  })

  it('handles tuple inputs and tuple outputs', () => {
    const [y, pullback] = vjp(([a, b]: readonly [AnyTensor, AnyTensor]) => [mul(a, b), add(a, b)] as const, [
      tensor([2], f64),
      tensor([5], f64),
    ] as const)
    expect(toArray(y[0])).toEqual([10])
    const [ga, gb] = pullback([tensor([1], f64), tensor([1], f64)])
    expect(toArray(ga)).toEqual([6]) // b + 1
    expect(toArray(gb)).toEqual([3]) // a + 1
  })

  it('rejects a cotangent of the wrong shape with a ShapeError naming both shapes', () => {
    const [, pullback] = vjp((x: AnyTensor) => mul(x, 2), tensor([1, 2, 3], f64))
    expect(() => pullback(tensor([1, 2], f64))).toThrow(ShapeError)
    expect(() => pullback(tensor([1, 2], f64))).toThrow(/\[2\].*\[3\]/)
  })

  it('is linear in the cotangent and can be called repeatedly', () => {
    fc.assert(
      fc.property(arbTensor([3], { dtype: 'float64' }), arbTensor([3], { dtype: 'float64' }), (c1, c2) => {
        const [, pullback] = vjp((x: AnyTensor) => mul(sin(x), x), tensor([0.3, -1.2, 2], f64))
        const both = toFlat(pullback(add(c1, c2)))
        const separate = toFlat(add(pullback(c1), pullback(c2)))
        close(both, separate, 1e-12)
      }),
      { seed: 1, numRuns: 30 },
    )
  })
})

describe('grad', () => {
  it('accumulates at fan-out: x·x + sin x', () => {
    const xs = [0.5, -1.5, 2]
    const g = grad((x: AnyTensor) => sum(add(mul(x, x), sin(x))))(tensor(xs, f64))
    close(
      toFlat(g),
      xs.map((v) => 2 * v + Math.cos(v)),
    )
  })

  it('handles a diamond: y = a·b with a = 2x, b = x²', () => {
    const g = grad((x: AnyTensor) => {
      const a = mul(x, 2)
      const b = mul(x, x)
      return sum(mul(a, b))
    })(tensor([1, 3], f64))
    close(toFlat(g), [6, 54]) // d(2x³) = 6x²
  })

  it('accumulates shared weights used in two layers', () => {
    const w = tensor(
      [
        [0.5, -1],
        [2, 0.25],
      ],
      f64,
    )
    const x = tensor([[1, 2]], f64)
    const loss = (p: AnyTensor) => sum(matmul(matmul(x, p), p))
    assertGrads(loss, w, { order: 2 })
  })

  it('gives exactly zero for x − x and for unused inputs', () => {
    const g = grad((p: { x: AnyTensor; unused: AnyTensor }) => sum(sub(p.x, p.x)))({
      x: tensor([1, 2], f64),
      unused: tensor([[5]], f64),
    })
    expect(toFlat(g.x)).toEqual([0, 0])
    expect(toFlat(g.unused)).toEqual([0])
    expect(g.unused.shape).toEqual([1, 1])
  })

  it('reduces broadcast gradients: [3,1]+[1,4], [5]*[2,5], scalar+matrix', () => {
    const g1 = grad((p: { a: AnyTensor; b: AnyTensor }) => sum(mul(add(p.a, p.b), add(p.a, p.b))))({
      a: tensor([[1], [2], [3]], f64),
      b: tensor([[10, 20, 30, 40]], f64),
    })
    // d/da_i Σ_j (a_i + b_j)² = Σ_j 2(a_i + b_j)
    expect(toFlat(g1.a)).toEqual([1, 2, 3].map((a) => [10, 20, 30, 40].reduce((s, b) => s + 2 * (a + b), 0)))
    expect(toFlat(g1.b)).toEqual([10, 20, 30, 40].map((b) => [1, 2, 3].reduce((s, a) => s + 2 * (a + b), 0)))
    expect(g1.a.shape).toEqual([3, 1])
    const v = [1, 2, 3, 4, 5]
    const m = [
      [1, 1, 1, 1, 1],
      [2, 0, 2, 0, 2],
    ]
    const g2 = grad((p: AnyTensor) => sum(mul(p, tensor(m, f64))))(tensor(v, f64))
    expect(toFlat(g2)).toEqual([3, 1, 3, 1, 3])
    const g3 = grad((s: AnyTensor) => sum(add(s, zeros([2, 3], f64))))(tensor(1, f64))
    expect(toFlat(g3)).toEqual([6])
  })

  it('follows reshape and transpose layouts', () => {
    assertGrads(
      (x: AnyTensor) =>
        sum(
          mul(
            transpose(reshape(x, [2, 3])),
            tensor(
              [
                [1, 2],
                [3, 4],
                [5, 6],
              ],
              f64,
            ),
          ),
        ),
      tensor([1, 2, 3, 4, 5, 6], f64),
      {
        order: 2,
      },
    )
  })

  it('works on size-0 and rank-0 tensors', () => {
    const g0 = grad((x: AnyTensor) => sum(mul(x, x)))(zeros([0, 3], f64))
    expect(g0.shape).toEqual([0, 3])
    const g1 = grad((x: AnyTensor) => mul(x, x))(tensor(3, f64))
    expect(toFlat(g1)).toEqual([6])
    expect(g1.shape).toEqual([])
  })

  it('keeps softmax and logsumexp gradients finite at ±1000 logits', () => {
    const x = tensor([1000, -1000, 0], f64)
    const g = grad((z: AnyTensor) => logsumexp(z))(x)
    close(toFlat(g), [1, 0, 0])
    const gs = grad((z: AnyTensor) => sum(mul(softmax(z), tensor([1, 2, 3], f64))))(
      tensor([1000, 1000, -1000], f64),
    )
    // softmax = [½, ½, 0]; d/dz_i Σ c_j s_j = s_i (c_i − Σ c_j s_j) with Σ c s = 1.5
    close(toFlat(gs), [0.5 * (1 - 1.5), 0.5 * (2 - 1.5), 0])
  })

  it('uses the documented conventions at kinks: relu(0), abs(0), max ties, maximum ties', () => {
    expect(toFlat(grad((x: AnyTensor) => sum(relu(x)))(tensor([0, -0, 1], f64)))).toEqual([0, 0, 1])
    expect(toFlat(grad((x: AnyTensor) => sum(abs(x)))(tensor([0], f64)))).toEqual([0])
    expect(toFlat(grad((x: AnyTensor) => max(x))(tensor([2, 5, 5, 1], f64)))).toEqual([0, 0.5, 0.5, 0])
    expect(toFlat(grad((x: AnyTensor) => sum(maximum(x, 1)))(tensor([1, 2], f64)))).toEqual([0.5, 1])
    expect(toFlat(grad((x: AnyTensor) => sum(sqrt(x)))(tensor([0], f64)))).toEqual([Infinity])
  })

  it('does not leak NaN from the branch where does not take', () => {
    const g = grad((x: AnyTensor) => sum(where(greater(x, 0), log(where(greater(x, 0), x, 1)), x)))(
      tensor([-1, 0, 2], f64),
    )
    expect(toFlat(g)).toEqual([1, 1, 0.5])
    const g2 = grad((x: AnyTensor) => sum(where(greater(x, 0), sqrt(abs(x)), 0)))(tensor([-1], f64))
    expect(toFlat(g2).map((v) => v + 0)).toEqual([0]) // −0 from sign(−1)·0 is still zero
  })

  it('rejects a non-scalar output instead of summing it', () => {
    expect(() => grad((x: AnyTensor) => mul(x, 2))(tensor([1, 2], f64))).toThrow(ArgumentError)
    expect(() => grad((x: AnyTensor) => mul(x, 2))(tensor([1, 2], f64))).toThrow(/\[2\]/)
  })

  it('is bit-identical across calls', () => {
    const x = tensor([0.1, 0.7, -2.3], f64)
    const f = (z: AnyTensor) => mean(mul(sin(z), add(z, 1)))
    expect(toFlat(grad(f)(x))).toEqual(toFlat(grad(f)(x)))
    const second = grad((z: AnyTensor) => sum(grad(f)(z)))
    expect(toFlat(second(x))).toEqual(toFlat(second(x)))
  })

  it('leaves no tracing state behind after f throws', () => {
    const boom = (x: AnyTensor): AnyTensor => {
      mul(x, 2)
      throw new Error('boom')
    }
    expect(() => grad(boom)(tensor([1], f64))).toThrow('boom')
    expect(() => vjp((x: AnyTensor) => grad(boom)(x), tensor([1], f64))).toThrow('boom')
    // the next call works and plain ops are untraced
    expect(toFlat(grad((x: AnyTensor) => sum(mul(x, x)))(tensor([3], f64)))).toEqual([6])
    expect(toFlat(mul(tensor([2]), 3))).toEqual([6])
  })

  it('leaves no tracing state behind after a pullback throws', () => {
    const [, pullback] = vjp((x: AnyTensor) => mul(x, x), tensor([1, 2], f64))
    expect(() => pullback(ones([3], f64))).toThrow(ShapeError)
    expect(toFlat(grad((x: AnyTensor) => sum(mul(x, x)))(tensor([3], f64)))).toEqual([6])
  })
})

describe('valueAndGrad', () => {
  it('returns the value with the gradient', () => {
    const [value, g] = valueAndGrad((x: AnyTensor) => sum(mul(x, x)))(tensor([1, 2], f64))
    expect(toFlat(value)).toEqual([5])
    expect(toFlat(g)).toEqual([2, 4])
  })

  it('passes auxiliary outputs through undifferentiated', () => {
    const f = (x: AnyTensor) => [sum(mul(x, x)), mul(x, 10)] as const
    const [[value, aux], g] = valueAndGradWithAux(f)(tensor([1, 2], f64))
    expect(toFlat(value)).toEqual([5])
    expect(toFlat(aux)).toEqual([10, 20])
    expect(toFlat(g)).toEqual([2, 4])
    const [g2, aux2] = gradWithAux(f)(tensor([3], f64))
    expect(toFlat(g2)).toEqual([6])
    expect(toFlat(aux2)).toEqual([30])
    // aux is a plain constant afterwards: differentiating through it gives nothing
    expect(toFlat(grad((y: AnyTensor) => sum(mul(y, aux2)))(tensor([1], f64)))).toEqual([30])
  })
})
