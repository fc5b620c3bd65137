/**
 * Threefry-2x32 against the Random123 known answers and an independent BigInt implementation.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { threefry2x32 } from '../../../src/models/random/index.js'
import { ArgumentError } from '../../../src/tensor/index.js'
import { threefryReference } from './reference.js'

const word = fc.integer({ min: 0, max: 2 ** 32 - 1 })

describe('threefry2x32', () => {
  it('reproduces the Random123 known-answer vectors (20 rounds)', () => {
    const hex = (xs: [number, number]) => xs.map((x) => x.toString(16).padStart(8, '0'))
    expect(hex(threefry2x32([0, 0], [0, 0]))).toEqual(['6b200159', '99ba4efe'])
    expect(hex(threefry2x32([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toEqual([
      '1cb996fc',
      'bb002be7',
    ])
    expect(hex(threefry2x32([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3]))).toEqual([
      'c4923a9c',
      '483df7a0',
    ])
  })
  it('agrees with an independent BigInt implementation', () => {
    fc.assert(
      fc.property(fc.tuple(word, word), fc.tuple(word, word), (k, c) => {
        expect(threefry2x32(k, c)).toEqual(threefryReference(k, c))
      }),
      { seed: 101, numRuns: 300 },
    )
  })
  it('rejects words that are not unsigned 32-bit integers', () => {
    expect(() => threefry2x32([0, 2 ** 32], [0, 0])).toThrow(ArgumentError)
    expect(() => threefry2x32([0, 0], [-1, 0])).toThrow(ArgumentError)
  })
})
