/**
 * Checkpoints and resuming: determinism bit for bit; a run resumed from a checkpoint (also after a
 * round trip through plain JSON numbers) ends bit-identical to an uninterrupted one; a non-finite
 * loss or update stops with the step number and the last finite parameters.
 */
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  flatten,
  fromArrayOrThrow,
  mean,
  mul,
  square,
  sub,
  tensor,
  toFlat,
  unflatten,
} from '../../../src/index.js'
import { sgd } from '../../../src/models/optim/index.js'
import { key, keyData, wrapKey } from '../../../src/models/random/index.js'
import { type Checkpoint, NonFiniteLossError } from '../../../src/models/train/index.js'

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
