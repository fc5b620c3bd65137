/**
 * Training: a pure `trainStep` against a hand-computed SGD step; a full `fit` on two spirals that
 * must reach 95% test accuracy; determinism bit for bit; resuming from a checkpoint (also after a
 * round trip through plain JSON numbers) ends bit-identical to an uninterrupted run; a non-finite
 * loss or update stops with the step number and the last finite parameters; argument errors.
 */
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  add,
  flatten,
  fromArrayOrThrow,
  mean,
  mul,
  oneHot,
  ShapeError,
  square,
  sub,
  type Tensor,
  tensor,
  toFlat,
  unflatten,
} from '../../src/index.js'
import { twoSpirals, xor } from '../../src/models/data/synthetic.js'
import { mlp } from '../../src/models/layers.js'
import { softmaxCrossEntropy } from '../../src/models/losses.js'
import { accuracy } from '../../src/models/metrics.js'
import { adam, sgd } from '../../src/models/optim/index.js'
import { type Key, key, keyData, uniform, wrapKey } from '../../src/models/random/index.js'
import * as training from '../../src/models/train.js'
import { type Checkpoint, NonFiniteLossError, trainStep } from '../../src/models/train.js'

/** `fit` under another name: Biome reads a bare `fit(…)` as Jasmine's focused test. */
const runFit = training.fit

const leaves = (tree: unknown): number[][] => flatten(tree)[0].map(toFlat)
/** Bit-for-bit equality of two pytrees (Object.is per element: −0 and NaN included). */
const expectIdentical = (a: unknown, b: unknown) => {
  const [la, lb] = [leaves(a), leaves(b)]
  expect(la.length).toBe(lb.length)
  la.forEach((xs, i) => {
    expect(xs.length).toBe(lb[i]!.length)
    expect(xs.every((x, j) => Object.is(x, lb[i]![j]))).toBe(true)
  })
}

describe('trainStep', () => {
  it('is one SGD step, computed by hand, and changes nothing it is given', () => {
    // loss(w) = mean((x·w − y)²) for scalars w: gradient 2·mean(x·(x·w − y))
    const x = fromArrayOrThrow([1, 2, 3], [3], { dtype: 'float64' })
    const y = fromArrayOrThrow([2, 2, 2], [3], { dtype: 'float64' })
    const params = { w: fromArrayOrThrow([0.5], [1], { dtype: 'float64' }) }
    const optimizer = sgd(0.1)
    const state = optimizer.init(params)
    const step = trainStep(
      (p: typeof params, b: { x: AnyTensor; y: AnyTensor }) => mean(square(sub(mul(b.x, p.w), b.y))),
      optimizer,
    )
    const r = step(params, state, { x, y })
    const residuals = [1, 2, 3].map((xi) => xi * 0.5 - 2)
    const lossByHand = residuals.reduce((s, e) => s + e * e, 0) / 3
    const gradByHand = (2 * residuals.reduce((s, e, i) => s + [1, 2, 3][i]! * e, 0)) / 3
    expect(r.loss).toBeCloseTo(lossByHand, 14)
    expect(toFlat(r.params.w)[0]).toBeCloseTo(0.5 - 0.1 * gradByHand, 14)
    expect(toFlat(params.w)).toEqual([0.5])
    expectIdentical(state, optimizer.init(params))
  })
})

const spirals = twoSpirals(key(0), 400, 0.05)
const spiralNet = mlp([2, 64, 64, 2])

