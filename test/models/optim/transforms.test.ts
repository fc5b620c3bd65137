/**
 * The optimizer stages one by one against hand arithmetic: scaleByLearningRate (with a schedule
 * reading the step count), traceMomentum, addDecayedWeights, clipByGlobalNorm and globalNorm, chain
 * threading state, identity, and applyUpdates with its structure errors.
 */
import { describe, expect, it } from 'vitest'
import { type AnyTensor, fromArrayOrThrow, ShapeError, toFlat } from '../../../src/index.js'
import {
  addDecayedWeights,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  globalNorm,
  identityTransform,
  scaleByLearningRate,
  traceMomentum,
} from '../../../src/models/optim/transforms.js'

const v64 = (xs: readonly number[]): AnyTensor => fromArrayOrThrow(xs, [xs.length], { dtype: 'float64' })

describe('stages', () => {
  it('scaleByLearningRate multiplies by −η(count) and counts steps', () => {
    const stage = scaleByLearningRate((step) => 1 / (step + 1))
    const g = { a: v64([2, -4]) }
    let state = stage.init(g)
    const seen: number[][] = []
    for (let i = 0; i < 3; i++) {
      const r = stage.update(g, state)
      seen.push(toFlat(r.updates.a))
      state = r.state
    }
    expect(seen).toEqual([
      [-2, 4],
      [-1, 2],
      [-2 / 3, 4 / 3],
    ])
  })

  it('traceMomentum keeps t = g + β·t', () => {
    const stage = traceMomentum({ beta: 0.5 })
    let state = stage.init({ a: v64([0]) })
    const out: number[] = []
    for (const g of [4, 2, 0]) {
      const r = stage.update({ a: v64([g]) }, state)
      out.push(toFlat(r.updates.a)[0]!)
      state = r.state
    }
    expect(out).toEqual([4, 4, 2])
  })

  it('addDecayedWeights adds λ·p where the mask says so', () => {
    const stage = addDecayedWeights(0.5, { mask: (path) => path.endsWith('.w') })
    const p = { w: v64([2]), b: v64([2]) }
    const r = stage.update({ w: v64([1]), b: v64([1]) }, stage.init(p), p)
    expect([toFlat(r.updates.w), toFlat(r.updates.b)]).toEqual([[2], [1]])
  })

  it('globalNorm is the L2 norm over all leaves; clipByGlobalNorm rescales only above it', () => {
    expect(globalNorm({ a: v64([3]), b: [v64([4]), v64([])] })).toBe(5)
    const clip = clipByGlobalNorm(2.5)
    const g = { a: v64([3]), b: v64([4]) }
    const r = clip.update(g, clip.init(g))
    expect([toFlat(r.updates.a), toFlat(r.updates.b)]).toEqual([[1.5], [2]])
    const small = clipByGlobalNorm(10).update(g, {})
    expect(small.updates).toBe(g)
    const nan = { a: v64([Number.NaN]) }
    expect(toFlat(clipByGlobalNorm(1).update(nan, clip.init(nan)).updates.a)).toEqual([Number.NaN])
  })

  it('chain threads updates through the stages in order and keeps one state per stage', () => {
    const c = chain(traceMomentum({ beta: 0.5 }), identityTransform(), scaleByLearningRate(0.1))
    const p = { a: v64([0]) }
    let state = c.init(p)
    expect(Array.isArray(state) && state.length).toBe(3)
    const out: number[] = []
    for (const g of [10, 10]) {
      const r = c.update({ a: v64([g]) }, state)
      out.push(toFlat(r.updates.a)[0]!)
      state = r.state
    }
    expect(out).toEqual([-1, -1.5])
    // @ts-expect-error a state of one stage where chain made three
    expect(() => c.update(p, [{}])).toThrow(/3 stage states/)
  })

  it('applyUpdates adds leaf by leaf and rejects other structures', () => {
    const p = { w: v64([1, 2]), b: v64([3]) }
    const next = applyUpdates(p, { w: v64([0.5, -1]), b: v64([1]) })
    expect([toFlat(next.w), toFlat(next.b)]).toEqual([[1.5, 1], [4]])
    expect(toFlat(p.w)).toEqual([1, 2])
    expect(() => applyUpdates(p, { w: v64([1, 1]) } as never)).toThrow(ShapeError)
  })
})
