/**
 * Regression tests: one named test per bug found by the reliability work (issue 6) — by the
 * bad-input catalogue, the numerical-safety tests and the random-program fuzzer. Each test failed
 * before its fix, except those titled "guard:", which pin down what the fix must not change.
 */
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  add,
  exp,
  grad,
  greater,
  hessian,
  hvp,
  jit,
  jvp,
  less,
  log,
  logSigmoid,
  logSoftmax,
  logsumexp,
  matmul,
  mul,
  type NablaError,
  oneHot,
  ones,
  pad,
  pow,
  ShapeError,
  setDebugNaNs,
  softmax,
  softplus,
  sqrt,
  sum,
  tensor,
  toFlat,
  vmap,
  where,
  zeros,
} from '../../src/index.js'

const f64 = (values: number[]): AnyTensor => tensor(values, { dtype: 'float64' })
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

describe('where does not leak NaN from the branch not taken (trace.ts strong zeros, where.ts unselected)', () => {
  it('grad of where(x > 0, sqrt(x), 0) is 0 at x = −1 and x = 0, 1/(2√x) at x = 4', () => {
    const g = grad((x: AnyTensor) => sum(where(greater(x, 0), sqrt(x), 0)))(f64([-1, 0, 4]))
    expect(toFlat(g)).toEqual([0, 0, 0.25])
  })

  it('grad of where(x > 0, log(x), x) is 1 at x = −1 and x = 0', () => {
    const g = grad((x: AnyTensor) => sum(where(greater(x, 0), log(x), x)))(f64([-1, 0, 2]))
    expect(toFlat(g)).toEqual([1, 1, 0.5])
  })

  it('an overflow several ops deep in the branch not taken does not leak: where(x < 100, x·eˣ, 0) at 1000', () => {
    const g = grad((x: AnyTensor) => sum(where(less(x, 100), mul(x, exp(x)), 0)))(f64([1000, 1]))
    expect(toFlat(g)).toEqual([0, 2 * Math.E])
  })

  it('nor through a reduction in the branch: where(sum(x) > 0, sum(sqrt(x)), 0) at x < 0', () => {
    const g = grad((x: AnyTensor) => where(greater(sum(x), 0), sum(sqrt(x)), 0))(f64([-1, -2]))
    expect(toFlat(g)).toEqual([0, 0])
  })

  it('second order and forward mode agree: hessian, hvp and jvp of the same where are finite', () => {
    const f = (x: AnyTensor) => sum(where(greater(x, 0), log(x), mul(x, x)))
    expect(toFlat(hessian(f)(f64([-1, 0, 2])))).toEqual([2, 0, 0, 0, 2, 0, 0, 0, -0.25])
    expect(toFlat(hvp(f)(f64([-1, 0, 2]), f64([1, 1, 1])))).toEqual([2, 2, -0.25])
    const [, tangent] = jvp(
      (x: AnyTensor) => where(greater(x, 0), sqrt(x), 0),
      f64([-1, 0, 4]),
      f64([1, 1, 1]),
    )
    expect(toFlat(tangent)).toEqual([0, 0, 0.25])
  })

  it('through a broadcast branch: where(x > 0, sqrt(x), zeros([3, 2])) for x of shape [2] is 0 at x = −1, 3/(2√x) at 4', () => {
    // the branch's cotangent is [3, 2] and is summed down to [2]: an element is structurally zero
    // when every element it sums is (the mask was dropped there, and the gradient was NaN)
    const f = (x: AnyTensor) => sum(where(greater(x, 0), sqrt(x), zeros([3, 2], { dtype: 'float64' })))
    expect(toFlat(grad(f)(f64([-1, 4])))).toEqual([0, 0.75])
    expect(toFlat(jit(grad(f))(f64([-1, 4])))).toEqual([0, 0.75])
    // a partly selected column is not a structural zero: its finite part stays
    const g = (x: AnyTensor) => sum(where(greater(x, tensor([[0], [-2]], { dtype: 'float64' })), sqrt(x), 0))
    expect(toFlat(grad(g)(f64([-1, 4])))).toEqual([Number.NaN, 0.5])
  })

  it('under jit the strong zeros hold for every call, not only for the values of the tracing call', () => {
    // traced at x = [1, 2] (no infinity anywhere), then called at x = 0: the mask must be part of
    // the compiled program (it was decided at trace time, and the plan gave NaN)
    const f = (x: AnyTensor) => sum(where(greater(x, 0), log(x), 0))
    const jitted = jit(grad(f))
    expect(toFlat(jitted(f64([1, 2])))).toEqual([1, 0.5])
    expect(toFlat(jitted(f64([0, 2])))).toEqual([0, 0.5])
    expect(toFlat(jitted(f64([-1, 0])))).toEqual([0, 0])
    expect(jitted.traceCount()).toBe(1)
    expect(toFlat(grad(jit(f))(f64([0, 4])))).toEqual([0, 0.25])
  })

  it('under vmap too: each example of vmap(grad) gets its strong zeros (it gave NaN at x = 0)', () => {
    const g = vmap(grad((x: AnyTensor) => sum(where(greater(x, 0), log(x), 0))))
    expect(
      toFlat(
        g(
          tensor(
            [
              [0, 2],
              [1, 0],
            ],
            { dtype: 'float64' },
          ),
        ),
      ),
    ).toEqual([0, 0.5, 1, 0])
  })

  it('guard: a zero cotangent that is a value (1/∞), not a branch not taken, keeps IEEE semantics: NaN, never 0', () => {
    // d/dx log(eˣ) = 1, but eˣ overflows at 1000: NaN is honest, 0 would be a wrong finite number
    const g = grad((x: AnyTensor) => sum(log(exp(x))))(f64([1000, 1]))
    expect(toFlat(g)).toEqual([Number.NaN, 1])
    // and an infinite derivative stays infinite in forward mode
    expect(toFlat(jvp(sqrt, f64([0]), f64([1]))[1])).toEqual([Number.POSITIVE_INFINITY])
  })
})

