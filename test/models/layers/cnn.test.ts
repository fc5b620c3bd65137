/**
 * The `cnn` classifier: the default is the MNIST network (shapes of every parameter), a batch is
 * its rows stacked, the configuration rebuilds the same network, and a few Adam steps on a small
 * batch lower the loss (it learns).
 */
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  adam,
  add,
  applyUpdates,
  cnn,
  concat,
  fromArrayOrThrow,
  key,
  mul,
  normal,
  randint,
  slice,
  softmaxCrossEntropy,
  type Tensor,
  tensor,
  toFlat,
  valueAndGrad,
  zeros,
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
    expect(() => cnn({ dropout: 1 })).toThrow('cnn: dropout must be a rate in [0, 1), got 1')
    expect(() => cnn({ dropout: 0.5 }).applyTraining(cnn().init(key(0)), zeros([1, 1, 28, 28]), [])).toThrow(
      'expected 1 dropout masks (from dropoutMasks), got 0',
    )
  })

  it('dropout: masks of 0 and 1/(1 − rate) at about the rate; training with masks is the inference pass on masked hidden units', () => {
    const config = { inputShape: [1, 12, 12] as const, channels: [2], kernel: 3, hidden: [6, 5], classes: 3 }
    const net = cnn({ ...config, dropout: 0.25, dtype: 'float64' })
    const params = net.init(key(3))
    const x = normal(key(4), [4, 1, 12, 12], { dtype: 'float64' })
    const masks = net.dropoutMasks(key(5), 4)
    expect(masks.map((m) => m.shape)).toEqual([
      [4, 6],
      [4, 5],
    ])
    const big = toFlat(cnn({ ...config, hidden: [1000], dropout: 0.25 }).dropoutMasks(key(6), 40)[0]!)
    expect(new Set(big.map((v) => Math.round(v * 1e6) / 1e6))).toEqual(
      new Set([0, Math.round(1e6 / 0.75) / 1e6]),
    )
    const dropped = big.filter((v) => v === 0).length / big.length
    expect(dropped).toBeGreaterThan(0.23)
    expect(dropped).toBeLessThan(0.27)
    // all-ones masks: the training pass is the inference pass
    const ones = masks.map((m) => add(mul(m, 0), 1))
    expect(toFlat(net.applyTraining(params, x, ones as never))).toEqual(toFlat(net.apply(params, x)))
    // masks that zero hidden units everywhere: the same as those units' outgoing weights at zero
    const zeroUnits = (rows: number, size: number, first: number) =>
      tensor(
        Array.from({ length: rows }, () => Array.from({ length: size }, (_, j) => (j < first ? 0 : 1))),
        {
          dtype: 'float64',
        },
      )
    const masked = net.applyTraining(params, x, [zeroUnits(4, 6, 3), zeroUnits(4, 5, 2)] as never)
    const w1 = toFlat(params.dense[1]!.w).map((v, i) => (Math.floor(i / 5) < 3 ? 0 : v)) // rows 0–2 of [6, 5]
    const w2 = toFlat(params.dense[2]!.w).map((v, i) => (Math.floor(i / 3) < 2 ? 0 : v)) // rows 0–1 of [5, 3]
    const cut = {
      ...params,
      dense: [
        params.dense[0]!,
        { ...params.dense[1]!, w: fromArrayOrThrow(w1, [6, 5], { dtype: 'float64' }) },
        { ...params.dense[2]!, w: fromArrayOrThrow(w2, [5, 3], { dtype: 'float64' }) },
      ],
    }
    const expected = toFlat(net.apply(cut, x))
    toFlat(masked).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 12)
    })
    expect(toFlat(masked)).not.toEqual(toFlat(net.apply(params, x)))
    expect(cnn({ ...config, dropout: 0 }).dropoutMasks(key(0), 4)).toEqual([])
  })
})
