/**
 * examples/mnist.ts on a small subset (500 training digits, 2 epochs): training lowers the loss,
 * the test accuracy is far above chance, and the reported accuracy equals one recomputed here from
 * the logits with a plain argmax loop.
 */
import { describe, expect, it } from 'vitest'
import { main } from '../../examples/mnist.js'
import { toArray } from '../../src/index.js'

describe('examples/mnist', () => {
  it('trains on a subset and reports what it computed', () => {
    const lines: string[] = []
    const r = main({ trainSize: 500, testSize: 300, epochs: 2 }, (l) => lines.push(l))
    expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2])
    expect(r.epochs[0]!.trainLoss).toBeLessThan(r.initialTrainLoss)
    expect(r.epochs[1]!.trainLoss).toBeLessThan(r.epochs[0]!.trainLoss)
    // ten classes: chance is 10%
    expect(r.testAccuracy).toBeGreaterThan(0.6)
    const logits = toArray(r.testLogits) as number[][]
    const labels = toArray(r.testLabels) as number[]
    expect(logits).toHaveLength(300)
    const hits = logits.filter((row, i) => row.indexOf(Math.max(...row)) === labels[i]).length
    expect(r.testAccuracy).toBe(hits / 300)
    expect(r.epochs[1]!.testAccuracy).toBe(r.testAccuracy)
    expect(lines[0]).toBe('MNIST: 500 training and 300 test digits; MLP 784-128-10, Adam')
    expect(lines.at(-1)).toBe(
      `epoch 2: training loss ${r.epochs[1]!.trainLoss.toFixed(4)}, test accuracy ${(r.testAccuracy * 100).toFixed(2)}%`,
    )
  })
})
