import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { fromArray, ShapeError, tensor, toArray } from '../../src/index.js'

describe('tensor', () => {
  it('infers the shape of a nested array', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(x.shape).toEqual([2, 3])
    expect(toArray(x)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ])
  })
  it('rejects a length mismatch in fromArray', () => {
    const r = fromArray([1, 2, 3], [2, 2])
    expect(E.isLeft(r) && r.left instanceof ShapeError).toBe(true)
  })
})
