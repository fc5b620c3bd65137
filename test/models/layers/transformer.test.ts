/**
 * transformerBlock: equals its definition written out with the layers it is made of (pre-norm
 * residual attention, then the feed-forward net); the causal block keeps earlier positions
 * independent of later ones; gradients agree with finite differences at first and second order
 * (float64); `applyTraining` with dropout is a function of its key and equals `apply` at rate 0.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  type AnyTensor,
  add,
  attention,
  concat,
  layerNorm,
  matmul,
  mul,
  relu,
  slice,
  sum,
  type Tensor,
  tensor,
  toFlat,
  transformerBlock,
} from '../../../src/index.js'
import { key, normal } from '../../../src/models/random/index.js'
import { checkGrads } from '../../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const

describe('transformerBlock', () => {
  it('is x + attention(norm(x)), then h + ff(norm(h)), written out with its parts', () => {
    const block = transformerBlock({ length: 3, dim: 4, heads: 2, hidden: 6, causal: true, dtype: 'float64' })
    const p = block.init(key(0))
    const x = normal(key(1), [2, 3, 4], f64)
    const attend = attention({ length: 3, dim: 4, heads: 2, causal: true, dtype: 'float64' })
    const norm = layerNorm([3, 4], f64)
    const h: AnyTensor = add(x, attend.apply(p.attention, norm.apply(p.norm1, x)))
    const z: AnyTensor = norm.apply(p.norm2, h as Tensor<[2, 3, 4], 'float64'>)
    const ff = p.feedForward
    const expected = add(
      h,
      add(
        matmul(relu(add(matmul(z, ff.w1 as AnyTensor), ff.b1 as AnyTensor)), ff.w2 as AnyTensor),
        ff.b2 as AnyTensor,
      ),
    )
    expect(toFlat(block.apply(p, x))).toEqual(toFlat(expected))
  })

  it('with causal attention, earlier positions do not see later ones', () => {
    const block = transformerBlock({ length: 4, dim: 4, heads: 2, hidden: 8, causal: true, dtype: 'float64' })
    const p = block.init(key(2))
    const x = normal(key(3), [1, 4, 4], f64)
    const changed = concat([slice(x, [0, 0, 0], [1, 2, 4]), normal(key(4), [1, 2, 4], f64)], 1)
    expectTypeOf(changed).toEqualTypeOf<Tensor<[1, 4, 4], 'float64'>>()
    expect(toFlat(block.apply(p, changed)).slice(0, 8)).toEqual(toFlat(block.apply(p, x)).slice(0, 8))
  })

  it('has gradients that agree with finite differences (order 1 and 2)', () => {
    const block = transformerBlock({ length: 3, dim: 4, heads: 2, hidden: 5, dtype: 'float64' })
    const params = block.init(key(5))
    const x = normal(key(6), [2, 3, 4], f64)
    const weights = tensor([0.5, -1, 2, 0.25], f64)
    const loss = (q: { p: typeof params; x: typeof x }) => sum(mul(block.apply(q.p, q.x), weights))
    expect(checkGrads(loss, { p: params, x }, { modes: ['random'], directions: 4 }).failures).toEqual([])
    expect(checkGrads(loss, { p: params, x }, { order: 2, modes: ['random'] }).failures).toEqual([])
  })

  it('drops with its key in applyTraining, and equals apply at rate 0', () => {
    const dropping = transformerBlock({
      length: 3,
      dim: 4,
      heads: 2,
      hidden: 5,
      dropout: 0.5,
      dtype: 'float64',
    })
    const plain = transformerBlock({ length: 3, dim: 4, heads: 2, hidden: 5, dtype: 'float64' })
    const p = dropping.init(key(7))
    const x = normal(key(8), [2, 3, 4], f64)
    const a = toFlat(dropping.applyTraining(p, x, key(9)))
    expect(toFlat(dropping.applyTraining(p, x, key(9)))).toEqual(a)
    expect(toFlat(dropping.applyTraining(p, x, key(10)))).not.toEqual(a)
    expect(a).not.toEqual(toFlat(dropping.apply(p, x)))
    expect(toFlat(plain.applyTraining(p, x, key(9)))).toEqual(toFlat(plain.apply(p, x)))
    expect(toFlat(dropping.apply(p, x))).toEqual(toFlat(plain.apply(p, x)))
  })

  it('multiplies its masks in after the attention and after the feed-forward net (applyMasked)', () => {
    const options = { length: 3, dim: 4, heads: 2, hidden: 6, dropout: 0.5, dtype: 'float64' } as const
    const block = transformerBlock(options)
    const p = block.init(key(11))
    const x = normal(key(12), [2, 3, 4], f64)
    expect(block.maskShapes).toEqual([
      [3, 4],
      [3, 4],
    ])
    const [m1, m2] = block.dropoutMasks(key(13), 2)
    expect(new Set([...toFlat(m1!), ...toFlat(m2!)])).toEqual(new Set([0, 2]))
    const attend = attention({ length: 3, dim: 4, heads: 2, dtype: 'float64' })
    const norm = layerNorm([3, 4], f64)
    const h: AnyTensor = add(x, mul(attend.apply(p.attention, norm.apply(p.norm1, x)), m1!))
    const z: AnyTensor = norm.apply(p.norm2, h as Tensor<[2, 3, 4], 'float64'>)
    const ff = p.feedForward
    const inner = relu(add(matmul(z, ff.w1 as AnyTensor), ff.b1 as AnyTensor))
    const expected = add(h, mul(add(matmul(inner, ff.w2 as AnyTensor), ff.b2 as AnyTensor), m2!))
    expect(toFlat(block.applyMasked(p, x, [m1!, m2!]))).toEqual(toFlat(expected))
    expect(toFlat(block.applyTraining(p, x, key(13)))).toEqual(toFlat(expected))
    expect(() => block.applyMasked(p, x, [m1!])).toThrow(
      'expected 2 dropout masks (from dropoutMasks), got 1',
    )
  })
})
