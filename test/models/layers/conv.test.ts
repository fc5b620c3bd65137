/**
 * The image layers: output shapes agree with what `apply` returns, a batch equals its rows stacked
 * (the Layer law), the convolution adds one bias per channel and starts He-uniform, and bad
 * arguments are errors naming them.
 */
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  avgPool2dLayer,
  concat,
  conv2d,
  conv2dLayer,
  flattenLayer,
  key,
  maxPool2dLayer,
  normal,
  reshape,
  slice,
  type Tensor,
  toFlat,
} from '../../../src/index.js'

const close = (a: Tensor, b: Tensor) => {
  const x = toFlat(a)
  const y = toFlat(b)
  expect(x.length).toBe(y.length)
  for (const [i, v] of x.entries()) expect(Math.abs(v - y[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(y[i]!)))
}

describe('conv2dLayer', () => {
  it('knows its output shape, adds one bias per output channel and applies its activation', () => {
    const layer = conv2dLayer([3, 9, 7], 4, [3, 2], { stride: 2, padding: 'same', activation: 'relu' })
    expect(layer.outputShape).toEqual([4, 5, 4])
    const params = { ...layer.init(key(1)), b: normal(key(2), [4]) }
    const x = normal(key(3), [2, 3, 9, 7])
    const y = layer.apply(params, x)
    expect(y.shape).toEqual([2, 4, 5, 4])
    const pre = toFlat(conv2d(x, params.w, { stride: 2, padding: 'same' }))
    const bias = toFlat(params.b)
    for (const [i, v] of toFlat(y).entries())
      expect(v).toBeCloseTo(Math.max(0, pre[i]! + bias[Math.floor(i / 20) % 4]!), 5)
  })

  it('applies a batch as its rows stacked, and starts He-uniform with zero biases', () => {
    const layer = conv2dLayer([2, 6, 6], 3, 3, { groups: 1 })
    const params = layer.init(key(0))
    const bound = Math.sqrt(6 / (2 * 3 * 3))
    expect(toFlat(params.w).every((v) => Math.abs(v) <= bound)).toBe(true)
    expect(Math.max(...toFlat(params.w).map(Math.abs))).toBeGreaterThan(bound / 2)
    expect(toFlat(params.b)).toEqual([0, 0, 0])
    const x = normal(key(5), [3, 2, 6, 6])
    const rows = [0, 1, 2].map((i) =>
      layer.apply(params, reshape(slice(x, [i, 0, 0, 0], [i + 1, 2, 6, 6]), [1, 2, 6, 6])),
    )
    close(layer.apply(params, x), concat(rows, 0))
    expect(toFlat(layer.init(key(0)).w)).toEqual(toFlat(params.w))
  })

  it('records a JSON configuration and rejects bad arguments by name', () => {
    const layer = conv2dLayer([1, 28, 28], 16, 5, { activation: 'relu' })
    expect(JSON.parse(JSON.stringify(layer.config))).toEqual({
      kind: 'conv2d',
      inputShape: [1, 28, 28],
      outChannels: 16,
      kernel: [5, 5],
      activation: 'relu',
      dtype: 'float32',
    })
    expect(() => conv2dLayer([1, 28] as never, 4, 3)).toThrow(
      /inputShape must be \[channels, height, width\]/,
    )
    expect(() => conv2dLayer([1, 4, 4], 0, 3)).toThrow(ArgumentError)
    expect(() => conv2dLayer([1, 4, 4], 2, 5)).toThrow(/does not fit/)
    expect(() => conv2dLayer([1, 8, 8], 2, 3, { activation: 'swish' as 'relu' })).toThrow(/swish/)
  })
})

describe('pooling and flatten layers', () => {
  it('pool and flatten with the shapes they announce, and no parameters', () => {
    const max = maxPool2dLayer([3, 8, 6], { window: 2 })
    const avg = avgPool2dLayer([3, 8, 6], { window: 3, stride: 1, padding: 1 })
    const flat = flattenLayer([3, 4, 3])
    expect([max.outputShape, avg.outputShape, flat.outputShape]).toEqual([[3, 4, 3], [3, 8, 6], [36]])
    expect(max.init(key(0))).toEqual({})
    const x = normal(key(1), [2, 3, 8, 6])
    const pooled = max.apply({}, x)
    expect(pooled.shape).toEqual([2, 3, 4, 3])
    expect(avg.apply({}, x).shape).toEqual([2, 3, 8, 6])
    const flattened = flat.apply({}, pooled)
    expect(flattened.shape).toEqual([2, 36])
    expect(toFlat(flattened)).toEqual(toFlat(reshape(pooled, [2, 36])))
    expect(() => maxPool2dLayer([3, 1, 6], { window: 2 })).toThrow(/does not fit/)
  })
})
