import { describe, expect, it } from 'vitest'
import { isTensor, Tensor, tensor, toFlat, zeros } from '../../src/index.js'

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
})
