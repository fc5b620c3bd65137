/**
 * Issue 6, point 2: numbers never silently rot.
 * - NaN and ±Infinity in inputs propagate per IEEE through every primitive of the registry and
 *   never turn into wrong finite numbers.
 * - `where` does not leak NaN gradients from the branch not taken.
 * - sigmoid, softplus, logSigmoid, logsumexp, softmax and logSoftmax are stable at ±1000 in float32
 *   and float64: values and gradients finite and within error bounds of high-precision references
 *   computed independently (`reference.ts`, BigInt fixed point).
 * Debug-NaN mode is tested in `debug-nans.test.ts`.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  cast,
  type DType,
  exp,
  grad,
  greater,
  less,
  log,
  log1p,
  logSigmoid,
  logSoftmax,
  logsumexp,
  mul,
  pow,
  sigmoid,
  softmax,
  softplus,
  sqrt,
  sub,
  sum,
  tensor,
  toFlat,
  vjp,
  where,
} from '../../src/index.js'
import {
  apply,
  type DomainCase,
  makeTensor,
  type Prim,
  storage,
  storageFrom,
} from '../../src/tensor/internal.js'
import { domainTools } from '../../src/testing/arbitraries.js'
import { primitives } from '../support/families.js'
import * as R from './reference.js'

const seed = 20261128

/** Unit roundoff and the smallest subnormal of each dtype. */
const unit: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 }
const tiny: Record<DType, number> = { float32: 2 ** -149, float64: 2 ** -1074 }

const flat = (t: AnyTensor): number[] => Array.from(storage(t))

const replaced = (t: AnyTensor, at: number, value: number): AnyTensor => {
  const data = storageFrom(t.dtype, storage(t))
  data[at] = value
  return makeTensor(t.shape, t.dtype, data)
}

const comparisons: Record<string, boolean> = {
  equal: false,
  notEqual: true,
  less: false,
  lessEqual: false,
  greater: false,
  greaterEqual: false,
}

/** A domain case for any primitive (comparisons have none: two broadcast tensors). */
const caseOf = (prim: Prim<any>): fc.Arbitrary<DomainCase<any>> =>
  prim.domain !== undefined
    ? prim.domain(domainTools)
    : domainTools.binary({ min: -3, max: 3 }, { min: -3, max: 3 })

interface Injection {
  readonly prim: Prim<any>
  readonly inputs: readonly AnyTensor[]
  readonly params: unknown
  readonly slot: number
  readonly at: number
}

/** A primitive, its inputs (float64 or float32), and a value input and element to overwrite. */
const arbInjection = (prim: Prim<any>): fc.Arbitrary<Injection> =>
  fc.tuple(caseOf(prim), fc.nat(), fc.nat(), fc.boolean()).map(([c, pick, position, narrow]) => {
    const values = c.wrt ?? c.inputs.map((_, i) => i)
    const inputs = c.inputs.map((t, i) => (narrow && values.includes(i) ? cast(t, 'float32') : t))
    const slots = values.filter((i) => inputs[i]!.size > 0)
    const slot = slots.length === 0 ? -1 : slots[pick % slots.length]!
    const at = slot < 0 ? 0 : position % inputs[slot]!.size
    return { prim, inputs, params: c.params, slot, at }
  })

const run = ({ prim, inputs, params, slot }: Injection, at: number, value: number): number[] =>
  flat(
    apply(prim, slot < 0 ? inputs : inputs.map((t, i) => (i === slot ? replaced(t, at, value) : t)), params),
  )

/** Output positions that change when the chosen element changes to other finite values. */
const dependents = (c: Injection): boolean[] => {
  const clean = run(c, c.at, storage(c.inputs[c.slot]!)[c.at]!)
  const original = storage(c.inputs[c.slot]!)[c.at]!
  const changed = clean.map(() => false)
  for (const delta of [1, -1, 1e6, -1e6])
    run(c, c.at, original + delta).forEach((v, k) => {
      if (!Object.is(v, clean[k])) changed[k] = true
    })
  return changed
}

describe('the reference arithmetic', () => {
  it('agrees with Math.exp and Math.log to within one ulp (it is the oracle below)', () => {
    fc.assert(
      fc.property(fc.double({ min: -700, max: 700, noNaN: true }), (x) => {
        const e = R.toDouble(R.exp(R.fromDouble(x)))
        expect(Math.abs(e - Math.exp(x))).toBeLessThanOrEqual(2 ** -52 * Math.exp(x))
        const y = Math.abs(x) + 1e-3
        const l = R.toDouble(R.log(R.fromDouble(y)))
        expect(Math.abs(l - Math.log(y))).toBeLessThanOrEqual(2 ** -52 * Math.abs(Math.log(y)) + 2 ** -1074)
      }),
      { seed, numRuns: 200 },
    )
    expect(R.toDouble(R.exp(R.fromDouble(-745)))).toBe(5e-324)
    expect(R.toDouble(R.fromDouble(-0.1))).toBe(-0.1)
  })
})

