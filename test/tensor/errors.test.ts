import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  DecodeError,
  DTypeError,
  formatShape,
  matmul,
  NablaError,
  NonFiniteError,
  ShapeError,
  type Tensor,
  zeros,
} from '../../src/index.js'

describe('NablaError and its subclasses', () => {
  it.each([
    ['ShapeError', ShapeError],
    ['ArgumentError', ArgumentError],
    ['DTypeError', DTypeError],
    ['DecodeError', DecodeError],
    ['NonFiniteError', NonFiniteError],
  ] as const)(
    '%s is a NablaError and an Error, named after its class, with the op first in the message',
    (name, Class) => {
      const e = new Class('matmul', 'something is wrong')
      expect(e).toBeInstanceOf(NablaError)
      expect(e).toBeInstanceOf(Error)
      expect(e).toBeInstanceOf(Class)
      expect(e.name).toBe(name)
      expect(e.op).toBe('matmul')
      expect(e.message).toBe('matmul: something is wrong')
      expect(String(e)).toBe(`${name}: matmul: something is wrong`)
      expect(e.stack).toContain('matmul: something is wrong')
    },
  )

  it('DecodeError carries the path of the bad field', () => {
    expect(new DecodeError('load', 'w.data[3]: bad', 'w.data[3]').path).toBe('w.data[3]')
    expect(new DecodeError('load', 'bad').path).toBe('')
  })

  it('formatShape writes shapes without spaces', () => {
    expect(formatShape([2, 3])).toBe('[2,3]')
    expect(formatShape([])).toBe('[]')
  })

  it('an op error names the op, the arguments and both full shapes', () => {
    const a = zeros([2, 3]) as Tensor
    const b = zeros([4, 5]) as Tensor
    let caught: unknown
    try {
      ;(matmul as unknown as (a: Tensor, b: Tensor) => Tensor)(a, b)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(ShapeError)
    expect((caught as ShapeError).op).toBe('matmul')
    expect((caught as ShapeError).message).toBe('matmul: inner dimensions differ: a is [2,3], b is [4,5]')
  })
})
