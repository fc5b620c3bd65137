/**
 * Activations by name: each against its formula written out with Math (float64, property-based),
 * gradients against finite differences, and unknown names.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AnyTensor, ArgumentError, fromArrayOrThrow, sum, toFlat } from '../../src/index.js'
import {
  activation,
  activationNames,
  activations,
  identity,
  isActivationName,
  leakyRelu,
} from '../../src/models/activations.js'
import { checkGrads } from '../../src/testing/index.js'

const formulas: Record<string, (x: number) => number> = {
  identity: (x) => x,
  relu: (x) => Math.max(x, 0),
  leakyRelu: (x) => (x > 0 ? x : 0.01 * x),
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  softplus: (x) => Math.log(1 + Math.exp(x)),
}

const values = fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 12 })
const f64 = (xs: readonly number[]): AnyTensor => fromArrayOrThrow(xs, [xs.length], { dtype: 'float64' })

describe('activations', () => {
  it('lists exactly the named activations', () => {
    expect([...activationNames].sort()).toEqual(Object.keys(formulas).sort())
  })

  for (const name of Object.keys(formulas))
    it(`${name} matches its formula elementwise and keeps shape and dtype`, () => {
      fc.assert(
        fc.property(values, (xs) => {
          const y = activations[name as keyof typeof activations](f64(xs))
          expect(y.shape).toEqual([xs.length])
          expect(y.dtype).toBe('float64')
          toFlat(y).forEach((v, i) => {
            expect(v).toBeCloseTo(formulas[name]!(xs[i]!), 10)
          })
        }),
        { seed: 11, numRuns: 40 },
      )
    })

  it('differentiates correctly away from kinks (finite differences)', () => {
    const x = f64([-2.5, -0.7, 0.3, 1.9])
    for (const name of activationNames) {
      const r = checkGrads((t: AnyTensor) => sum(activations[name](t)), x)
      expect(r.ok, `${name}: ${r.failures[0]?.analytic} vs ${r.failures[0]?.numeric}`).toBe(true)
    }
  })

  it('leakyRelu has slope 0.01 on the left, 1 on the right', () => {
    expect(toFlat(leakyRelu(f64([-100, 3])))).toEqual([-1, 3])
    expect(toFlat(identity(f64([-5, 5])))).toEqual([-5, 5])
  })

  it('looks activations up by name and rejects unknown names', () => {
    expect(isActivationName('relu')).toBe(true)
    expect(isActivationName('swish')).toBe(false)
    expect(isActivationName('toString')).toBe(false)
    expect(toFlat(activation('relu')(f64([-1, 2])))).toEqual([0, 2])
    expect(() => activation('swish' as never)).toThrow(ArgumentError)
    expect(() => activation('swish' as never)).toThrow(/swish/)
  })
})
