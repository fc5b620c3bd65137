/**
 * Reductions fused into their chains: a sum over one run of axes (rows or columns) of a group it
 * alone reads becomes one step, which gives the unfused plan's values bit for bit (and the eager values bit for bit
 * where the eager sum runs the same WebAssembly kernel, at 64 elements or more), for values and
 * gradients, both dtypes, every operand layout; sums that do not qualify stay two steps.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  add,
  equal,
  exp,
  fromArrayOrThrow,
  grad,
  jit,
  mul,
  square,
  sub,
  sum,
  toFlat,
} from '../../src/index.js'
import { planUnits, smallValueSize } from '../../src/jit/fusion.js'
import { makeIR } from '../../src/jit/makeIR.js'
import { compilePlan } from '../../src/jit/plan.js'
import { attachReductions } from '../../src/jit/reduction.js'

type DType = 'float32' | 'float64'

const filled = (shape: readonly number[], dtype: DType, seed: number): AnyTensor => {
  const size = shape.reduce((p, d) => p * d, 1)
  const values = Array.from({ length: size }, (_, i) => 2 * Math.sin(seed * 5.3 + i * 0.711))
  return fromArrayOrThrow(values, [...shape], { dtype })
}

const sameBits = (a: AnyTensor, b: AnyTensor): boolean => {
  const [x, y] = [toFlat(a), toFlat(b)]
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]))
}

const closeTo = (a: AnyTensor, b: AnyTensor, tolerance: number): boolean => {
  const [x, y] = [toFlat(a), toFlat(b)]
  return x.length === y.length && x.every((v, i) => Math.abs(v - y[i]!) <= tolerance * (1 + Math.abs(y[i]!)))
}

const kindsOf = (f: (...args: AnyTensor[]) => AnyTensor | AnyTensor[], ...args: AnyTensor[]): string[] => {
  const ir = makeIR(f)(...args)
  return attachReductions(ir, planUnits(ir, true)).map((u) => u.kind)
}

// an operand over `shape` that is the whole value, a row (the axes from `split` on), a column (the
// axes before it, trailing ones kept as 1) or a scalar
type Broadcast = 'full' | 'row' | 'column' | 'scalar'
const operandShape = (shape: readonly number[], split: number, kind: Broadcast): number[] =>
  kind === 'full'
    ? [...shape]
    : kind === 'row'
      ? shape.slice(split)
      : kind === 'column'
        ? shape.map((d, i) => (i < split ? d : 1))
        : []

describe('fused reductions', () => {
  it('merge a sum over the last axes with the group it alone reads', () => {
    const [x, y] = [filled([5, 7], 'float32', 1), filled([5, 7], 'float32', 2)]
    expect(kindsOf((a, b) => sum(square(sub(a, b))), x, y)).toEqual(['reduction'])
    expect(kindsOf((a, b) => sum(mul(a, b), -1), x, filled([7], 'float32', 3))).toEqual(['reduction'])
    expect(
      kindsOf(
        (a, b) => sum(mul(a, b), [1, 2]),
        filled([2, 3, 4], 'float64', 1),
        filled([2, 1, 1], 'float64', 2),
      ),
    ).toEqual(['reduction'])
    // over leading or middle axes (columns), with a row of the axes after them
    expect(kindsOf((a, b) => sum(mul(a, b), 0), x, y)).toEqual(['reduction'])
    expect(
      kindsOf(
        (a, b) => sum(square(sub(a, b)), [0, 1]),
        filled([2, 3, 4], 'float64', 1),
        filled([4], 'float64', 2),
      ),
    ).toEqual(['reduction'])
    expect(
      kindsOf(
        (a, b) => sum(square(sub(a, b)), 1),
        filled([2, 3, 4], 'float32', 1),
        filled([2, 3, 4], 'float32', 2),
      ),
    ).toEqual(['reduction'])
    // fit's finiteness check
    expect(kindsOf((a) => equal(sum(mul(a, 0)), 0), x)).toEqual(['reduction', 'fused'])
  })

  it('leave other sums as two steps', () => {
    const [x, y] = [filled([5, 7], 'float32', 1), filled([5, 7], 'float32', 2)]
    // over axes that are not neighbours
    const [u, v] = [filled([2, 3, 4], 'float32', 1), filled([2, 3, 4], 'float32', 2)]
    expect(kindsOf((a, b) => sum(mul(a, b), [0, 2]), u, v)).toEqual(['fused', 'single'])
    // the group's value is read again, or returned
    expect(
      kindsOf(
        (a, b) => {
          const d = sub(a, b)
          return add(sum(d), d)
        },
        x,
        y,
      ),
    ).toEqual(['fused', 'single', 'fused'])
    expect(
      kindsOf(
        (a, b) => {
          const d = sub(a, b)
          return [sum(d), d]
        },
        x,
        y,
      ),
    ).toEqual(['fused', 'single'])
    // no WebAssembly form (exp), or an operand laid out as neither row nor column of the sum
    expect(kindsOf((a) => sum(exp(a)), x)).toEqual(['fused', 'single'])
    // a column operand under a column sum
    expect(kindsOf((a, b) => sum(mul(a, b), 0), x, filled([5, 1], 'float32', 3))).toEqual(['fused', 'single'])
    expect(
      kindsOf(
        (a, b) => sum(mul(a, b), [1, 2]),
        filled([2, 3, 4], 'float32', 1),
        filled([3, 1], 'float32', 2),
      ),
    ).toEqual(['fused', 'single'])
  })

  it('give the unfused plan’s values bit for bit, and the eager ones', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<DType>('float32', 'float64'),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 6, max: 40 })), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom<Broadcast>('full', 'row', 'column', 'scalar'),
        fc.boolean(),
        (dtype, shape, firstSeed, lengthSeed, kind, keepdims) => {
          // one run of axes [first, last]: rows when it ends at the last axis, else columns
          const first = firstSeed % shape.length
          const last = first + (lengthSeed % (shape.length - first))
          const axes = shape.map((_, i) => i).slice(first, last + 1)
          const rows = last === shape.length - 1
          // under a column sum, a column operand is not laid out as the kernel reads: use a row
          const layout: Broadcast = !rows && kind === 'column' ? 'row' : kind
          const split = rows ? first : last + 1
          const [a, b] = [filled(shape, dtype, 1), filled(shape, dtype, 2)]
          const c = filled(operandShape(shape, split, layout), dtype, 3)
          const f = (x: AnyTensor, y: AnyTensor, z: AnyTensor) =>
            sum(mul(square(sub(x, y)), add(z, 0.5)), axes, { keepdims })
          // (a scalar or column operand plus 0.5 is a group of its own shape)
          const kinds = kindsOf(f, a, b, c)
          expect(kinds.at(-1)).toBe('reduction')
          expect(kinds.filter((k) => k !== 'fused').length).toBe(1)
          const fused = jit(f)(a, b, c)
          expect(sameBits(fused, jit(f, { fusion: false })(a, b, c))).toBe(true)
          const eager = f(a, b, c)
          const size = shape.reduce((p, d) => p * d, 1)
          // below 64 elements the eager sum runs in JavaScript, in another order
          if (size >= 64) expect(sameBits(fused, eager)).toBe(true)
          else expect(closeTo(fused, eager, dtype === 'float32' ? 1e-5 : 1e-12)).toBe(true)
        },
      ),
      { seed: 23, numRuns: 150 },
    )
  })

  it('compute gradients through fused reductions as the unfused plan does', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<DType>('float32', 'float64'),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 90 }),
        fc.boolean(),
        (dtype, rows, columns, scale) => {
          const [a, b] = [filled([rows, columns], dtype, 4), filled([rows, columns], dtype, 5)]
          // a column scale's gradient sums each row of a product (rows); a bias row's sums each
          // column (columns)
          const p = { w: filled(scale ? [rows, 1] : [columns], dtype, 6) }
          const loss = (q: { w: AnyTensor }) => sum(square(scale ? mul(sub(a, b), q.w) : add(mul(a, b), q.w)))
          const g = (q: { w: AnyTensor }) => grad(loss)(q).w
          const units = compilePlan(makeIR(g)(p), { fusion: true })!.units
          // (values of at most smallValueSize elements fuse under another rule, as JavaScript)
          if (rows * columns > smallValueSize)
            expect(units.filter((u) => u.kind === 'reduction').length).toBeGreaterThan(0)
          const fused = jit(g)(p)
          expect(sameBits(fused, jit(g, { fusion: false })(p))).toBe(true)
          expect(closeTo(fused, g(p), dtype === 'float32' ? 1e-5 : 1e-12)).toBe(true)
        },
      ),
      { seed: 29, numRuns: 80 },
    )
  })

  it('check finiteness as fit does: 1 for finite values, 0 for any NaN or infinity', () => {
    const check = jit((x: AnyTensor) => equal(sum(mul(x, 0)), 0))
    for (const dtype of ['float32', 'float64'] as const)
      for (const size of [3, 64, 1001]) {
        const values = Array.from({ length: size }, (_, i) => Math.cos(i) * 1e30)
        expect(toFlat(check(fromArrayOrThrow(values, [size], { dtype })))).toEqual([1])
        for (const bad of [Number.NaN, Infinity, -Infinity]) {
          const spoiled = values.map((v, i) => (i === size - 1 ? bad : v))
          expect(toFlat(check(fromArrayOrThrow(spoiled, [size], { dtype })))).toEqual([0])
        }
      }
  })
})
