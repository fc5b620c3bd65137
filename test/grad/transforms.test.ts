/**
 * Transforms derived from vjp: jvp, hvp, hessian, jacrev, jacfwd (non-square shapes),
 * customVjp, checkpoint, stopGradient, and derivatives of any order. Expected values come from
 * hand derivations or central differences.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  add,
  checkpoint,
  cos,
  customVjp,
  exp,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jvp,
  log1p,
  matmul,
  mul,
  neg,
  reshape,
  ShapeError,
  sigmoid,
  sin,
  stopGradient,
  sum,
  type Tensor,
  tanh,
  tensor,
  toArray,
  toFlat,
  vjp,
} from '../../src/index.js'
import { arbTensor, assertGrads, checkGrads } from '../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const
const near = (a: readonly number[], b: readonly number[], tol = 1e-10) => {
  expect(a.length).toBe(b.length)
  a.forEach((v, i) => {
    expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]!)))
  })
}

/** Central-difference Jacobian of a function on flat float64 arrays. */
const numericJacobian = (f: (x: AnyTensor) => AnyTensor, x: number[], shape: number[]): number[][] => {
  const eps = 1e-6
  const columns = x.map((_, j) => {
    const plus = x.slice()
    const minus = x.slice()
    plus[j]! += eps
    minus[j]! -= eps
    const fp = toFlat(f(reshapeFlat(plus, shape)))
    const fm = toFlat(f(reshapeFlat(minus, shape)))
    return fp.map((v, i) => (v - fm[i]!) / (2 * eps))
  })
  return columns[0]!.map((_, i) => columns.map((c) => c[i]!))
}
const reshapeFlat = (values: number[], shape: number[]): AnyTensor =>
  shape.length === 2
    ? tensor(
        Array.from({ length: shape[0]! }, (_, r) => values.slice(r * shape[1]!, (r + 1) * shape[1]!)),
        f64,
      )
    : tensor(values, f64)

describe('jvp', () => {
  it('computes J·t (forward mode) for a non-linear function', () => {
    const [y, dy] = jvp((x: AnyTensor) => mul(sin(x), x), tensor([0.5, 2], f64), tensor([1, -2], f64))
    near(toFlat(y), [0.5 * Math.sin(0.5), 2 * Math.sin(2)])
    near(toFlat(dy), [1 * (Math.cos(0.5) * 0.5 + Math.sin(0.5)), -2 * (Math.cos(2) * 2 + Math.sin(2))])
  })

  it('agrees with ⟨t, pullback(c)⟩ (the vjp/jvp adjoint identity)', () => {
    fc.assert(
      fc.property(
        arbTensor([3], { dtype: 'float64', min: -2, max: 2 }),
        arbTensor([3], { dtype: 'float64' }),
        arbTensor([2], { dtype: 'float64' }),
        (x, t, c) => {
          const w = tensor(
            [
              [1, -2],
              [0.5, 3],
              [2, 1],
            ],
            f64,
          )
          const f = (z: AnyTensor) => tanh(matmul(reshapeRow(z), w))
          const [, jt] = jvp(f, x, t)
          const [, pullback] = vjp(f, x)
          const lhs = toFlat(jt).reduce((s, v, i) => s + v * toFlat(c)[i]!, 0)
          const rhs = toFlat(pullback(reshape(c, [1, 2]) as Tensor<[1, 2], 'float64'>)).reduce(
            (s, v, i) => s + v * toFlat(t)[i]!,
            0,
          )
          expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12)
        },
      ),
      { seed: 3, numRuns: 40 },
    )
  })

  it('rejects a tangent of the wrong shape', () => {
    expect(() => jvp((x: AnyTensor) => x, tensor([1, 2], f64), tensor([1], f64))).toThrow(ShapeError)
  })
})

const reshapeRow = (t: AnyTensor) => tensor([toFlat(t)], f64)

describe('jacrev and jacfwd', () => {
  it('shape non-square Jacobians as [...out, ...in] and match finite differences', () => {
    const w = tensor(
      [
        [1, 2, 3],
        [-1, 0.5, 2],
      ],
      f64,
    ) // [2, 3]
    const f = (x: AnyTensor) => tanh(matmul(x, w)) // [4, 2] → [4, 3]
    const x = [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.05]
    const xt = reshapeFlat(x, [4, 2])
    const jr = jacrev(f)(xt)
    const jf = jacfwd(f)(xt)
    expect(jr.shape).toEqual([4, 3, 4, 2])
    expect(jf.shape).toEqual([4, 3, 4, 2])
    const numeric = numericJacobian(f, x, [4, 2]).flat()
    near(toFlat(jr), numeric, 1e-8)
    near(toFlat(jf), numeric, 1e-8)
  })
})