describe('NaN and ±Infinity propagate per IEEE through every primitive', () => {
  for (const prim of primitives) {
    const comparison = comparisons[prim.name]
    it(`${prim.name}: NaN at a random element makes exactly the outputs that depend on it NaN${comparison === undefined ? '' : ' (a comparison: false, or true for notEqual)'}`, () => {
      fc.assert(
        fc.property(arbInjection(prim), (c) => {
          fc.pre(c.slot >= 0)
          const clean = run(c, c.at, storage(c.inputs[c.slot]!)[c.at]!)
          const changed = dependents(c)
          const poisoned = run(c, c.at, Number.NaN)
          poisoned.forEach((v, k) => {
            if (comparison !== undefined) expect(v).toBe(changed[k] ? Number(comparison) : clean[k])
            else if (changed[k]) expect(v).toBeNaN()
            // an output that is not NaN is exactly what it was: never a different finite number
            else if (!Number.isNaN(v)) expect(Object.is(v, clean[k])).toBe(true)
          })
        }),
        { seed, numRuns: 40 },
      )
    })

    // pow's limits (x^y for |y| ≪ 1 at x → ∞) converge too slowly for any finite stand-in: its
    // infinities are checked against IEEE 754's table below
    it(`${prim.name}: ±Infinity gives each dependent finite output its limit (the value at ±1e300), and leaves the rest`, () => {
      fc.assert(
        fc.property(arbInjection(prim), fc.boolean(), (c, positive) => {
          fc.pre(c.slot >= 0 && c.inputs[c.slot]!.dtype === 'float64')
          const clean = run(c, c.at, storage(c.inputs[c.slot]!)[c.at]!)
          const changed = dependents(c)
          const infinite = run(c, c.at, positive ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY)
          const huge = run(c, c.at, positive ? 1e300 : -1e300)
          infinite.forEach((v, k) => {
            if (comparison !== undefined) expect(v).toBe(huge[k])
            else if (!Number.isFinite(v)) return
            // where the real limit does not exist (pow(−1e300, ½) is NaN) IEEE's value stands
            else if (changed[k]) {
              if (!Number.isNaN(huge[k]!) && prim.name !== 'pow')
                expect(Math.abs(v - huge[k]!)).toBeLessThanOrEqual(1e-250)
            } else expect(Object.is(v, clean[k])).toBe(true)
          })
        }),
        { seed, numRuns: 40 },
      )
    })
  }

  it("pow follows IEEE 754's table at infinite bases and exponents (JavaScript's 1^∞ = NaN included)", () => {
    const inf = Number.POSITIVE_INFINITY
    const cases: readonly [number, number, number][] = [
      [inf, 0.5, inf],
      [inf, -0.5, 0],
      [inf, 0, 1],
      [-inf, 2, inf],
      [-inf, 3, -inf],
      [-inf, -1, -0],
      [-inf, -2, 0],
      [0.5, inf, 0],
      [2, inf, inf],
      [0.5, -inf, inf],
      [2, -inf, 0],
      [-0.5, inf, 0],
      [1, inf, Number.NaN],
      [Number.NaN, 0, 1],
    ]
    const base = tensor(
      cases.map(([x]) => x),
      { dtype: 'float64' },
    )
    const exponent = tensor(
      cases.map(([, y]) => y),
      { dtype: 'float64' },
    )
    expect(toFlat(pow(base, exponent))).toEqual(cases.map(([, , z]) => z))
  })

  it('where: a NaN condition counts as true (non-zero, as in NumPy); a NaN in the branch not taken does not appear', () => {
    const c = tensor([Number.NaN, 0, 1], { dtype: 'float64' })
    const a = tensor([1, Number.NaN, 3], { dtype: 'float64' })
    const b = tensor([10, 20, Number.NaN], { dtype: 'float64' })
    expect(toFlat(where(c, a, b))).toEqual([1, 20, 3])
  })
})