describe('fit', () => {
  it('learns two spirals to ≥ 95% test accuracy in 25 epochs', () => {
    const epochsSeen: number[] = []
    let steps = 0
    const result = runFit({
      params: spiralNet.init(key(1)),
      optimizer: adam(0.01),
      loss: (p, b) => softmaxCrossEntropy(spiralNet.apply(p, b.x), b.y),
      train: { x: spirals.xTrain, y: spirals.yTrain },
      epochs: 25,
      batchSize: 32,
      key: key(2),
      evaluate: (p) => ({ testAccuracy: accuracy(spiralNet.apply(p, spirals.xTest), spirals.yTest) }),
      onStep: (info) => {
        steps++
        expect(info.step).toBe(steps)
        return undefined
      },
      onEpoch: (info) => {
        epochsSeen.push(info.epoch)
        return undefined
      },
    })
    expect(result.history.map((h) => h.epoch)).toEqual(epochsSeen)
    expect(epochsSeen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
    expect(steps).toBe(25 * Math.ceil(400 / 32))
    expect(result.step).toBe(steps)
    expect(result.stopped).toBe(false)
    const last = result.history.at(-1)!
    expect(last.metrics.testAccuracy).toBeGreaterThanOrEqual(0.95)
    expect(last.trainLoss).toBeLessThan(result.history[0]!.trainLoss)
  })
})

// a small problem for the exactness tests: 100 XOR points, batches of 16 (the last one has 4 rows)
const data = xor(key(3), 100)
const net = mlp([2, 8, 2], { activation: 'tanh' })
const base = {
  params: net.init(key(4)),
  optimizer: adam(0.05),
  loss: (p: ReturnType<typeof net.init>, b: { x: Tensor<[number, 2]>; y: Tensor<[number]> }) =>
    softmaxCrossEntropy(net.apply(p, b.x), b.y),
  train: { x: data.xTrain, y: data.yTrain },
  epochs: 3,
  batchSize: 16,
  key: key(5),
}

describe('determinism and resuming', () => {
  it('the same options give the same parameters bit for bit; another shuffling key does not', () => {
    const a = runFit(base)
    const b = runFit(base)
    expectIdentical(a.params, b.params)
    expectIdentical(a.state, b.state)
    expect(a.history.map((h) => h.trainLoss)).toEqual(b.history.map((h) => h.trainLoss))
    const c = runFit({ ...base, key: key(6) })
    expect(leaves(c.params)).not.toEqual(leaves(a.params))
  })

  it('a run stopped mid-epoch and resumed from its checkpoint ends bit-identical', () => {
    const full = runFit(base)
    const stopAt = 11 // epoch 2, batch 4 of 7
    const first = runFit({ ...base, onStep: (info) => (info.step === stopAt ? 'stop' : undefined) })
    expect(first.stopped).toBe(true)
    expect(first.step).toBe(stopAt)
    const resumed = runFit({ ...base, params: net.init(key(99)), key: key(98), resume: first })
    expectIdentical(resumed.params, full.params)
    expectIdentical(resumed.state, full.state)
    expect(resumed.step).toBe(full.step)
    // the interrupted epoch's mean loss is carried over exactly
    expect([...first.history, ...resumed.history].map((h) => h.trainLoss)).toEqual(
      full.history.map((h) => h.trainLoss),
    )
  })

  it('resuming from a checkpoint saved as plain JSON numbers also ends bit-identical', () => {
    const full = runFit(base)
    let saved = ''
    runFit({
      ...base,
      onStep: (info) => {
        if (info.step !== 9) return undefined
        const c = info.checkpoint
        const [params] = flatten(c.params)
        const [state] = flatten(c.state)
        saved = JSON.stringify({
          params: params.map((t) => ({ shape: t.shape, dtype: t.dtype, data: toFlat(t) })),
          state: state.map((t) => ({ shape: t.shape, dtype: t.dtype, data: toFlat(t) })),
          step: c.step,
          key: keyData(c.key),
          epochLossSum: c.epochLossSum,
          epochExamples: c.epochExamples,
        })
        return 'stop'
      },
    })
    const json = JSON.parse(saved)
    const revive = (
      tree: unknown,
      stored: { shape: number[]; dtype: 'float32' | 'float64'; data: number[] }[],
    ) =>
      unflatten(
        flatten(tree)[1],
        stored.map((s) => fromArrayOrThrow(s.data, s.shape, { dtype: s.dtype })),
      )
    const checkpoint: Checkpoint<typeof base.params> = {
      params: revive(base.params, json.params) as typeof base.params,
      state: revive(base.optimizer.init(base.params), json.state) as never,
      step: json.step,
      key: wrapKey(json.key),
      epochLossSum: json.epochLossSum,
      epochExamples: json.epochExamples,
    }
    expectIdentical(runFit({ ...base, resume: checkpoint }).params, full.params)
  })
})

describe('non-finite losses', () => {
  it('a NaN in the data is rejected before step 1, naming its index (issue 14)', () => {
    const bad = 37
    const x = toFlat(data.xTrain)
    x[2 * bad + 1] = Number.NaN
    const train = { x: fromArrayOrThrow(x, [100, 2]), y: data.yTrain }
    let steps = 0
    let error: unknown
    try {
      runFit({ ...base, train, onStep: () => void steps++ })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ArgumentError)
    expect((error as ArgumentError).message).toBe(
      `fit: train.x[${bad}][1] is NaN (flat index ${2 * bad + 1} of shape [100,2]); training data must be finite`,
    )
    expect(steps).toBe(0)
  })

  it('an update that overflows the parameters stops at step 1 with the initial parameters', () => {
    const params = { w: tensor([1]) }
    const x = tensor([[1], [2]])
    const y = tensor([0, 0])
    let error: unknown
    try {
      runFit({
        params,
        optimizer: sgd(1e38),
        loss: (p, b) => mean(square(sub(mul(b.x, p.w), b.y))) as AnyTensor,
        train: { x, y: y as AnyTensor },
        epochs: 1,
        batchSize: 2,
        key: key(0),
      })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(NonFiniteLossError)
    expect((error as NonFiniteLossError).step).toBe(1)
    expect((error as NonFiniteLossError).message).toMatch(/non-finite/)
    expectIdentical((error as NonFiniteLossError<typeof params>).checkpoint.params, params)
  })
})

describe('fit arguments', () => {
  it('epochs and batch size must be positive integers; x and y must have the same rows', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => runFit({ ...base, epochs: bad })).toThrow(ArgumentError)
      expect(() => runFit({ ...base, epochs: bad })).toThrow(/^fit: epochs must be a positive integer/)
      expect(() => runFit({ ...base, batchSize: bad })).toThrow(/^fit: batchSize must be a positive integer/)
    }
    expect(() =>
      runFit({
        ...base,
        train: { x: data.xTrain, y: tensor([1, 0]) as never },
      }),
    ).toThrow(ShapeError)
    expect(() => runFit({ ...base, key: 5 as never })).toThrow(/key/)
  })
})

