/**
 * examples/cnn.ts on a small subset (400 training digits, 4 epochs of 25 batches, a narrow network,
 * the full recipe: dropout, shifts, cosine decay): training lowers the loss, the test accuracy is far above chance, and the reported accuracy equals one
 * recomputed here from the logits with a plain argmax loop.
 */
import { describe, expect, it } from 'vitest'
import { main, optionsFromArgs } from '../../examples/cnn.js'
import { toArray } from '../../src/index.js'

describe('examples/cnn', () => {
  it('trains on a subset and reports what it computed', () => {
    const lines: string[] = []
    const r = main(
      {
        trainSize: 400,
        testSize: 200,
        epochs: 4,
        channels: [4, 8],
        hidden: 64,
        batchSize: 16,
        learningRate: 5e-3,
      },
      (l) => lines.push(l),
    )
    expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4])
    expect(r.epochs[0]!.trainLoss).toBeLessThan(r.initialTrainLoss)
    for (let e = 1; e < 4; e++) expect(r.epochs[e]!.trainLoss).toBeLessThan(r.epochs[e - 1]!.trainLoss)
    expect(r.testAccuracy).toBeGreaterThan(0.5) // ten classes: chance is 10%
    const logits = toArray(r.testLogits) as number[][]
    const labels = toArray(r.testLabels) as number[]
    expect(logits).toHaveLength(200)
    const hits = logits.filter((row, i) => row.indexOf(Math.max(...row)) === labels[i]).length
    expect(r.testAccuracy).toBe(hits / 200)
    expect(lines[0]).toBe(
      'MNIST: 400 training and 200 test digits; CNN conv 5×5 4,8 → dense 64 (dropout 0.5) → 10; shifts of up to 1 px; Adam 0.005 cosine-decayed',
    )
  })

  it('reads its options from the command line', () => {
    expect(optionsFromArgs(['--train-size', '500', '--epochs', '1'])).toEqual({ trainSize: 500, epochs: 1 })
    expect(() => optionsFromArgs(['--epochs', 'two'])).toThrow(/usage/)
  })
})
