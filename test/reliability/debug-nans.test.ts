/**
 * Debug-NaN mode (issue 6, point 2): with `setDebugNaNs(true)` or `NABLA_DEBUG_NANS=1`, the first
 * primitive that produces NaN or ±Infinity from finite inputs throws a `NonFiniteError` naming the op
 * and the input shapes; a primitive whose inputs were already non-finite does not throw.
 */
import * as fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type AnyTensor,
  add,
  div,
  exp,
  grad,
  log,
  matmul,
  mul,
  NablaError,
  NonFiniteError,
  ones,
  setDebugNaNs,
  sqrt,
  sum,
  tensor,
  toFlat,
  zeros,
} from '../../src/index.js'
import { apply } from '../../src/tensor/internal.js'
import { domainTools } from '../../src/testing/arbitraries.js'
import { primitives } from '../support/families.js'

const seed = 20261128

afterEach(() => {
  setDebugNaNs(false)
})

/** The error `run` throws (or undefined). */
const thrown = (run: () => unknown): unknown => {
  try {
    run()
  } catch (e) {
    return e
  }
  return undefined
}

describe('debug-NaN mode (setDebugNaNs)', () => {
  it('is off by default and returns the previous setting', () => {
    expect(setDebugNaNs(true)).toBe(false)
    expect(setDebugNaNs(false)).toBe(true)
    expect(toFlat(log(tensor([0])))).toEqual([Number.NEGATIVE_INFINITY])
  })

  it('throws a NonFiniteError naming the op, the bad value and the input shapes', () => {
    setDebugNaNs(true)
    const e = thrown(() => log(tensor([1, 0, 2])))
    expect(e).toBeInstanceOf(NonFiniteError)
    expect(e).toBeInstanceOf(NablaError)
    expect((e as NonFiniteError).op).toBe('log')
    expect((e as Error).message).toBe(
      'log: produced -Infinity at flat index 1 from finite inputs of shapes [3]',
    )
    const d = thrown(() => div(ones([2, 3]), zeros([3])))
    expect((d as NonFiniteError).op).toBe('div')
    expect((d as Error).message).toBe(
      'div: produced Infinity at flat index 0 from finite inputs of shapes [2,3], [3]',
    )
    expect((thrown(() => sqrt(tensor([-1]))) as Error).message).toContain('sqrt: produced NaN')
    expect((thrown(() => exp(tensor([100]))) as Error).message).toContain('exp: produced Infinity')
    expect(
      (thrown(() => matmul(tensor([[1e38, 1e38]]), tensor([[1e38], [1e38]]))) as Error).message,
    ).toContain('matmul: produced Infinity at flat index 0 from finite inputs of shapes [1,2], [2,1]')
  })

  it('stops at the first primitive: exp(log(x)) at 0 names log, not exp', () => {
    setDebugNaNs(true)
    const e = thrown(() => exp(log(tensor([0]))))
    expect((e as NonFiniteError).op).toBe('log')
  })

  it('does not throw where the inputs were already non-finite: NaN and ±Infinity pass through', () => {
    setDebugNaNs(true)
    expect(toFlat(log(tensor([Number.NaN])))).toEqual([Number.NaN])
    expect(toFlat(add(tensor([Number.POSITIVE_INFINITY]), 1))).toEqual([Number.POSITIVE_INFINITY])
    expect(toFlat(mul(tensor([Number.POSITIVE_INFINITY, 1]), 0))).toEqual([Number.NaN, 0])
    expect(toFlat(sum(tensor([Number.NEGATIVE_INFINITY, 1])))).toEqual([Number.NEGATIVE_INFINITY])
  })

  it('checks gradients too: the backward pass of sqrt at 0 divides by 0 (named div), inside grad and grad of grad', () => {
    setDebugNaNs(true)
    const f = (x: AnyTensor) => sum(sqrt(x))
    const e = thrown(() => grad(f)(tensor([0, 1], { dtype: 'float64' })))
    expect(e).toBeInstanceOf(NonFiniteError)
    expect((e as NonFiniteError).op).toBe('div')
    const forward = thrown(() => grad((x: AnyTensor) => sum(log(x)))(tensor([0], { dtype: 'float64' })))
    expect((forward as NonFiniteError).op).toBe('log')
    const second = thrown(() => grad((x: AnyTensor) => sum(grad(f)(x)))(tensor([0], { dtype: 'float64' })))
    expect(second).toBeInstanceOf(NonFiniteError)
  })

  it('never throws on finite results: every primitive over its test domain, forward and backward', () => {
    setDebugNaNs(true)
    for (const prim of primitives.filter((p) => p.domain !== undefined))
      fc.assert(
        fc.property(prim.domain!(domainTools), ({ inputs, params, wrt }) => {
          const out = apply(prim, inputs, params)
          const indices = wrt ?? inputs.map((_, i) => i)
          if (out.size > 0)
            grad((xs: AnyTensor[]) => {
              const all = [...inputs]
              indices.forEach((w, i) => {
                all[w] = xs[i]!
              })
              return sum(apply(prim, all, params))
            })(indices.map((i) => inputs[i]!))
        }),
        { seed, numRuns: 20 },
      )
  })
})

describe('debug-NaN mode from the environment (NABLA_DEBUG_NANS)', () => {
  const load = async (value: string | undefined) => {
    const previous = process.env.NABLA_DEBUG_NANS
    if (value === undefined) delete process.env.NABLA_DEBUG_NANS
    else process.env.NABLA_DEBUG_NANS = value
    vi.resetModules()
    try {
      return await import('../../src/index.js')
    } finally {
      if (previous === undefined) delete process.env.NABLA_DEBUG_NANS
      else process.env.NABLA_DEBUG_NANS = previous
    }
  }

  for (const value of ['1', 'true', 'YES'])
    it(`NABLA_DEBUG_NANS=${value} switches it on when nabla loads`, async () => {
      const fresh = await load(value)
      const e = thrown(() => fresh.log(fresh.tensor([0])))
      expect(e).toBeInstanceOf(fresh.NonFiniteError)
      expect((e as Error).message).toBe(
        'log: produced -Infinity at flat index 0 from finite inputs of shapes [1]',
      )
      expect(fresh.setDebugNaNs(false)).toBe(true)
    })

  for (const value of ['0', '', undefined])
    it(`NABLA_DEBUG_NANS=${value === undefined ? '(unset)' : JSON.stringify(value)} leaves it off`, async () => {
      const fresh = await load(value)
      expect(fresh.toFlat(fresh.log(fresh.tensor([0])))).toEqual([Number.NEGATIVE_INFINITY])
    })
})
