/**
 * Checkpoints and resuming: determinism bit for bit; a run resumed from a checkpoint (also after a
 * round trip through plain JSON numbers) ends bit-identical to an uninterrupted one; a non-finite
 * loss or update stops with the step number and the last finite parameters.
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
  sqrt,
  square,
  sub,
  type Tensor,
  tensor,
  toFlat,
  unflatten,
} from '../../../src/index.js'
import { adam, sgd } from '../../../src/models/optim/index.js'
import { key, keyData, wrapKey } from '../../../src/models/random/index.js'
import { type Checkpoint, type FitOptions, NonFiniteLossError } from '../../../src/models/train/index.js'

import { base, data, expectIdentical, leaves, net, runFit } from './support.js'

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
  it('resuming from a checkpoint kept from onStep in a run that went on ends bit-identical', () => {
    const full = runFit(base)
    let kept: Checkpoint<typeof base.params> | undefined
    runFit({
      ...base,
      onStep: (info) => {
        if (info.step === 9) kept = info.checkpoint
        return undefined
      },
    })
    // the run went on for 12 more steps, updating its parameters in place: the kept copy is intact
    const resumed = runFit({ ...base, resume: kept! })
    expectIdentical(resumed.params, full.params)
    expectIdentical(resumed.state, full.state)
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

describe('non-finite steps under jit stop as without it', () => {
  type Params = { a: Tensor<[1]>; w: Tensor<[1]> }
  type Rows = { x: AnyTensor; y: AnyTensor }
  const run = (options: FitOptions<Params, AnyTensor, AnyTensor>): NonFiniteLossError<Params> => {
    const kept: Checkpoint<Params>[] = []
    try {
      runFit({ ...options, onStep: (info) => void kept.push(info.checkpoint) })
    } catch (e) {
      expect(e).toBeInstanceOf(NonFiniteLossError)
      const error = e as NonFiniteLossError<Params>
      // the checkpoint is the last step's, and its tensors stay readable
      expect(kept).toHaveLength(error.step - 1)
      const last = kept.at(-1)
      if (last !== undefined) {
        expectIdentical([error.checkpoint.params, error.checkpoint.state], [last.params, last.state])
        expect(error.checkpoint.step).toBe(last.step)
      }
      return error
    }
    throw new Error('fit did not stop')
  }
  const params: Params = { a: tensor([1]), w: tensor([1]) }
  const common = {
    params,
    train: { x: tensor([[1], [1], [1], [1]]), y: tensor([0, 0, 0, 0]) },
    epochs: 20,
    key: key(0),
  }
  const cases: [string, FitOptions<Params, AnyTensor, AnyTensor>, number, RegExp][] = [
    [
      // w = 1, 0.85, 0.69, 0.51, 0.30, 0.02, then below 0 (w − 0.3 / 2√w): √w is NaN at step 7
      'a NaN loss',
      {
        ...common,
        optimizer: sgd(0.3),
        batchSize: 2,
        loss: (p, b: Rows) => mean(mul(sqrt(p.w), b.x)) as AnyTensor,
      },
      7,
      /^fit: the loss is NaN at step 7 \(epoch 4, batch 1 of 2\); the checkpoint keeps the parameters from before it$/,
    ],
    [
      // the loss stays finite, but w moves by −3e38 a step: −∞ at step 2
      'an update that overflows leaf 1',
      {
        ...common,
        optimizer: sgd(3e38),
        batchSize: 1,
        loss: (p, b: Rows) => add(mean(mul(b.x, p.w)), mul(mean(p.a), 1e-30)) as AnyTensor,
      },
      2,
      /^fit: the update at step 2 \(epoch 1, batch 2 of 4\) makes parameter leaf 1 non-finite \(loss -3\.0000000054977558e\+38\); the checkpoint keeps/,
    ],
    [
      'adam driven to an infinite loss',
      {
        ...common,
        optimizer: adam(1e37),
        batchSize: 2,
        loss: (p, b: Rows) => add(mean(mul(b.x, p.w)), mul(mean(p.a), 1e-30)) as AnyTensor,
      },
      19,
      /^fit: the loss is -Infinity at step 19 \(epoch 10, batch 1 of 2\)/,
    ],
  ]
  it.each(cases)('%s: same step, message and checkpoint bit for bit', (_, options, step, message) => {
    const eager = run({ ...options, jit: false })
    const jitted = run(options)
    expect(jitted.step).toBe(step)
    expect(eager.step).toBe(step)
    expect(jitted.message).toMatch(message)
    expect(jitted.message).toBe(eager.message)
    expect(jitted.epoch).toBe(eager.epoch)
    expect(Object.is(jitted.loss, eager.loss)).toBe(true)
    expectIdentical(jitted.checkpoint.params, eager.checkpoint.params)
    expectIdentical(jitted.checkpoint.state, eager.checkpoint.state)
    expect(jitted.checkpoint.step).toBe(step - 1)
    // the given parameters were not consumed
    expectIdentical(params, { a: tensor([1]), w: tensor([1]) })
  })
})
