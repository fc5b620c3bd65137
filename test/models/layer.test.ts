/**
 * The layer contract's run-time parts: `isDropping` tells the layers with a masked training pass
 * from the others, and `checkMasks` refuses masks of the wrong number or shape, naming them.
 */
import { describe, expect, it } from 'vitest'
import { ArgumentError, cnn, dense, dropout, mlp, ShapeError, sequential, zeros } from '../../src/index.js'
import { checkMasks, isDropping } from '../../src/models/layer.js'

describe('the layer contract', () => {
  it('isDropping: dropout, cnn, sequential (even without dropout) yes; dense, mlp no', () => {
    expect([dropout(0.5, [2]), cnn(), sequential(dense(2, 2))].map(isDropping)).toEqual([true, true, true])
    expect([dense(2, 3), mlp([2, 3, 1])].map(isDropping)).toEqual([false, false])
  })

  it('checkMasks: one [batch, ...shape] mask per mask shape', () => {
    const shapes = [[3], [2, 2]]
    expect(() => checkMasks('op', shapes, [zeros([5, 3]), zeros([5, 2, 2])], 5)).not.toThrow()
    expect(() => checkMasks('op', shapes, [zeros([5, 3])], 5)).toThrow(
      new ArgumentError('op', 'expected 2 dropout masks (from dropoutMasks), got 1'),
    )
    expect(() => checkMasks('op', shapes, [zeros([5, 3]), zeros([5, 4])], 5)).toThrow(
      new ShapeError('op', 'mask 2 must be [5,2,2], got [5,4]'),
    )
    expect(() => checkMasks('op', shapes, [zeros([4, 3]), zeros([4, 2, 2])], 5)).toThrow(
      new ShapeError('op', 'mask 1 must be [5,3], got [4,3]'),
    )
  })
})