describe('fit with jit', () => {
  it('with one-hot targets, a jitted fit reaches the eager parameters (within float32 rounding)', () => {
    const oneHotLoss = (p: ReturnType<typeof net.init>, b: { x: Tensor<[number, 2]>; y: Tensor<[number]> }) =>
      softmaxCrossEntropy(net.apply(p, b.x), oneHot(b.y, 2) as Tensor<[number, 2]>)
    const eager = runFit({ ...base, loss: oneHotLoss })
    const jitted = runFit({ ...base, loss: oneHotLoss, jit: true })
    const [a, b] = [leaves(eager.params).flat(), leaves(jitted.params).flat()]
    expect(b).toHaveLength(a.length)
    for (let i = 0; i < a.length; i++)
      expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(a[i]!)))
    // and the run is reproducible bit for bit
    expectIdentical(runFit({ ...base, loss: oneHotLoss, jit: true }).params, jitted.params)
  })
})

describe('augmentation', () => {
  // jitter the inputs with noise drawn from the step's key
  const seen: string[] = []
  const augment = (b: { x: Tensor<[number, 2]>; y: Tensor<[number]> }, k: Key) => {
    seen.push(keyData(k).join(','))
    return { x: add(b.x, uniform(k, b.x.shape, { min: -0.1, max: 0.1 })), y: b.y }
  }

  it('changes every batch with a key of its own that depends only on the step, so resuming stays exact', () => {
    seen.length = 0
    const full = runFit({ ...base, augment })
    const steps = full.step
    expect(seen.length).toBe(steps)
    expect(new Set(seen).size).toBe(steps)
    const keysOfFullRun = [...seen]
    expect(leaves(full.params)).not.toEqual(leaves(runFit(base).params))
    seen.length = 0
    const first = runFit({ ...base, augment, onStep: (info) => (info.step === 11 ? 'stop' : undefined) })
    const resumed = runFit({ ...base, augment, resume: first })
    expectIdentical(resumed.params, full.params)
    expect(seen).toEqual(keysOfFullRun)
  })
})
