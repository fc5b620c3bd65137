/**
 * attention: outputs against plain loops (softmax(q·kᵀ/√d)·v per head, then the output
 * projection), with and without the causal mask (property over sizes and values); the causal
 * layer's output at position i does not move when later positions change; a batch is the stack of
 * its rows; gradients through every parameter and the input agree with finite differences at first
 * and second order (float64); bad sizes are errors.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  type AttentionParams,
  attention,
  concat,
  mul,
  ShapeError,
  slice,
  sum,
  tensor,
  toFlat,
} from '../../../src/index.js'
import { key, normal } from '../../../src/models/random/index.js'
import { checkGrads } from '../../../src/testing/index.js'

/** Multi-head attention with plain loops over flat row-major arrays. */
const naiveAttention = (
  x: readonly number[],
  p: { wq: number[]; wk: number[]; wv: number[]; wo: number[]; bo: number[] },
  [batch, length, dim, heads, hd]: readonly number[],
  causal: boolean,
): number[] => {
  const out = new Array<number>(batch! * length! * dim!).fill(0)
  const project = (w: number[], b: number, t: number, h: number, d: number) => {
    let s = 0
    for (let e = 0; e < dim!; e++) s += x[(b * length! + t) * dim! + e]! * w[(e * heads! + h) * hd! + d]!
    return s
  }
  for (let b = 0; b < batch!; b++)
    for (let h = 0; h < heads!; h++)
      for (let t = 0; t < length!; t++) {
        const scores: number[] = []
        for (let s = 0; s < length!; s++) {
          let dot = 0
          for (let d = 0; d < hd!; d++) dot += project(p.wq, b, t, h, d) * project(p.wk, b, s, h, d)
          scores.push(causal && s > t ? Number.NEGATIVE_INFINITY : dot / Math.sqrt(hd!))
        }
        const top = Math.max(...scores)
        const e = scores.map((v) => Math.exp(v - top))
        const z = e.reduce((a, v) => a + v, 0)
        for (let d = 0; d < hd!; d++) {
          let mixed = 0
          for (let s = 0; s < length!; s++) mixed += (e[s]! / z) * project(p.wv, b, s, h, d)
          for (let o = 0; o < dim!; o++)
            out[(b * length! + t) * dim! + o]! += mixed * p.wo[(h * hd! + d) * dim! + o]!
        }
      }
  return out.map((v, i) => v + p.bo[i % dim!]!)
}

const flatParams = (p: AttentionParams) => ({
  wq: toFlat(p.wq),
  wk: toFlat(p.wk),
  wv: toFlat(p.wv),
  wo: toFlat(p.wo),
  bo: toFlat(p.bo),
})

describe('attention', () => {
  it('computes softmax(q·kᵀ/√d)·v per head and projects, as plain loops do (with and without the causal mask)', () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 2 }),
          length: fc.integer({ min: 1, max: 4 }),
          heads: fc.integer({ min: 1, max: 3 }),
          headDim: fc.integer({ min: 1, max: 3 }),
          dim: fc.integer({ min: 1, max: 5 }),
          causal: fc.boolean(),
          seed: fc.nat(),
        }),
        ({ batch, length, heads, headDim, dim, causal, seed }) => {
          const layer = attention({ length, dim, heads, headDim, causal, dtype: 'float64' })
          const params = layer.init(key(seed))
          const bo = normal(key(seed + 2), [dim], { dtype: 'float64' })
          const x = normal(key(seed + 1), [batch, length, dim], { dtype: 'float64' })
          const y = toFlat(layer.apply({ ...params, bo }, x))
          const expected = naiveAttention(
            toFlat(x),
            flatParams({ ...params, bo }),
            [batch, length, dim, heads, headDim],
            causal,
          )
          expect(y.length).toBe(expected.length)
          y.forEach((v, i) => {
            expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-10 * (1 + Math.abs(expected[i]!)))
          })
        },
      ),
      { seed: 42, numRuns: 60 },
    )
  })

  it('with the causal mask, position i does not depend on later positions', () => {
    const layer = attention({ length: 5, dim: 4, heads: 2, causal: true, dtype: 'float64' })
    const params = layer.init(key(0))
    const x = normal(key(1), [1, 5, 4], { dtype: 'float64' })
    const changed = concat(
      [slice(x, [0, 0, 0], [1, 3, 4]), normal(key(2), [1, 2, 4], { dtype: 'float64' })],
      1,
    )
    const a = toFlat(layer.apply(params, x)).slice(0, 12)
    const b = toFlat(layer.apply(params, changed)).slice(0, 12)
    expect(b).toEqual(a)
    // without the mask the first positions do move
    const open = attention({ length: 5, dim: 4, heads: 2, dtype: 'float64' })
    const c = toFlat(open.apply(params, x)).slice(0, 12)
    const d = toFlat(open.apply(params, changed)).slice(0, 12)
    expect(d).not.toEqual(c)
  })

  it('treats a batch as the stack of its rows', () => {
    const layer = attention({ length: 3, dim: 4, heads: 2, causal: true, dtype: 'float64' })
    const params = layer.init(key(3))
    const x = normal(key(4), [3, 3, 4], { dtype: 'float64' })
    const whole = toFlat(layer.apply(params, x))
    const rows = [0, 1, 2].flatMap((r) => toFlat(layer.apply(params, slice(x, [r, 0, 0], [r + 1, 3, 4]))))
    rows.forEach((v, i) => {
      expect(Math.abs(v - whole[i]!)).toBeLessThan(1e-12)
    })
  })

  it('has gradients that agree with finite differences (every parameter and the input, order 1 and 2)', () => {
    const layer = attention({ length: 3, dim: 4, heads: 2, causal: true, dtype: 'float64' })
    const params = layer.init(key(5))
    const x = normal(key(6), [2, 3, 4], { dtype: 'float64' })
    const weights = tensor([0.5, -1, 2, 0.25], { dtype: 'float64' })
    const loss = (q: { p: typeof params; x: typeof x }) => sum(mul(layer.apply(q.p, q.x), weights))
    const first = checkGrads(loss, { p: params, x }, { modes: ['full'] })
    expect(first.failures).toEqual([])
    const second = checkGrads(loss, { p: params, x }, { order: 2, modes: ['random'] })
    expect(second.failures).toEqual([])
  })

  it('rejects sizes that do not fit and inputs of the wrong shape', () => {
    expect(() => attention({ length: 3, dim: 5, heads: 2 })).toThrow(
      new ArgumentError(
        'attention',
        'dim 5 does not divide among 2 heads; choose heads dividing dim or give headDim',
      ),
    )
    expect(() => attention({ length: 0, dim: 4, heads: 2 })).toThrow(ArgumentError)
    const layer = attention({ length: 3, dim: 4, heads: 2 })
    const p = layer.init(key(0))
    expect(() => layer.apply(p, normal(key(1), [2, 4, 4]) as never)).toThrow(
      new ShapeError('attention', 'x has shape [2,4,4] but the layer expects [batch,3,4]'),
    )
    expect(() =>
      layer.apply({ ...p, wq: normal(key(1), [4, 2, 3]) } as never, normal(key(1), [2, 3, 4])),
    ).toThrow(/params.wq has shape \[4,2,3\]/)
  })
})