describe('where does not leak NaN gradients from the branch not taken', () => {
  const f64 = (values: readonly number[]): AnyTensor => tensor([...values], { dtype: 'float64' })
  const branches: readonly [string, (x: AnyTensor) => AnyTensor, (x: number) => number][] = [
    ['sqrt(x)', sqrt, (x) => 0.5 / Math.sqrt(x)],
    ['log(x)', log, (x) => 1 / x],
    ['log1p(x − 1)', (x) => log1p(sub(x, 1)), (x) => 1 / x],
    ['pow(x, 0.5)', (x) => pow(x, 0.5), (x) => 0.5 / Math.sqrt(x)],
    ['x·log(x)', (x) => mul(x, log(x)), (x) => Math.log(x) + 1],
  ]
  for (const [name, f, derivative] of branches)
    it(`grad of where(x > 0, ${name}, x²) is the derivative of the branch taken: 2x at x ≤ 0 (x = 0 included)`, () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.oneof(
              fc.constant(0),
              fc.constant(-1),
              fc.double({ min: -5, max: 0, noNaN: true }),
              fc.double({ min: 0.1, max: 5, noNaN: true }),
            ),
            {
              minLength: 1,
              maxLength: 6,
            },
          ),
          (xs) => {
            const g = grad((x: AnyTensor) => sum(where(greater(x, 0), f(x), mul(x, x))))(f64(xs))
            toFlat(g).forEach((v, i) => {
              const x = xs[i]!
              expect(Number.isFinite(v)).toBe(true)
              if (x > 0) expect(v).toBeCloseTo(derivative(x), 6)
              else expect(v).toBe(2 * x)
            })
          },
        ),
        { seed, numRuns: 60 },
      )
    })

  it('nor from a branch that overflows: grad of where(x < 50, exp(x)·x, 0) is 0 for x ≥ 50, however large', () => {
    const xs = [60, 700, 1000, 1e300, 1]
    const g = grad((x: AnyTensor) => sum(where(less(x, 50), mul(exp(x), x), 0)))(f64(xs))
    expect(toFlat(g)).toEqual([0, 0, 0, 0, 2 * Math.E])
  })
})

/** |got − ref| ≤ bound, with a readable failure. */
const expectWithin = (got: number, ref: number, bound: number, what: string): void => {
  const ok = got === ref || Math.abs(got - ref) <= bound
  expect(ok, `${what}: got ${got}, reference ${ref}, error ${Math.abs(got - ref)}, bound ${bound}`).toBe(true)
}

/** Inputs exact in float32 and float64: multiples of ½ in [−1000, 1000], with ±1000 often. */
const arbLogit = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(-1000, 1000, 0, -745, 745, -30, 30) },
  { weight: 3, arbitrary: fc.integer({ min: -2000, max: 2000 }).map((k) => k / 2) },
)
const arbRow = fc.array(arbLogit, { minLength: 1, maxLength: 5 })
const extremes = [-1000, -745, -100, -30, -1, -0.5, 0, 0.5, 1, 30, 100, 745, 1000]
const dtypes: readonly DType[] = ['float32', 'float64']

