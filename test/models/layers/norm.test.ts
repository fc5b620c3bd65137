/**
 * layerNorm: each row normalised against plain loops (property over shapes and values), gradients
 * through params and input against finite differences at first and second order (float64), and
 * errors for bad sizes and shapes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  layerNorm,
  mul,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  toFlat,
  zeros,
} from '../../../src/index.js'
import { key } from '../../../src/models/random/index.js'
import { arbTensor, checkGrads } from '../../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const

describe('layerNorm', () => {
  it('normalises the last axis of each example as the formula says (plain loops)', () => {
    fc.assert(
      fc.property(
        fc
          .record({
            batch: fc.integer({ min: 1, max: 3 }),
            rows: fc.integer({ min: 1, max: 3 }),
            f: fc.integer({ min: 1, max: 6 }),
          })
          .chain(({ batch, rows, f }) =>
            fc.tuple(
              arbTensor([batch, rows, f], { dtype: 'float64', min: -3, max: 3 }),
              arbTensor([f], { dtype: 'float64', min: -2, max: 2 }),
              arbTensor([f], { dtype: 'float64', min: -2, max: 2 }),
            ),
          ),
        ([x, gamma, beta]) => {
          const [batch, rows, f] = x.shape as [number, number, number]
          const norm = layerNorm([rows, f], { dtype: 'float64', eps: 1e-5 })
          const y = toFlat(norm.apply({ gamma, beta } as never, x as never) as AnyTensor)
          const xs = toFlat(x)
          const g = toFlat(gamma)
          const b = toFlat(beta)
          for (let r = 0; r < batch * rows; r++) {
            const row = xs.slice(r * f, r * f + f)
            const mu = row.reduce((a, v) => a + v, 0) / f
            const variance = row.reduce((a, v) => a + (v - mu) ** 2, 0) / f
            row.forEach((v, i) => {
              const expected = ((v - mu) / Math.sqrt(variance + 1e-5)) * g[i]! + b[i]!
              expect(Math.abs(y[r * f + i]! - expected)).toBeLessThan(1e-12 * (1 + Math.abs(expected)))
            })
          }
        },
      ),
      { seed: 12, numRuns: 60 },
    )
  })

  it('starts at gamma = 1, beta = 0: outputs have mean 0 and variance ≈ 1 per row', () => {
    const norm = layerNorm([4])
    const p = norm.init(key(0))
    const y = toFlat(
      norm.apply(
        p,
        tensor([
          [1, 2, 3, 10],
          [-5, 0, 5, 0],
        ]),
      ),
    )
    for (const row of [y.slice(0, 4), y.slice(4)]) {
      const mu = row.reduce((a, v) => a + v, 0) / 4
      expect(Math.abs(mu)).toBeLessThan(1e-6)
      expect(Math.abs(row.reduce((a, v) => a + (v - mu) ** 2, 0) / 4 - 1)).toBeLessThan(1e-3)
    }
  })

  it('has gradients that agree with finite differences (params and input, order 1 and 2)', () => {
    const norm = layerNorm([3, 4], { dtype: 'float64' })
    const x = tensor(
      [
        [
          [0.3, -1.2, 2.0, 0.5],
          [1.0, 0.1, -0.7, 0.4],
          [-0.2, 0.9, 1.5, -1.1],
        ],
        [
          [2.1, 0.3, -0.4, 0.2],
          [0.0, 1.3, 0.8, -2.0],
          [0.6, -0.6, 0.1, 1.7],
        ],
      ],
      f64,
    )
    const params = { gamma: tensor([1.1, 0.7, -0.5, 1.3], f64), beta: tensor([0.1, -0.2, 0.3, 0.0], f64) }
    const weights = tensor([0.5, -1, 2, 0.25], f64)
    const loss = (p: { gamma: Tensor<[4], 'float64'>; beta: Tensor<[4], 'float64'>; x: typeof x }) =>
      sum(mul(norm.apply({ gamma: p.gamma, beta: p.beta }, p.x), weights))
    const result = checkGrads(loss, { ...params, x }, { order: 2, modes: ['full', 'random'] })
    expect(result.failures).toEqual([])
    expect(result.checked).toBeGreaterThan(0)
  })

  it('rejects bad sizes, params and inputs with errors naming them', () => {
    expect(() => layerNorm([0])).toThrow(ArgumentError)
    expect(() => layerNorm([4], { eps: -1 })).toThrow(/eps must be a positive finite number/)
    const norm = layerNorm([4])
    const p = norm.init(key(0))
    expect(() => norm.apply(p, zeros([2, 5]) as never)).toThrow(
      new ShapeError('layerNorm', 'x has shape [2,5] but the layer expects [batch,4]'),
    )
    expect(() => norm.apply({ ...p, gamma: zeros([3]) } as never, zeros([2, 4]))).toThrow(
      /params.gamma has shape \[3\]/,
    )
  })
})