describe('softplus is smooth at 0 to every order (composite.ts)', () => {
  it("has second derivative σ'(0) = 1/4 at 0, not 0 (max(x, 0) + log1p(e^−|x|) lost it at the kinks)", () => {
    const h = hessian((x: AnyTensor) => sum(softplus(x)))(f64([0]))
    expect(toFlat(h)).toEqual([0.25])
    const hl = hessian((x: AnyTensor) => sum(logSigmoid(x)))(f64([0]))
    expect(toFlat(hl)).toEqual([-0.25])
  })

  it('guard: keeps first derivatives σ(x) and values at 0, ±1 and ±1000', () => {
    const xs = [0, 1, -1, 1000, -1000]
    const g = grad((x: AnyTensor) => sum(softplus(x)))(f64(xs))
    toFlat(g).forEach((v, i) => {
      expect(v).toBeCloseTo(sigmoid(xs[i]!), 15)
    })
    expect(toFlat(softplus(f64(xs)))).toEqual([
      Math.LN2,
      Math.log1p(Math.E),
      Math.log1p(Math.exp(-1)),
      1000,
      0,
    ])
  })
})

describe('debug-NaN mode and pow (pow.ts uses the needs flags)', () => {
  it('grad of pow(x, 2) at negative x does not report the log x of the exponent nobody differentiates', () => {
    const previous = setDebugNaNs(true)
    try {
      const g = grad((x: AnyTensor) => sum(pow(x, 2)))(f64([-2, 3]))
      expect(toFlat(g)).toEqual([-4, 6])
    } finally {
      setDebugNaNs(previous)
    }
  })
})

describe('results too large to allocate are ShapeErrors before allocating (dispatch.ts, layout.ts oneHot)', () => {
  const cases: [string, () => unknown, string][] = [
    ['add', () => add(zeros([100000, 1]) as AnyTensor, zeros([1, 100000]) as AnyTensor), '[100000,100000]'],
    ['matmul', () => matmul(zeros([100000, 1]) as AnyTensor, zeros([1, 100000]) as never), '[100000,100000]'],
    [
      'where',
      () => where(zeros([100000, 1]) as AnyTensor, zeros([1, 100000]) as AnyTensor, 0),
      '[100000,100000]',
    ],
    ['pad', () => pad(zeros([1]), [[1e10, 0]]), '[10000000001]'],
    ['oneHot', () => oneHot(zeros([100000]), 1e6), '[100000,1000000]'],
  ]
  for (const [op, run, shape] of cases)
    it(`${op}: a RangeError from the allocator before; now a ShapeError naming ${op} and ${shape}`, () => {
      let caught: unknown
      try {
        run()
      } catch (e) {
        caught = e
      }
      expect(caught).toBeInstanceOf(ShapeError)
      expect((caught as NablaError).op).toBe(op)
      expect((caught as Error).message).toContain(shape)
      expect((caught as Error).message).toContain('2147483647')
    })
})

describe('errors name the op the caller used', () => {
  it('zeros and ones (not full)', () => {
    expect(() => zeros([-1])).toThrow(/^zeros: shape\[0\] must be a non-negative integer, got -1/)
    expect(() => ones([1.5])).toThrow(/^ones: shape\[0\] must be a non-negative integer, got 1.5/)
  })

  it('logsumexp, softmax and logSoftmax (not max) for an empty axis or an axis out of range', () => {
    const empty = zeros([2, 0]) as AnyTensor
    for (const [op, run] of [
      ['logsumexp', () => logsumexp(empty, 1 as never)],
      ['softmax', () => softmax(empty)],
      ['logSoftmax', () => logSoftmax(empty)],
    ] as const) {
      expect(run).toThrow(ArgumentError)
      expect(run).toThrow(`${op}: cannot take the ${op} over an empty axis of a tensor of shape [2,0]`)
    }
    expect(() => softmax(zeros([2, 3]), 2)).toThrow('softmax: axis 2 is out of range for a tensor of rank 2')
    expect(() => logsumexp(zeros([2, 3]) as AnyTensor, 5 as never)).toThrow(
      'logsumexp: axis 5 is out of range for a tensor of rank 2',
    )
  })
})
