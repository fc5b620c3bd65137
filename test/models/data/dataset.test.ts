/**
 * Tests of the shared dataset pieces: stratified splits (exact sizes, disjoint, proportional,
 * deterministic), row selection and building a dataset from rows.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toArray, toFlat } from '../../../src/io/index.js'
import {
  fromRows,
  standardisationOf,
  standardiseRows,
  stratifiedSplit,
  takeRows,
} from '../../../src/models/data/dataset.js'
import { key } from '../../../src/models/random/index.js'
import { ArgumentError, tensor } from '../../../src/tensor/index.js'

const arbLabels = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 200 })

describe('stratifiedSplit', () => {
  it('returns exactly the asked sizes, disjoint rows, each class in proportion (within one)', () => {
    fc.assert(
      fc.property(
        fc.maxSafeInteger(),
        arbLabels.chain((labels) =>
          fc.tuple(
            fc.constant(labels),
            fc
              .integer({ min: 0, max: labels.length })
              .chain((test) =>
                fc.tuple(fc.constant(test), fc.integer({ min: 0, max: labels.length - test })),
              ),
          ),
        ),
        (seed, [labels, [testSize, trainSize]]) => {
          const { train, test } = stratifiedSplit(key(seed), labels, { testSize, trainSize })
          expect(test.length).toBe(testSize)
          expect(train.length).toBe(trainSize)
          const all = [...train, ...test]
          expect(new Set(all).size).toBe(all.length)
          expect(all.every((i) => Number.isInteger(i) && i >= 0 && i < labels.length)).toBe(true)
          for (let c = 0; c <= 4; c++) {
            const share = labels.filter((l) => l === c).length / Math.max(labels.length, 1)
            expect(Math.abs(test.filter((i) => labels[i] === c).length - share * testSize)).toBeLessThan(
              1 + 1e-9,
            )
          }
          expect(stratifiedSplit(key(seed), labels, { testSize, trainSize })).toEqual({ train, test })
        },
      ),
      { seed: 301, numRuns: 200 },
    )
  })
  it('uses every row when trainSize is omitted, and different keys give different splits', () => {
    const labels = Array.from({ length: 100 }, (_, i) => i % 3)
    const a = stratifiedSplit(key(1), labels, { testSize: 20 })
    expect(a.train.length + a.test.length).toBe(100)
    expect(stratifiedSplit(key(2), labels, { testSize: 20 }).test).not.toEqual(a.test)
  })
  it('rejects bad labels and sizes', () => {
    expect(() => stratifiedSplit(key(0), [0, -1], { testSize: 1 })).toThrow(
      /labels\[1\] must be a non-negative integer/,
    )
    expect(() => stratifiedSplit(key(0), [0, 0.5], { testSize: 1 })).toThrow(ArgumentError)
    expect(() => stratifiedSplit(key(0), [0, 1], { testSize: 3 })).toThrow(
      /testSize must be an integer in \[0, 2\]/,
    )
    expect(() => stratifiedSplit(key(0), [0, 1], { testSize: 1, trainSize: 2 })).toThrow(ArgumentError)
  })
})

describe('takeRows', () => {
  it('copies the rows at the indices, keeping the trailing shape and dtype', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { dtype: 'float64' },
    )
    const rows = takeRows(x, [2, 0, 2])
    expect(toArray(rows)).toEqual([
      [5, 6],
      [1, 2],
      [5, 6],
    ])
    expect(rows.dtype).toBe('float64')
    expect(takeRows(x, []).shape).toEqual([0, 2])
    expect(toFlat(takeRows(tensor([7, 8, 9]), [1]))).toEqual([8])
  })
  it('rejects indices out of range and scalars', () => {
    expect(() => takeRows(tensor([1, 2]), [2])).toThrow(
      /indices\[0\] is 2, not a row of a tensor with 2 rows/,
    )
    expect(() => takeRows(tensor([1, 2]), [0.5])).toThrow(ArgumentError)
    expect(() => takeRows(tensor(1), [0])).toThrow(ArgumentError)
  })
})

describe('fromRows', () => {
  it('builds train and test tensors from flat data or a row function', () => {
    const features = [0, 0, 1, 1, 2, 2]
    const data = fromRows('toy', features, [0, 1, 1], [2], { train: [2, 0], test: [1] }, ['a', 'b'])
    expect(toArray(data.xTrain)).toEqual([
      [2, 2],
      [0, 0],
    ])
    expect(toFlat(data.yTrain)).toEqual([1, 0])
    expect(toFlat(data.yTest)).toEqual([1])
    expect(Object.isFrozen(data)).toBe(true)
    const viaFunction = fromRows(
      'toy',
      (r) => features.slice(2 * r, 2 * r + 2),
      [0, 1, 1],
      [2],
      { train: [2, 0], test: [1] },
      ['a', 'b'],
    )
    expect(toFlat(viaFunction.xTrain)).toEqual(toFlat(data.xTrain))
  })
  it('rejects mismatched lengths and rows out of range', () => {
    expect(() => fromRows('toy', [1, 2, 3], [0, 1], [2], { train: [0], test: [] }, ['a'])).toThrow(
      ArgumentError,
    )
    expect(() => fromRows('toy', [1, 2], [0], [2], { train: [1], test: [] }, ['a'])).toThrow(
      /row 1 is not one of the 1 rows/,
    )
  })
})

describe('standardisationOf and standardiseRows', () => {
  it('standardised statistics rows have column mean 0 and population std 1 (or stay centred when constant)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((width) =>
          fc.tuple(
            fc.constant(width),
            fc.array(
              fc.array(
                fc.integer({ min: -10_000, max: 10_000 }).map((v) => v / 100),
                {
                  minLength: width,
                  maxLength: width,
                },
              ),
              {
                minLength: 2,
                maxLength: 30,
              },
            ),
          ),
        ),
        ([width, rows]) => {
          const s = standardisationOf(
            rows.flat(),
            width,
            rows.map((_, i) => i),
          )
          const out = standardiseRows(rows, s)
          for (let j = 0; j < width; j++) {
            const column = out.map((r) => r[j]!)
            const mean = column.reduce((a, b) => a + b, 0) / column.length
            const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length
            expect(Math.abs(mean)).toBeLessThan(1e-9)
            const constant = rows.every((r) => r[j] === rows[0]![j])
            expect(variance).toBeCloseTo(constant ? 0 : 1, 6)
          }
        },
      ),
      { seed: 0x57a1, numRuns: 100 },
    )
  })

  it('uses only the given rows for the statistics, and rejects rows of another width', () => {
    expect(standardisationOf([1, 10, 3, 30, 1000, 1000], 2, [0, 1])).toEqual({
      mean: [2, 20],
      scale: [1, 10],
    })
    expect(() => standardiseRows([[1, 2, 3]], { mean: [0, 0], scale: [1, 1] })).toThrow(
      new ArgumentError('standardiseRows', 'row 0 has 3 features but the statistics are for 2'),
    )
  })
})