describe('stable forms at ±1000: values and gradients against high-precision references', () => {
  const elementwise: readonly [
    string,
    (x: AnyTensor) => AnyTensor,
    (x: number) => number,
    (x: number) => number,
  ][] = [
    ['sigmoid', sigmoid, R.sigmoid, R.sigmoidDerivative],
    ['softplus', softplus, R.softplus, R.sigmoid],
    ['logSigmoid', logSigmoid, R.logSigmoid, (x) => R.sigmoid(-x)],
  ]
  for (const dtype of dtypes)
    for (const [name, f, value, derivative] of elementwise)
      it(`${name} in ${dtype}: values within 4u·|ref|, derivatives within 8u, at ±1000 and random points`, () => {
        const u = unit[dtype]
        const check = (xs: readonly number[]) => {
          const x = tensor([...xs], { dtype })
          const y = toFlat(f(x))
          const g = toFlat(grad((t: AnyTensor) => sum(f(t)))(x))
          xs.forEach((xi, i) => {
            expectWithin(y[i]!, value(xi), 4 * u * Math.abs(value(xi)) + 2 * tiny[dtype], `${name}(${xi})`)
            expectWithin(g[i]!, derivative(xi), 8 * u, `${name}'(${xi})`)
          })
        }
        check(extremes)
        fc.assert(
          fc.property(arbRow, (xs) => check(xs)),
          { seed, numRuns: 40 },
        )
      })

  for (const dtype of dtypes)
    it(`logsumexp, softmax and logSoftmax in ${dtype}: values and vjps within their error bounds, at ±1000`, () => {
      const u = unit[dtype]
      const check = (xs: readonly number[], ws: readonly number[]) => {
        const n = xs.length
        const x = tensor([...xs], { dtype })
        const w = tensor([...ws], { dtype })
        const scale = 1 + ws.reduce((a, b) => a + Math.abs(b), 0)
        const m = Math.max(...xs.map(Math.abs))
        const lse = R.logsumexp(xs)
        expectWithin(toFlat(logsumexp(x))[0]!, lse, 8 * u * Math.max(1, Math.abs(lse), m), `logsumexp(${xs})`)
        const lsm = R.logSoftmax(xs)
        const s = R.softmax(xs)
        toFlat(logSoftmax(x)).forEach((v, i) => {
          expectWithin(v, lsm[i]!, 8 * u * (1 + Math.abs(lsm[i]!)), `logSoftmax(${xs})[${i}]`)
        })
        toFlat(softmax(x)).forEach((v, i) => {
          const bound = (8 * u * (1 + Math.abs(lsm[i]!)) + 2 * u) * s[i]! + 2 * tiny[dtype]
          expectWithin(v, s[i]!, bound, `softmax(${xs})[${i}]`)
        })
        toFlat(grad((t: AnyTensor) => logsumexp(t))(x)).forEach((v, i) => {
          expectWithin(v, s[i]!, 4 * (n + 2) * u, `logsumexp'(${xs})[${i}]`)
        })
        const softmaxVjp = toFlat(vjp((t: AnyTensor) => softmax(t), x)[1](w))
        const reference = R.softmaxVjp(xs, ws)
        softmaxVjp.forEach((v, i) => {
          expectWithin(v, reference[i]!, 16 * n * u * scale, `softmax vjp(${xs}; ${ws})[${i}]`)
        })
        const logSoftmaxVjp = toFlat(vjp((t: AnyTensor) => logSoftmax(t), x)[1](w))
        const referenceLog = R.logSoftmaxVjp(xs, ws)
        logSoftmaxVjp.forEach((v, i) => {
          expectWithin(v, referenceLog[i]!, 16 * n * u * scale, `logSoftmax vjp(${xs}; ${ws})[${i}]`)
        })
      }
      for (const row of [
        [1000, 1000],
        [-1000, -1000],
        [1000, -1000],
        [1000, 0, -1000],
        [-1000, -999.5, -1000],
        [745, 745, -745],
        [0],
      ])
        check(
          row,
          row.map((_, i) => (i % 2 === 0 ? 1 : -0.5)),
        )
      fc.assert(
        fc.property(
          arbRow.chain((xs) =>
            fc.tuple(
              fc.constant(xs),
              fc.array(
                fc.integer({ min: -8, max: 8 }).map((k) => k / 8),
                { minLength: xs.length, maxLength: xs.length },
              ),
            ),
          ),
          ([xs, ws]) => check(xs, ws),
        ),
        { seed, numRuns: 40 },
      )
    })
})

describe('infinite entries in the log-sum-exp family', () => {
  for (const dtype of dtypes) {
    const t = (values: number[]): AnyTensor => tensor(values, { dtype })
    const inf = Number.POSITIVE_INFINITY

    it(`${dtype}: all −∞ gives −∞ (log 0) and a NaN gradient (0/0), never a finite number`, () => {
      expect(toFlat(logsumexp(t([-inf, -inf, -inf])))).toEqual([-inf])
      expect(toFlat(grad((x: AnyTensor) => logsumexp(x))(t([-inf, -inf])))).toEqual([Number.NaN, Number.NaN])
      expect(toFlat(softmax(t([-inf, -inf])))).toEqual([Number.NaN, Number.NaN])
    })

    it(`${dtype}: −∞ entries next to finite ones contribute 0 to the value and get a gradient of exactly 0`, () => {
      const xs = [-inf, 1000, -inf, 999.5]
      const finite = [1000, 999.5]
      const u = unit[dtype]
      expectWithin(toFlat(logsumexp(t(xs)))[0]!, R.logsumexp(finite), 8 * u * 1000, 'logsumexp')
      const g = toFlat(grad((x: AnyTensor) => logsumexp(x))(t(xs)))
      const s = R.softmax(finite)
      expect([g[0], g[2]]).toEqual([0, 0])
      expectWithin(g[1]!, s[0]!, 24 * u, 'd/dx1')
      expectWithin(g[3]!, s[1]!, 24 * u, 'd/dx3')
      expect(toFlat(softmax(t([-inf, 0])))).toEqual([0, 1])
      expect(toFlat(logSoftmax(t([-inf, 0])))).toEqual([-inf, 0])
    })

    it(`${dtype}: a +∞ entry gives +∞, finite entries get gradient 0, and the +∞ entry NaN (∞/∞), not a wrong number`, () => {
      expect(toFlat(logsumexp(t([inf, 0, -inf])))).toEqual([inf])
      const g = toFlat(grad((x: AnyTensor) => logsumexp(x))(t([inf, 0, -1000])))
      expect(g[0]).toBeNaN()
      expect([g[1], g[2]]).toEqual([0, 0])
      expect(toFlat(logsumexp(t([Number.NaN, 0])))).toEqual([Number.NaN])
    })
  }
})
