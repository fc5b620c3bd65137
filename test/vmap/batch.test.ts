/**
 * The batching interpreter itself (src/vmap/batch.ts): a followed tensor has one example's shape,
 * its storage is a stand-in the readers refuse, primitives go to their batching rules one level
 * down, and a finished trace's tensors read as their batched values.
 */
import { describe, expect, it } from 'vitest'
import { toArray } from '../../src/io/index.js'
import {
  type AnyTensor,
  hasValues,
  mul,
  nextLevel,
  popInterpreter,
  pushInterpreter,
  sum,
  tensor,
} from '../../src/tensor/internal.js'
import { BatchTrace } from '../../src/vmap/batch.js'

const within = <T>(trace: BatchTrace, body: () => T): T => {
  pushInterpreter(trace)
  try {
    return body()
  } finally {
    trace.active = false
    popInterpreter(trace)
  }
}

describe('BatchTrace', () => {
  const batch = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ])

  it('follows a batch as one example: the shape of a row, a stand-in for values', () => {
    const trace = new BatchTrace(nextLevel(), 2)
    within(trace, () => {
      const x = trace.box(batch)
      expect(x.shape).toEqual([3])
      expect(hasValues(x)).toBe(false)
      expect(() => toArray(x)).toThrow(/toArray: cannot read the values of a tensor inside vmap/)
    })
  })

  it('hands primitives to their batching rules and follows the result', () => {
    const trace = new BatchTrace(nextLevel(), 2)
    let y: AnyTensor | undefined
    within(trace, () => {
      const x = trace.box(batch)
      y = sum(mul(x, x))
      expect(y.shape).toEqual([])
    })
    expect(toArray(trace.unbox(y!)!)).toEqual([14, 77])
  })

  it('does not follow tensors it was not given', () => {
    const trace = new BatchTrace(nextLevel(), 2)
    const c = tensor([1, 1, 1])
    within(trace, () => {
      expect(trace.unbox(mul(c, 2))).toBeUndefined()
      expect(hasValues(mul(c, 2))).toBe(true)
    })
  })

  it('rejects a value whose leading axis is not the batch', () => {
    const trace = new BatchTrace(nextLevel(), 3)
    expect(() => within(trace, () => trace.box(batch))).toThrow(/a batch of 3 got a value of shape \[2,3\]/)
  })
})
