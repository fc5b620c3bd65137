/**
 * `compiledStep`: the same values, bit for bit, as the whole step compiled without checks or
 * donation (what `fit` ran before); the given parameters and state consumed (donated); a failed
 * check returns the given values bit for bit and says which check failed; a trace that reads values
 * gives `undefined` and consumes nothing. `ownCopy` keeps every bit.
 */
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  add,
  concat,
  flatten,
  item,
  jit,
  mean,
  mul,
  type Pytree,
  tensor,
  toFlat,
  treeMap,
  valueAndGrad,
  zeros,
} from '../../../src/index.js'
import {
  adam,
  cosineDecay,
  type GradientTransformation,
  type OptState,
  sgd,
} from '../../../src/models/optim/index.js'
import { applyUpdates } from '../../../src/models/optim/transforms.js'
import { type CheckedStep, compiledStep, ownCopy } from '../../../src/models/train/compiledStep.js'
import type { LossFn } from '../../../src/models/train/index.js'

import { base, data, expectIdentical, runFit } from './support.js'

type Params = typeof base.params
type Rows = { x: AnyTensor; y: AnyTensor }
const batch = { x: data.xTrain, y: data.yTrain } as Parameters<typeof base.loss>[1]

/** The whole step as fit compiled it before: no checks, nothing donated. */
const plainStep = <P extends Pytree, B>(loss: LossFn<P, B>, optimizer: GradientTransformation) =>
  jit((p: P, s: OptState, b: B) => {
    const [value, grads] = valueAndGrad((q: P) => loss(q, b))(p)
    const { updates, state } = optimizer.update<P>(grads, s, p)
    return [value, applyUpdates(p, updates), state] as const
  })

const expectConsumed = (tree: unknown) => {
  for (const leaf of flatten(tree)[0]) expect(() => toFlat(leaf)).toThrow(/donated to a jitted call/)
}

describe('compiledStep', () => {
  it.each([
    ['adam', adam(0.05)],
    ['sgd', sgd(0.5)],
    ['adam with a cosine schedule', adam(cosineDecay({ init: 0.05, steps: 4 }))],
  ])('gives the unchecked, undonated step’s values bit for bit over several steps (%s)', (_, optimizer) => {
    const step = compiledStep<Params, typeof batch>(base.loss, optimizer)
    const plain = plainStep<Params, typeof batch>(base.loss, optimizer)
    let p: Params = base.params
    let s: OptState = optimizer.init(p)
    let q: Params = ownCopy(p)
    let t: OptState = ownCopy(s)
    for (let i = 0; i < 5; i++) {
      const [value, params, state]: readonly [AnyTensor, Params, OptState] = plain(p, s, batch)
      const given = [q, t] as const
      const result: CheckedStep<Params> = step(q, t, batch)!
      expect(result.failed).toBeUndefined()
      expect(Object.is(result.loss, item(value))).toBe(true)
      expectIdentical(result.params, params)
      expectIdentical(result.state, state)
      // the given trees were donated: the step updated them in place
      expectConsumed(given)
      p = params
      s = state
      q = result.params
      t = result.state
    }
  })

  it('after a failed check returns the given parameters and state bit for bit, naming the check', () => {
    const params = { a: tensor([1, -0]), w: tensor([1]) }
    // the loss is finite, but the step moves w by −3e38 per step: w overflows at the second step
    const loss = (p: typeof params, b: Rows) => add(mean(mul(b.x, p.w)), mul(mean(p.a), 1e-30)) as AnyTensor
    const optimizer = sgd(3e38)
    const rows: Rows = { x: tensor([[1]]), y: tensor([0]) }
    const step = compiledStep<typeof params, Rows>(loss, optimizer)
    const first = step(ownCopy(params), optimizer.init(params), rows)!
    expect(first.failed).toBeUndefined()
    const before = { params: ownCopy(first.params), state: ownCopy(first.state) }
    const second = step(first.params, first.state, rows)!
    expect(second.failed).toBe(1) // leaf 1 of { a, w }
    expect(second.loss).toBe(item(loss(before.params, rows)))
    expectIdentical([second.params, second.state], [before.params, before.state])
    // a loss that is not finite: the first check
    const nan = (p: typeof params, b: Rows) => mul(loss(p, b), Number.NaN) as AnyTensor
    const failed = compiledStep<typeof params, Rows>(nan, optimizer)(
      ownCopy(params),
      optimizer.init(params),
      rows,
    )!
    expect(failed.failed).toBe('loss')
    expect(failed.loss).toBeNaN()
    expectIdentical([failed.params, failed.state], [params, optimizer.init(params)])
  })

  it('gives undefined when the trace reads values, and consumes nothing', () => {
    const reading = (p: Params, b: typeof batch) => mul(base.loss(p, b), item(mean(b.x)) > 1e9 ? 0 : 1)
    const step = compiledStep<Params, typeof batch>(reading, base.optimizer)
    const [params, state] = [ownCopy(base.params), base.optimizer.init(base.params)]
    expect(step(params, state, batch)).toBeUndefined()
    expectIdentical([params, state], [base.params, base.optimizer.init(base.params)])
    // a learning-rate schedule of one's own reads the step count
    const scheduled = adam((n) => 0.05 / (1 + n))
    const withSchedule = compiledStep<Params, typeof batch>(base.loss, scheduled)
    const initial = scheduled.init(params)
    expect(withSchedule(params, initial, batch)).toBeUndefined()
    expectIdentical([params, initial], [base.params, scheduled.init(base.params)])
  })

  it('gives undefined, consuming nothing, when the optimizer’s next state changes shape; fit then runs it', () => {
    // a made-up optimizer that keeps one more number every step: its state never has one layout
    const growing: GradientTransformation = {
      init: () => ({ seen: zeros([1]) }),
      update: (updates, state) => ({
        updates: treeMap(updates, (u) => mul(u, -0.05)),
        state: { seen: concat([(state as { seen: AnyTensor }).seen, zeros([1])]) },
      }),
    }
    const [params, state] = [ownCopy(base.params), growing.init(base.params)]
    expect(compiledStep<Params, typeof batch>(base.loss, growing)(params, state, batch)).toBeUndefined()
    expectIdentical([params, state], [base.params, growing.init(base.params)])
    const result = runFit({ ...base, optimizer: growing })
    expect(result.step).toBe(21)
    expect(flatten(result.state)[0][0]!.shape).toEqual([22])
  })

  it('ownCopy keeps every bit (−0 and NaN included) in tensors of its own', () => {
    const tree = {
      w: tensor([1, -0, Number.NaN, Number.POSITIVE_INFINITY]),
      b: [tensor([2], { dtype: 'float64' })],
    }
    const copy = ownCopy(tree)
    expectIdentical(copy, tree)
    expect(copy.w).not.toBe(tree.w)
    expect(copy.b[0]!.dtype).toBe('float64')
    // donating the copy leaves the original readable
    jit((x: AnyTensor) => add(x, 1), { donate: [0] })(copy.w)
    expect(() => toFlat(copy.w)).toThrow(ArgumentError)
    expect(toFlat(tree.w)).toEqual([1, -0, Number.NaN, Number.POSITIVE_INFINITY])
  })
})
