/**
 * The `cnn` classifier: the default is the MNIST network (shapes of every parameter), a batch is
 * its rows stacked, the configuration rebuilds the same network, and a few Adam steps on a small
 * batch lower the loss (it learns).
 */
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  adam,
  applyUpdates,
  cnn,
  concat,
  key,
  normal,
  randint,
  slice,
  softmaxCrossEntropy,
  type Tensor,
  toFlat,
  valueAndGrad,
} from '../../../src/index.js'

describe('cnn', () => {
  it('defaults to two 5×5 convolutions of 16 and 32 channels, dense 128 and 10 outputs', () => {
    const net = cnn()
    const params = net.init(key(0))
    expect(params.conv.map((p) => [p.w.shape, p.b.shape])).toEqual([
      [[16, 1, 5, 5], [16]],
      [[32, 16, 5, 5], [32]],
    ])
    expect(params.dense.map((p) => p.w.shape)).toEqual([
      [512, 128],
      [128, 10],
    ])
    expect(net.outputShape).toEqual([10])
  })

  it('maps a batch to its rows stacked, and its configuration rebuilds the same network', () => {
    const net = cnn({
      inputShape: [2, 12, 10],
      channels: [3],
      kernel: 3,
      padding: 'same',
      hidden: [8],
      classes: 4,
    })
    const params = net.init(key(1))
    const x = normal(key(2), [3, 2, 12, 10])
    const y = net.apply(params, x)
    expect(y.shape).toEqual([3, 4])
    const rows = concat(
      [0, 1, 2].map((i) => net.apply(params, slice(x, [i, 0, 0, 0], [i + 1, 2, 12, 10]))),
      0,
    )
    for (const [i, v] of toFlat(rows).entries()) expect(v).toBeCloseTo(toFlat(y)[i]!, 5)
    const rebuilt = cnn(JSON.parse(JSON.stringify(net.config)))
    expect(toFlat(rebuilt.apply(params, x))).toEqual(toFlat(y))
  })

  it('learns: Adam steps on a small batch lower its loss', () => {
    const net = cnn({ inputShape: [1, 12, 12], channels: [4], kernel: 3, hidden: [16], classes: 3 })
    const x = normal(key(3), [16, 1, 12, 12])
    const labels = randint(key(4), [16], { min: 0, max: 3 })
    const loss = (p: ReturnType<typeof net.init>) =>
      softmaxCrossEntropy(net.apply(p, x) as Tensor<[16, 3]>, labels)
    const optimizer = adam(1e-2)
    let params = net.init(key(5))
    let state = optimizer.init(params)
    const [first] = valueAndGrad(loss)(params)
    for (let step = 0; step < 30; step++) {
      const [, g] = valueAndGrad(loss)(params)
      const { updates, state: next } = optimizer.update(g, state, params)
      params = applyUpdates(params, updates)
      state = next
    }
    const [last] = valueAndGrad(loss)(params)
    expect(toFlat(last)[0]!).toBeLessThan(toFlat(first)[0]! / 2)
  })

  it('rejects bad configurations by name, and images too small for its blocks', () => {
    expect(() => cnn({ channels: [0] })).toThrow(/channels must be a list of positive integers/)
    expect(() => cnn({ padding: 'full' as 'same' })).toThrow(ArgumentError)
    expect(() => cnn({ kind: 'mlp' as 'cnn' })).toThrow(/not 'cnn'/)
    expect(() => cnn({ inputShape: [1, 8, 8] })).toThrow(/does not fit/)
  })
})
