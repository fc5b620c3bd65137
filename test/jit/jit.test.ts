/**
 * jit: one trace per input signature, the plan afterwards; pytrees in and out; static arguments;
 * composition with grad (both orders) and nested jit; the documented edges (side effects run at
 * tracing only; closed-over tracers are not cached). Expected values come from the eager function.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  add,
  grad,
  jit,
  logSoftmax,
  logsumexp,
  matmul,
  mul,
  reshape,
  sin,
  stopGradient,
  sum,
  tanh,
  tensor,
  toArray,
  toFlat,
  valueAndGrad,
  vmap,
  zeros,
} from '../../src/index.js'

const f64 = { dtype: 'float64' } as const
const close = (a: readonly number[], b: readonly number[], tol = 1e-12) => {
  expect(a).toHaveLength(b.length)
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)))
}

describe('jit', () => {
  const loss = (p: { w: AnyTensor; b: AnyTensor }) => sum(tanh(add(mul(p.w, p.w), p.b)))

  it('traces once per signature and gives the eager values afterwards', () => {
    let calls = 0
    const f = jit((x: AnyTensor, y: AnyTensor) => {
      calls++ // a side effect: runs at tracing calls only (documented)
      return sin(mul(x, y))
    })
    const x = tensor([0.1, 0.2, 0.3], f64)
    for (let i = 0; i < 3; i++) {
      const y = tensor([i, i + 1, i + 2], f64)
      close(toFlat(f(x, y)), toFlat(sin(mul(x, y))))
    }
    expect(f.traceCount()).toBe(1)
    expect(calls).toBe(1)
    // a new shape retraces; the old signature stays cached
    close(toFlat(f(tensor([1, 2], f64), tensor([3, 4], f64))), [Math.sin(3), Math.sin(8)])
    expect(f.traceCount()).toBe(2)
    f(x, x)
    expect(f.traceCount()).toBe(2)
    // a new dtype retraces too
    f(tensor([1]), tensor([2]))
    expect(f.traceCount()).toBe(3)
  })

  it('takes and returns pytrees', () => {
    const f = jit((p: { w: AnyTensor; b: AnyTensor }) => ({
      y: add(p.w, p.b),
      both: [p.w, mul(p.b, 2)] as const,
    }))
    const p = { w: tensor([1, 2], f64), b: tensor([3, 4], f64) }
    f(p)
    const out = f(p)
    expect(toArray(out.y)).toEqual([4, 6])
    expect(toArray(out.both[0])).toEqual([1, 2])
    expect(toArray(out.both[1])).toEqual([6, 8])
  })

  it('static arguments are part of the signature', () => {
    const f = jit((x: AnyTensor, power: number) => (power === 2 ? mul(x, x) : x), { staticArgs: [1] })
    const x = tensor([3], f64)
    expect(toArray(f(x, 2))).toEqual([9])
    expect(toArray(f(x, 1))).toEqual([3])
    expect(toArray(f(x, 2))).toEqual([9])
    expect(f.traceCount()).toBe(2)
  })

  it('static numbers that String or JSON would merge are different signatures (−0 and 0, NaN and ±Infinity)', () => {
    const scale = jit((x: AnyTensor, by: number) => mul(x, by), { staticArgs: [1] })
    const scaleBy = jit((x: AnyTensor, o: { by: number }) => mul(x, o.by), { staticArgs: [1] })
    const x = tensor([1, -2], f64)
    const values = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
    for (const by of [...values, ...values]) {
      const expected = toFlat(mul(x, by))
      for (const got of [toFlat(scale(x, by)), toFlat(scaleBy(x, { by }))])
        got.forEach((v, i) => {
          expect(Object.is(v, expected[i])).toBe(true)
        })
    }
    expect([scale.traceCount(), scaleBy.traceCount()]).toEqual([5, 5])
  })

  it('keeps the cacheSize most recently used signatures, traces an evicted one again, and gives the eager values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 30 }),
        (cacheSize, lengths) => {
          const f = jit((x: AnyTensor) => add(mul(x, 2), 1), { cacheSize })
          // the model: a list of lengths, most recent last
          let kept: number[] = []
          let traces = 0
          for (const n of lengths) {
            const x = tensor(
              Array.from({ length: n }, (_, i) => i - 1),
              f64,
            )
            expect(toFlat(f(x))).toEqual(toFlat(add(mul(x, 2), 1)))
            if (!kept.includes(n)) traces++
            kept = [...kept.filter((k) => k !== n), n].slice(-cacheSize)
            expect(f.traceCount()).toBe(traces)
          }
        },
      ),
      { seed: 19, numRuns: 100 },
    )
    for (const bad of [0, 2.5, Number.NaN, -1])
      expect(() => jit((x: AnyTensor) => x, { cacheSize: bad })).toThrow(
        `jit: cacheSize must be an integer ≥ 1 or Infinity, got ${bad}`,
      )
    const unbounded = jit((x: AnyTensor) => mul(x, 2), { cacheSize: Number.POSITIVE_INFINITY })
    for (const n of [1, 2, 3, 1, 2, 3])
      unbounded(
        tensor(
          Array.from({ length: n }, () => 1),
          f64,
        ),
      )
    expect(unbounded.traceCount()).toBe(3)
  })

  it('jit(grad(f)) and grad(jit(f)) equal grad(f)', () => {
    const p = { w: tensor([1, 2, 3], f64), b: tensor([0.5, 0.1, 0.2], f64) }
    const q = { w: tensor([-1, 0.5, 0.25], f64), b: tensor([0, 1, -1], f64) }
    const jg = jit(grad(loss))
    const gj = grad(jit(loss))
    for (const point of [p, q, p]) {
      const expected = grad(loss)(point)
      for (const got of [jg(point), gj(point)]) {
        close(toFlat(got.w), toFlat(expected.w))
        close(toFlat(got.b), toFlat(expected.b))
      }
    }
    expect(jg.traceCount()).toBe(1)
  })

  it('second derivatives through a jitted function', () => {
    const f = jit((x: AnyTensor) => sum(mul(mul(x, x), x)))
    const x = tensor([1, 2], f64)
    f(x)
    // d²/dx² of Σx³ summed: grad(sum(grad)) = 6x
    close(toFlat(grad((y: AnyTensor) => sum(grad(f)(y)))(x)), [6, 12])
  })

  it('nested jit is inlined into the outer trace', () => {
    const inner = jit((x: AnyTensor) => tanh(x))
    const outer = jit((x: AnyTensor) => add(inner(x), 1))
    const x = tensor([0.5, -1], f64)
    inner(x) // inner's cache is warm: under the outer trace its IR is applied primitive by primitive
    outer(x)
    close(toFlat(outer(x)), [Math.tanh(0.5) + 1, Math.tanh(-1) + 1])
    expect(outer.lastIR()!.equations.map((e) => e.prim.name)).toEqual(['tanh', 'add'])
  })

  it('valueAndGrad of an MLP loss under jit matches eager', () => {
    const x = tensor(
      [
        [1, 2, 3, 4],
        [0, -1, 2, 1],
      ],
      f64,
    )
    const step = jit(valueAndGrad((w: AnyTensor) => sum(tanh(matmul(x, reshape(w, [4, 2]))))))
    const w = tensor([0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8], f64)
    step(w)
    const [value, g] = step(w)
    const [ev, eg] = valueAndGrad((v: AnyTensor) => sum(tanh(matmul(x, reshape(v, [4, 2])))))(w)
    close(toFlat(value), toFlat(ev))
    close(toFlat(g), toFlat(eg))
  })

  it('a tensor closed over from an outer trace is not cached (each call retraces)', () => {
    const x = tensor([1, 2], f64)
    // d/dc of sum(x · c) through a jitted closure over c
    const g = grad((c: AnyTensor) => jit((y: AnyTensor) => sum(mul(y, c)))(x))
    close(toFlat(g(tensor([3, 4], f64))), [1, 2])
    close(toFlat(g(tensor([5, 6], f64))), [1, 2])
  })

  it('an output that is an input or a constant comes back as it is', () => {
    const f = jit((x: AnyTensor) => [x, zeros([2])])
    const x = tensor([1, 2])
    f(x)
    const [a, b] = f(x)
    expect(toArray(a!)).toEqual([1, 2])
    expect(toArray(b!)).toEqual([0, 0])
  })
})

describe('jit and stopGradient', () => {
  it('records stopGradient (logsumexp’s shift) instead of freezing its value', () => {
    const f = jit((x: AnyTensor) => logsumexp(x, -1))
    const a = tensor([[1, 2, 3]], f64)
    f(a)
    expect(f.lastIR()!.equations.map((e) => e.prim.name)).toContain('stopGradient')
    const b = tensor([[1000, 1001, 1002]], f64)
    close(toFlat(f(b)), toFlat(logsumexp(b, -1)))
  })

  it('records logSoftmax as its primitive, and its values follow the input', () => {
    const f = jit((x: AnyTensor) => logSoftmax(x, -1))
    const a = tensor([[1, 2, 3]], f64)
    f(a)
    expect(f.lastIR()!.equations.map((e) => e.prim.name)).toContain('logSoftmax')
    const b = tensor([[1000, 1001, 1003]], f64)
    close(toFlat(f(b)), toFlat(logSoftmax(b, -1)))
  })

  it('gives no gradient through stopGradient, compiled or re-interpreted', () => {
    const f = (x: AnyTensor) => sum(mul(x, stopGradient(x)))
    const x = tensor([1, 2], f64)
    const jg = jit(grad(f))
    jg(x)
    close(toFlat(jg(x)), [1, 2])
    const gj = grad(jit(f))
    gj(x)
    close(toFlat(gj(x)), [1, 2])
  })
})

describe('jit and vmap', () => {
  const f = (x: AnyTensor) => sum(tanh(mul(x, x)))
  const rows = [
    [0.1, -0.4, 0.7],
    [1.2, 0.3, -0.9],
    [-0.5, 0.8, 0.05],
  ]
  const xs = tensor(rows, f64)
  const loop = rows.map((row) => toFlat(f(tensor(row, f64)))[0]!)

  it('jit(vmap(f)) equals vmap(f) and the loop, traced once', () => {
    const jitted = jit(vmap(f))
    close(toFlat(jitted(xs)), loop)
    close(toFlat(jitted(mul(xs, 2))), toFlat(vmap(f)(mul(xs, 2))))
    expect(jitted.traceCount()).toBe(1)
  })

  it('vmap(jit(f)) equals vmap(f) and the loop, and so does vmap of a jitted gradient', () => {
    close(toFlat(vmap(jit(f))(xs)), loop)
    const perRow = rows.map((row) => toFlat(grad(f)(tensor(row, f64))))
    close(toFlat(vmap(jit(grad(f)))(xs)), perRow.flat())
  })
})
