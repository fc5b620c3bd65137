/**
 * examples/attention.ts, shortened to 20 steps: training lowers the loss, the held-out token
 * accuracy is clearly above chance (10 %), and the reported accuracy equals one recomputed here
 * with plain loops — targets reversed by hand, predictions by argmax — from the trained model.
 */
import { describe, expect, it } from 'vitest'
import { forward, main } from '../../examples/attention.js'
import { toArray } from '../../src/index.js'

describe('examples/attention', () => {
  it('learns to reverse digits well above chance in 20 steps and reports what it computed', () => {
    const lines: string[] = []
    const r = main({ maxSteps: 20, evalEvery: 20 }, (l) => lines.push(l))
    expect(r.steps).toBe(20)
    expect(r.lastLoss).toBeLessThan(r.firstLoss)
    expect(r.initialAccuracy).toBeLessThan(0.2)
    expect(r.accuracy).toBeGreaterThan(0.25)
    const inputs = toArray(r.test.x) as number[][]
    const logits = toArray(forward(r.params, r.test.x)) as number[][][]
    let hits = 0
    inputs.forEach((seq, b) => {
      seq.forEach((_, i) => {
        const row = logits[b]![i]!
        if (row.indexOf(Math.max(...row)) === seq[seq.length - 1 - i]) hits++
      })
    })
    expect(r.accuracy).toBe(hits / (inputs.length * 8))
    expect(lines.at(-1)).toMatch(/^did not reach 99% token accuracy after 20 steps in [\d.]+ s$/)
  })
})
