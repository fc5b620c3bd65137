/**
 * `fit`: a full run on two spirals must reach 95% test accuracy; argument errors; a jitted fit
 * reaches the eager parameters and compiles the whole step (the optimizer included, unless a
 * learning-rate schedule of one's own reads the step count); augmentation keys depend only on the step.
 */
import { describe, expect, it } from 'vitest'
import { ArgumentError, add, mul, oneHot, ShapeError, type Tensor, tensor } from '../../../src/index.js'
import { twoSpirals } from '../../../src/models/data/synthetic.js'
import { mlp } from '../../../src/models/layers.js'
import { softmaxCrossEntropy } from '../../../src/models/losses.js'
import { accuracy } from '../../../src/models/metrics.js'
import { adam, cosineDecay, type GradientTransformation, sgd } from '../../../src/models/optim/index.js'
import { type Key, key, keyData, uniform } from '../../../src/models/random/index.js'
import type { Checkpoint, StepInfo } from '../../../src/models/train/index.js'

import { base, data, expectIdentical, leaves, net, referenceFit, runFit } from './support.js'

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
    const eager = runFit({ ...base, loss: oneHotLoss, jit: false })
    const jitted = runFit({ ...base, loss: oneHotLoss, jit: true })
    const [a, b] = [leaves(eager.params).flat(), leaves(jitted.params).flat()]
    expect(b).toHaveLength(a.length)
    for (let i = 0; i < a.length; i++)
      expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(a[i]!)))
    // and the run is reproducible bit for bit
    expectIdentical(runFit({ ...base, loss: oneHotLoss, jit: true }).params, jitted.params)
  })

  it('is on by default, class-index labels included (each step uses its own batch labels)', () => {
    const eager = runFit({ ...base, jit: false })
    const byDefault = runFit(base)
    const [a, b] = [leaves(eager.params).flat(), leaves(byDefault.params).flat()]
    for (let i = 0; i < a.length; i++)
      expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(a[i]!)))
    // a jitted step computes in fused kernels: its rounding differs from the eager step's somewhere
    expect(a.every((v, i) => Object.is(v, b[i]))).toBe(false)
    expectIdentical(runFit({ ...base, jit: true }).params, byDefault.params)
  })

  it('compiles the whole step: the optimizer update runs once per traced batch shape, not every step', () => {
    const counting = (optimizer: GradientTransformation) => {
      const counted = {
        calls: 0,
        init: optimizer.init,
        update: ((...args: Parameters<typeof optimizer.update>) => {
          counted.calls++
          return optimizer.update(...args)
        }) as typeof optimizer.update,
      }
      return counted
    }
    // 3 epochs of 100 rows in batches of 16: 7 steps an epoch, the last of 4 rows (two batch shapes)
    const steps = 3 * Math.ceil(100 / 16)
    const compiled = counting(adam(0.05))
    runFit({ ...base, optimizer: compiled })
    expect(compiled.calls).toBe(2)
    const eager = counting(adam(0.05))
    runFit({ ...base, optimizer: eager, jit: false })
    expect(eager.calls).toBe(steps)
    // a shipped schedule is computed from the count tensor: the whole step still compiles
    const shipped = () => adam(cosineDecay({ init: 0.05, steps: 10 }))
    const compiledSchedule = counting(shipped())
    const withShipped = runFit({ ...base, optimizer: compiledSchedule })
    expect(compiledSchedule.calls).toBe(2)
    const eagerShipped = runFit({ ...base, optimizer: shipped(), jit: false })
    const [c, d] = [leaves(eagerShipped.params).flat(), leaves(withShipped.params).flat()]
    for (let i = 0; i < c.length; i++)
      expect(Math.abs(c[i]! - d[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(c[i]!)))
    // a schedule of one's own reads the step count: the loss and gradient compile, the update runs eagerly
    const scheduled = counting(adam((step) => 0.05 / (1 + 0.01 * step)))
    const withSchedule = runFit({ ...base, optimizer: scheduled })
    expect(scheduled.calls).toBe(steps + 1) // the first call is the whole step's trace, which stops there
    const eagerSchedule = runFit({ ...base, optimizer: adam((step) => 0.05 / (1 + 0.01 * step)), jit: false })
    const [a, b] = [leaves(eagerSchedule.params).flat(), leaves(withSchedule.params).flat()]
    for (let i = 0; i < a.length; i++)
      expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(a[i]!)))
  })

  it('a loss that reads tensor values in JavaScript is an ArgumentError naming jit: false, which runs it', () => {
    const reading = (p: ReturnType<typeof net.init>, b: { x: Tensor<[number, 2]>; y: Tensor<[number]> }) =>
      mul(base.loss(p, b), accuracy(net.apply(p, b.x), b.y) > 2 ? 0 : 1)
    expect(() => runFit({ ...base, loss: reading })).toThrow(
      /^fit: the loss reads tensor values in JavaScript, .* pass jit: false \(accuracy: cannot read the values of a tensor inside jit/,
    )
    expect(() => runFit({ ...base, loss: reading })).toThrow(ArgumentError)
    expectIdentical(
      runFit({ ...base, loss: reading, jit: false }).params,
      runFit({ ...base, jit: false }).params,
    )
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

describe('augmentation that adds tensors of its own', () => {
  type Rows = { x: Tensor<[number, 2]>; y: Tensor<[number]> }
  // each step scales the inputs by factors drawn from its key (as dropout masks would)
  const withScale = (b: Rows, k: Key) => ({ ...b, scale: uniform(k, b.x.shape, { min: 0, max: 2 }) })
  const scaledLoss = (p: ReturnType<typeof net.init>, b: Rows & { scale: Tensor<[number, 2]> }) =>
    softmaxCrossEntropy(net.apply(p, mul(b.x, b.scale)), oneHot(b.y, 2) as Tensor<[number, 2]>)

  it('gives the loss fresh values every step, with jit as without', () => {
    const eager = runFit({ ...base, augment: withScale, loss: scaledLoss })
    const jitted = runFit({ ...base, augment: withScale, loss: scaledLoss, jit: true })
    const [a, b] = [leaves(eager.params).flat(), leaves(jitted.params).flat()]
    expect(b).toHaveLength(a.length)
    for (let i = 0; i < a.length; i++)
      expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(a[i]!)))
    // the field matters: the same factors at every step train differently (a trace that froze
    // its first batch's field would be this run)
    const frozen = runFit({ ...base, augment: (rows: Rows) => withScale(rows, key(9)), loss: scaledLoss })
    const c = leaves(frozen.params).flat()
    expect(Math.max(...a.map((v, i) => Math.abs(v - c[i]!)))).toBeGreaterThan(1e-2)
  })
})

describe('the compiled step updates parameters and state in place (donated), handing out copies', () => {
  it.each([
    ['adam', adam(0.05)],
    ['sgd', sgd(0.5)],
    ['adam with a cosine schedule', adam(cosineDecay({ init: 0.05, steps: 20 }))],
    ['sgd with a cosine schedule', sgd(cosineDecay({ init: 0.5, steps: 20 }))],
  ])(
    'gives the parameters, state and losses of the undonated, unchecked compiled step bit for bit (%s)',
    (_, optimizer) => {
      const losses: number[] = []
      const result = runFit({ ...base, optimizer, onStep: (info) => void losses.push(info.loss) })
      const reference = referenceFit({ ...base, optimizer })
      expectIdentical(result.params, reference.params)
      expectIdentical(result.state, reference.state)
      expect(losses.every((l, i) => Object.is(l, reference.losses[i]))).toBe(true)
      expect(losses).toHaveLength(reference.losses.length)
    },
  )

  it('leaves the given parameters and state readable and unchanged, the resumed checkpoint’s too', () => {
    const params = net.init(key(4))
    const state = base.optimizer.init(params)
    const [paramsBefore, stateBefore] = [leaves(params), leaves(state)]
    const first = runFit({ ...base, params, state, onStep: (info) => (info.step === 9 ? 'stop' : undefined) })
    expect(leaves(params)).toEqual(paramsBefore)
    expect(leaves(state)).toEqual(stateBefore)
    const [checkpointParams, checkpointState] = [leaves(first.params), leaves(first.state)]
    runFit({ ...base, resume: first })
    expect(leaves(first.params)).toEqual(checkpointParams)
    expect(leaves(first.state)).toEqual(checkpointState)
  })

  it('gives evaluate, onStep and onEpoch tensors that stay readable after later steps', () => {
    const evaluated: (typeof base.params)[] = []
    const stepCheckpoints: Checkpoint<typeof base.params>[] = []
    const epochCheckpoints: Checkpoint<typeof base.params>[] = []
    const result = runFit({
      ...base,
      evaluate: (p) => {
        evaluated.push(p)
        return {}
      },
      onStep: (info) => {
        stepCheckpoints.push(info.checkpoint)
        return undefined
      },
      onEpoch: (info) => {
        epochCheckpoints.push(info.checkpoint)
        return undefined
      },
    })
    expect(evaluated).toHaveLength(3)
    evaluated.forEach((p, i) => {
      expectIdentical(p, epochCheckpoints[i]!.params)
      expectIdentical(p, stepCheckpoints[7 * (i + 1) - 1]!.params)
    })
    // each step's checkpoint is the reference run's state after that many steps
    const reference = referenceFit({ ...base, epochs: 1 })
    expectIdentical(stepCheckpoints[6]!.params, reference.params)
    expectIdentical(stepCheckpoints[6]!.state, reference.state)
    expectIdentical(stepCheckpoints.at(-1)!.params, result.params)
    expect(stepCheckpoints.map((c) => c.step)).toEqual(stepCheckpoints.map((_, i) => i + 1))
  })

  it('a step’s checkpoint read after the next step is an ArgumentError saying to read it inside onStep', () => {
    const infos: StepInfo<typeof base.params>[] = []
    runFit({ ...base, onStep: (info) => void infos.push(info) })
    expect(() => infos[3]!.checkpoint).toThrow(ArgumentError)
    expect(() => infos[3]!.checkpoint).toThrow(
      /^fit: the checkpoint of step 4 was read after the next step updated its tensors in place; read StepInfo.checkpoint inside onStep/,
    )
    // the last step's tensors are not given to any later step; without jit nothing is donated
    expectIdentical(infos.at(-1)!.checkpoint.params, runFit(base).params)
    const eager: StepInfo<typeof base.params>[] = []
    const result = runFit({ ...base, jit: false, onStep: (info) => void eager.push(info) })
    expect(eager[3]!.checkpoint.step).toBe(4)
    expectIdentical(eager.at(-1)!.checkpoint.params, result.params)
  })
})
