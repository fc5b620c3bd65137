/**
 * Metrics against counts made directly in the test: accuracy with integer or one-hot labels,
 * binary accuracy, the confusion matrix (rows true, columns predicted; its trace / total is the
 * accuracy), and errors for shapes and labels.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, fromArrayOrThrow, ShapeError, tensor } from '../../src/index.js'
import { accuracy, binaryAccuracy, confusionMatrix, predictedClasses } from '../../src/models/metrics.js'

/** Distinct scores per row (so the argmax is unambiguous) and labels. */
const problem = fc
  .record({ n: fc.integer({ min: 1, max: 30 }), c: fc.integer({ min: 2, max: 5 }) })
  .chain(({ n, c }) =>
    fc.record({
      n: fc.constant(n),
      c: fc.constant(c),
      winners: fc.array(fc.nat(c - 1), { minLength: n, maxLength: n }),
      labels: fc.array(fc.nat(c - 1), { minLength: n, maxLength: n }),
    }),
  )

const scoresFor = (winners: readonly number[], c: number) =>
  fromArrayOrThrow(
    winners.flatMap((w) => Array.from({ length: c }, (_, j) => (j === w ? 5 : -j))),
    [winners.length, c],
  )

describe('metrics', () => {
  it('accuracy is the fraction of argmax hits, with integer or one-hot labels', () => {
    fc.assert(
      fc.property(problem, ({ n, c, winners, labels }) => {
        const hits = winners.filter((w, i) => w === labels[i]).length
        const scores = scoresFor(winners, c)
        expect(predictedClasses(scores)).toEqual(winners)
        expect(accuracy(scores, fromArrayOrThrow(labels, [n]))).toBe(hits / n)
        const oneHot = labels.flatMap((l) => Array.from({ length: c }, (_, j) => (j === l ? 1 : 0)))
        expect(accuracy(scores, fromArrayOrThrow(oneHot, [n, c]))).toBe(hits / n)
      }),
      { seed: 1, numRuns: 50 },
    )
  })

  it('the confusion matrix counts (true, predicted) pairs; its trace over n is the accuracy', () => {
    fc.assert(
      fc.property(problem, ({ n, c, winners, labels }) => {
        const m = confusionMatrix(scoresFor(winners, c), fromArrayOrThrow(labels, [n]))
        expect(m.length).toBe(c)
        for (let t = 0; t < c; t++)
          for (let p = 0; p < c; p++)
            expect(m[t]![p]).toBe(labels.filter((l, i) => l === t && winners[i] === p).length)
        const trace = m.reduce((s, row, i) => s + row[i]!, 0)
        expect(trace / n).toBe(accuracy(scoresFor(winners, c), fromArrayOrThrow(labels, [n])))
      }),
      { seed: 2, numRuns: 50 },
    )
  })

  it('breaks argmax ties by the first index', () => {
    expect(predictedClasses(tensor([[1, 1, 0]]))).toEqual([0])
    expect(
      confusionMatrix(
        tensor([
          [2, 0],
          [0, 1],
          [3, 1],
        ]),
        tensor([0, 1, 1]),
      ),
    ).toEqual([
      [1, 0],
      [1, 1],
    ])
  })

  it('binary accuracy thresholds at 0 (logits) or a given threshold', () => {
    expect(binaryAccuracy(tensor([-2, 3, 1]), tensor([0, 1, 0]))).toBe(2 / 3)
    expect(binaryAccuracy(tensor([0.2, 0.7]), tensor([0, 1]), 0.5)).toBe(1)
    expect(() => binaryAccuracy(tensor([0.2]), tensor([2]))).toThrow(/not 0 or 1/)
    expect(() => binaryAccuracy(tensor([[0.2], [0.1]]), tensor([1, 0]))).toThrow(ShapeError)
  })

  it('rejects bad shapes, labels out of range and empty inputs', () => {
    const scores = tensor([
      [1, 2],
      [3, 4],
    ])
    expect(() => accuracy(scores, tensor([0, 2]))).toThrow(ArgumentError)
    expect(() => accuracy(scores, tensor([0, 2]))).toThrow(/labels\[1\] is 2/)
    expect(() => accuracy(scores, tensor([0.5, 1]))).toThrow(ArgumentError)
    expect(() => accuracy(scores, tensor([[0], [1]]))).toThrow(ShapeError)
    expect(() => accuracy(tensor([1, 2]), tensor([0, 1]))).toThrow(ShapeError)
    expect(() => accuracy(fromArrayOrThrow([], [0, 3]), fromArrayOrThrow([], [0]))).toThrow(/no rows/)
    expect(() => confusionMatrix(scores, tensor([0]))).toThrow(ShapeError)
  })
})
