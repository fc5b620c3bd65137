import { describe, expect, it } from 'vitest'
import { ArgumentError, isTensor, reshape, Tensor, tensor, toFlat, zeros } from '../../src/index.js'
import { lend, makeTensor, moveStorage, storage } from '../../src/tensor/internal.js'

describe('Tensor', () => {
  it('is frozen, with a frozen shape, and exposes no storage', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(Object.isFrozen(t)).toBe(true)
    expect(Object.isFrozen(t.shape)).toBe(true)
    expect(Object.keys(t).sort()).toEqual(['dtype', 'shape', 'size'])
    expect(t.size).toBe(6)
    expect(() => {
      ;(t as { size: number }).size = 1
    }).toThrow(TypeError)
    expect(() => {
      ;(t as unknown as { data: unknown }).data = new Float32Array(6)
    }).toThrow(TypeError)
    expect(() => {
      ;(t.shape as number[]).push(1)
    }).toThrow(TypeError)
    expect(toFlat(t)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('cannot be constructed with new', () => {
    const New = Tensor as unknown as new (...args: unknown[]) => unknown
    expect(() => new New(Symbol('x'), [1], 'float32', new Float32Array(1), undefined)).toThrow(TypeError)
  })

  it('describes itself by shape and dtype, then its values', () => {
    expect(String(zeros([2, 3]))).toBe('Tensor<[2,3], float32>\n[[0, 0, 0],\n [0, 0, 0]]')
    expect(isTensor(zeros([1]))).toBe(true)
    expect(isTensor({ shape: [1], dtype: 'float32', size: 1 })).toBe(false)
  })

  it('copies storage a jitted call lent, so only the tensor it was lent to ever sees that memory', () => {
    const memory = new Float32Array([1, 2, 3, 4])
    const lent = makeTensor([4], 'float32', memory)
    lend(memory)
    const shaped = reshape(lent, [2, 2]) // reshape shares its operand's storage, except lent storage
    const again = makeTensor([4], 'float32', memory)
    memory[0] = 9 // the plan writes its memory again
    expect(toFlat(lent)).toEqual([9, 2, 3, 4])
    expect(toFlat(shaped)).toEqual([1, 2, 3, 4])
    expect(toFlat(again)).toEqual([1, 2, 3, 4])
    // the plan moves the values out before it writes again: same values, memory of its own
    moveStorage(lent, storage(lent).slice())
    memory[1] = 9
    expect(toFlat(lent)).toEqual([9, 2, 3, 4])
  })

  it('is consumed once donated: reading it is an ArgumentError, printing it says so', () => {
    const t = tensor([1, 2])
    moveStorage(t, undefined)
    expect(() => toFlat(t)).toThrow(ArgumentError)
    expect(() => storage(t)).toThrow(/donated to a jitted call/)
    expect(() => JSON.stringify(t)).toThrow(ArgumentError)
    expect(String(t)).toBe(
      'Tensor<[2], float32> (donated to a jitted call, whose result now holds its memory: no values)',
    )
    expect(t.shape).toEqual([2])
  })
})
