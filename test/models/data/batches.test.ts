/** Tests of minibatch slicing: every row once per epoch, sizes, seeded order, argument errors. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { batches } from '../../../src/models/data/batches.js'
import { xor } from '../../../src/models/data/synthetic.js'
import { type Key, key } from '../../../src/models/random/index.js'
import { ArgumentError, zeros } from '../../../src/tensor/index.js'

describe('batches', () => {
  it('covers every row exactly once in batches of batchSize (the last may be smaller)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.option(fc.maxSafeInteger()),
        (n, size, seed) => {
          const slices = batches(n, size, seed === null ? undefined : key(seed))
          expect(slices.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i))
          expect(slices.length).toBe(Math.ceil(n / size))
          slices.slice(0, -1).forEach((s) => {
            expect(s.length).toBe(size)
          })
          const dropped = batches(n, size, seed === null ? undefined : key(seed), { dropLast: true })
          expect(dropped.length).toBe(Math.floor(n / size))
          expect(dropped.every((s) => s.length === size)).toBe(true)
        },
      ),
      { seed: 501, numRuns: 200 },
    )
  })
  it('without a key keeps the order; with a key the order is a seeded shuffle', () => {
    expect(batches(5, 2)).toEqual([[0, 1], [2, 3], [4]])
    expect(batches(100, 10, key(1))).toEqual(batches(100, 10, key(1)))
    expect(batches(100, 10, key(1))).not.toEqual(batches(100, 10, key(2)))
    expect(batches(100, 100, key(1))[0]).not.toEqual(batches(100, 100)[0])
  })
  it('takes the row count from a tensor or a dataset', () => {
    expect(batches(zeros([7, 3]), 3).length).toBe(3)
    expect(batches(xor(key(0), 10), 4).flat().length).toBe(10)
  })
  it('rejects bad sizes, sources and keys', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => batches(10, size)).toThrow(ArgumentError)
    expect(() => batches(10, 0)).toThrow(/batches: batchSize must be a positive integer, got 0/)
    expect(() => batches(-1, 2)).toThrow(ArgumentError)
    expect(() => batches('x' as unknown as number, 2)).toThrow(ArgumentError)
    expect(() => batches(3, 2, { kind: 'nabla.Key' } as unknown as Key)).toThrow(ArgumentError)
  })
})
