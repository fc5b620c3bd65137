/** `trainStep`: one pure SGD step against a hand-computed one, changing nothing it is given. */
import { describe, expect, it } from 'vitest'
import { type AnyTensor, fromArrayOrThrow, mean, mul, square, sub, toFlat } from '../../../src/index.js'
import { sgd } from '../../../src/models/optim/index.js'
import { trainStep } from '../../../src/models/train/index.js'

import { expectIdentical } from './support.js'

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
