/** Test support for the training tests: bit-for-bit comparison and the small XOR problem. */
import { expect } from 'vitest'
import { flatten, type Tensor, toFlat } from '../../../src/index.js'
import { xor } from '../../../src/models/data/synthetic.js'
import { mlp } from '../../../src/models/layers.js'
import { softmaxCrossEntropy } from '../../../src/models/losses.js'
import { adam } from '../../../src/models/optim/index.js'
import { key } from '../../../src/models/random/index.js'
import * as training from '../../../src/models/train/index.js'

/** `fit` under another name: Biome reads a bare `fit(…)` as Jasmine's focused test. */
export const runFit = training.fit

export const leaves = (tree: unknown): number[][] => flatten(tree)[0].map(toFlat)
/** Bit-for-bit equality of two pytrees (Object.is per element: −0 and NaN included). */
export const expectIdentical = (a: unknown, b: unknown) => {
  const [la, lb] = [leaves(a), leaves(b)]
  expect(la.length).toBe(lb.length)
  la.forEach((xs, i) => {
    expect(xs.length).toBe(lb[i]!.length)
    expect(xs.every((x, j) => Object.is(x, lb[i]![j]))).toBe(true)
  })
}

// a small problem for the exactness tests: 100 XOR points, batches of 16 (the last one has 4 rows)
export const data = xor(key(3), 100)
export const net = mlp([2, 8, 2], { activation: 'tanh' })
export const base = {
  params: net.init(key(4)),
  optimizer: adam(0.05),
  loss: (p: ReturnType<typeof net.init>, b: { x: Tensor<[number, 2]>; y: Tensor<[number]> }) =>
    softmaxCrossEntropy(net.apply(p, b.x), b.y),
  train: { x: data.xTrain, y: data.yTrain },
  epochs: 3,
  batchSize: 16,
  key: key(5),
}
