/** The hyperparameter checks every optimizer uses. */
import { describe, expect, it } from 'vitest'
import { ArgumentError } from '../../../src/index.js'
import { learningRate, numberInRange, positiveNumber } from '../../../src/models/optim/types.js'

describe('hyperparameter checks', () => {
  it('positiveNumber accepts finite numbers > 0 only', () => {
    expect(positiveNumber('op', 'x', 1e-9)).toBe(1e-9)
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1', null])
      expect(() => positiveNumber('op', 'x', bad)).toThrow(ArgumentError)
    expect(() => positiveNumber('sgd', 'learningRate', Number.NaN)).toThrow(
      'sgd: learningRate must be a finite number > 0, got NaN',
    )
  })
  it('numberInRange is half-open unless closed', () => {
    expect(numberInRange('op', 'b', 0, 0, 1)).toBe(0)
    expect(() => numberInRange('op', 'b', 1, 0, 1)).toThrow(/\[0, 1\)/)
    expect(numberInRange('op', 'b', 1, 0, 1, true)).toBe(1)
    expect(() => numberInRange('op', 'b', Number.NaN, 0, 1, true)).toThrow(ArgumentError)
  })
  it('learningRate passes schedules through and checks constants', () => {
    const s = (step: number) => step
    expect(learningRate('op', s)).toBe(s)
    expect(learningRate('op', 0.5)).toBe(0.5)
    expect(() => learningRate('op', -0.5)).toThrow(ArgumentError)
  })
})