describe('second order', () => {
  it('hessian of Σ x³ + x₀x₁ is diag(6x) plus the cross term', () => {
    const f = (x: AnyTensor) =>
      add(sum(mul(mul(x, x), x)), mul(sum(mul(x, tensor([1, 0], f64))), sum(mul(x, tensor([0, 1], f64)))))
    const h = hessian(f)(tensor([1, 2], f64))
    expect(toArray(h)).toEqual([
      [6, 1],
      [1, 12],
    ])
  })

  it('hvp equals the Hessian times v without forming it', () => {
    const f = (x: AnyTensor) => sum(mul(sin(x), x))
    const x = [0.3, -1.1, 2]
    const v = [1, 2, -1]
    // d²/dx² (x sin x) = 2 cos x − x sin x, diagonal
    const expected = x.map((xi, i) => (2 * Math.cos(xi) - xi * Math.sin(xi)) * v[i]!)
    near(toFlat(hvp(f)(tensor(x, f64), tensor(v, f64))), expected)
  })

  it('grad(grad(f)) and grad of an hvp (third order) match hand derivatives', () => {
    const x = [0.4, -0.7]
    const d2 = grad((z: AnyTensor) => sum(grad((y: AnyTensor) => sum(sin(y)))(z)))(tensor(x, f64))
    near(
      toFlat(d2),
      x.map((v) => -Math.sin(v)),
    )
    const v = tensor([1, 1], f64)
    const d3 = grad((z: AnyTensor) => sum(hvp((y: AnyTensor) => sum(sin(y)))(z, v)))(tensor(x, f64))
    near(
      toFlat(d3),
      x.map((t) => -Math.cos(t)),
    )
  })

  it('nested closures do not confuse perturbations: d/dx [x · d/dy (x·y)] = 2x', () => {
    const g = grad((x: AnyTensor) => sum(mul(x, grad((y: AnyTensor) => sum(mul(x, y)))(tensor([5], f64)))))(
      tensor([3], f64),
    )
    expect(toFlat(g)).toEqual([6])
  })
})

describe('stopGradient', () => {
  it('treats its value as a constant at every order', () => {
    const g = grad((x: AnyTensor) => sum(mul(x, stopGradient(x))))(tensor([2, 3], f64))
    expect(toFlat(g)).toEqual([2, 3])
    const record = stopGradient({ a: tensor([1], f64) })
    expect(toFlat(record.a)).toEqual([1])
  })
})

describe('customVjp', () => {
  const softplus = customVjp(
    (x: AnyTensor) => log1p(exp(x)),
    (ct, _y, x) => [mul(ct, sigmoid(x))] as const,
  )

  it('uses the hand-written rule, and the rule is differentiable (order 2)', () => {
    const x = tensor([-2, 0, 3], f64)
    near(
      toFlat(grad((z: AnyTensor) => sum(softplus(z)))(x)),
      [-2, 0, 3].map((v) => 1 / (1 + Math.exp(-v))),
    )
    assertGrads((z: AnyTensor) => sum(softplus(z)), x, { order: 2 })
  })

  it('can disagree with the forward on purpose (straight-through estimator)', () => {
    const roundSte = customVjp(
      (x: AnyTensor) => tensor(toFlat(x).map(Math.round), f64) as AnyTensor,
      (ct) => [ct] as const,
    )
    expect(toFlat(grad((z: AnyTensor) => sum(roundSte(z)))(tensor([0.4, 1.6], f64)))).toEqual([1, 1])
  })

  it('rejects a rule that returns the wrong number or shape of cotangents at run time', () => {
    const wrongShape = customVjp(
      (x: AnyTensor) => mul(x, 2),
      (ct) => [sum(ct)] as unknown as readonly [AnyTensor],
    )
    expect(() => grad((z: AnyTensor) => sum(wrongShape(z)))(tensor([1, 2], f64))).toThrow(ShapeError)
  })
})

describe('checkpoint', () => {
  it('computes the same values and gradients (first and second order) as the plain function', () => {
    const block = (x: AnyTensor) => sin(mul(x, cos(x)))
    const saved = checkpoint(block)
    const x = tensor([0.3, -0.8, 1.7], f64)
    expect(toFlat(saved(x))).toEqual(toFlat(block(x)))
    expect(toFlat(grad((z: AnyTensor) => sum(saved(z)))(x))).toEqual(
      toFlat(grad((z: AnyTensor) => sum(block(z)))(x)),
    )
    expect(checkGrads((z: AnyTensor) => sum(saved(z)), x, { order: 2 }).ok).toBe(true)
  })

  it('keeps the negation sign through nested checkpoints', () => {
    const inner = checkpoint((x: AnyTensor) => neg(mul(x, x)))
    const outer = checkpoint((x: AnyTensor) => inner(add(x, 1)))
    near(toFlat(grad((z: AnyTensor) => sum(outer(z)))(tensor([2], f64))), [-6])
  })
})
