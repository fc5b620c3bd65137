/** Test support for the training tests: bit-for-bit comparison and the small XOR problem. */
import { expect } from 'vitest'
import {
  type AnyTensor,
  flatten,
  item,
  jit,
  type Pytree,
  type Tensor,
  toFlat,
  valueAndGrad,
} from '../../../src/index.js'
import { batches } from '../../../src/models/data/batches.js'
import { takeRows } from '../../../src/models/data/dataset.js'
import { xor } from '../../../src/models/data/synthetic.js'
import { mlp } from '../../../src/models/layers.js'
import { softmaxCrossEntropy } from '../../../src/models/losses.js'
import { adam, type GradientTransformation, type OptState } from '../../../src/models/optim/index.js'
import { applyUpdates } from '../../../src/models/optim/transforms.js'
import { foldIn, type Key, key } from '../../../src/models/random/index.js'
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

/**
 * `fit`'s loop written out with the whole step compiled as `fit` compiled it before donation and the
 * in-plan checks (`jit` of loss, gradient and update; nothing donated, nothing checked): the same
 * seeded batches, so its parameters, state and losses are what `fit` must give bit for bit.
 */
export const referenceFit = <P extends Pytree, B extends { x: AnyTensor; y: AnyTensor }>(options: {
  readonly params: P
  readonly optimizer: GradientTransformation<any>
  readonly loss: (p: P, b: B) => AnyTensor
  readonly train: { readonly x: AnyTensor; readonly y: AnyTensor }
  readonly epochs: number
  readonly batchSize: number
  readonly key: Key
}): { params: P; state: OptState; losses: number[] } => {
  const step = jit((p: P, s: OptState, b: B) => {
    const [value, grads] = valueAndGrad((q: P) => options.loss(q, b))(p)
    const { updates, state } = options.optimizer.update<P>(grads, s, p)
    return [value, applyUpdates(p, updates), state] as const
  })
  let params = options.params
  let state: OptState = options.optimizer.init(params)
  const losses: number[] = []
  const rows = options.train.x.shape[0]!
  for (let epoch = 0; epoch < options.epochs; epoch++)
    for (const indices of batches(rows, options.batchSize, foldIn(options.key, epoch))) {
      const b = {
        x: takeRows(options.train.x, indices),
        y: takeRows(options.train.y, indices),
      } as unknown as B
      const [value, next, nextState]: readonly [AnyTensor, P, OptState] = step(params, state, b)
      losses.push(item(value))
      params = next
      state = nextState
    }
  return { params, state, losses }
}
