/** Tests of the bench's target lines: ratios from alternating rounds, and peers whose rounds moved. */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { peakReferenceName, threadsPeakReferenceName } from '../../bench/cases/peak.js'
import type { Result } from '../../bench/measure.js'
import {
  ceilingLines,
  eagerTargets,
  ratioOf,
  targetLines,
  unsteadyPeerLine,
  unsteadySpread,
} from '../../bench/targets.js'

const result = (impl: string, samples: number[]): Result => {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    case: 'matmul 512² f32',
    impl,
    median: sorted[sorted.length >> 1]!,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    unit: 'GFLOP/s',
    samples,
  }
}

const matmulRatio = eagerTargets.filter((t) => t.case === 'matmul 512² f32' && t.peer === 'tfjs-wasm')

describe('ratioOf', () => {
  it('is the median of the per-round ratios', () => {
    const own = result('nabla', [90, 60, 100])
    const peer = result('tfjs-wasm', [30, 30, 20])
    // rounds 3×, 2×, 5×: the median is 3×, not 90 / 30 of the medians
    expect(ratioOf(own, peer, false)).toEqual({ value: 3, min: 2, max: 5 })
  })
})

describe('unsteadyPeerLine', () => {
  it('flags a peer whose own rounds are at least unsteadySpread apart, and only then', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: 2, maxLength: 9 }),
        (samples) => {
          const spread = Math.max(...samples) / Math.min(...samples)
          const line = unsteadyPeerLine(result('tfjs-wasm', samples))
          expect(line !== undefined).toBe(spread >= unsteadySpread)
          if (line !== undefined) expect(line).toContain("tfjs-wasm's own rounds ran")
        },
      ),
      { seed: 1509, numRuns: 300 },
    )
  })

  it('says nothing of a peer with one round or none', () => {
    expect(unsteadyPeerLine(result('tfjs-wasm', [12]))).toBeUndefined()
    const { samples: _rounds, ...withoutRounds } = result('tfjs-wasm', [12, 40])
    expect(unsteadyPeerLine(withoutRounds)).toBeUndefined()
  })
})

describe('targetLines', () => {
  it('marks a ratio to an unsteady peer and explains it on the next line', () => {
    // run D of the last stop: TF.js wasm at 27.6 in its first round, 11 after
    const lines = targetLines(matmulRatio, [
      result('nabla', [96, 95, 97, 94, 96]),
      result('tfjs-wasm', [27.6, 11.1, 11.0, 11.2, 11.1]),
    ])
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/ met \(peer unsteady\)$/)
    expect(lines[1]).toContain('11.0–27.6 GFLOP/s (2.5× apart)')
  })

  it('prints one plain line for a steady peer, met or not', () => {
    const nabla = result('nabla', [92, 95, 90, 96, 93])
    const met = targetLines(matmulRatio, [nabla, result('tfjs-wasm', [30, 31, 29, 30, 31])])
    const missed = targetLines(matmulRatio, [nabla, result('tfjs-wasm', [33, 32, 33, 34, 33])])
    expect(met).toHaveLength(1)
    expect(met[0]).toMatch(/ met$/)
    expect(missed).toHaveLength(1)
    expect(missed[0]).toMatch(/ NOT met$/)
  })
})

describe('ceilingLines', () => {
  const nabla = result('nabla', [90, 60, 100])
  const peer = result('tfjs-wasm', [30, 30, 30])
  const one = result(peakReferenceName, [58, 58, 58])

  it('takes the peak of all threads at once from the same rounds when the case measured it', () => {
    // the second core was taken in the second round: nabla's shares are 0.9, 0.8 and 0.8
    const both = result(threadsPeakReferenceName(2), [100, 75, 125])
    const lines = ceilingLines(matmulRatio, [nabla, peer, one, both], undefined, 2)
    expect(lines).toHaveLength(1)
    // 3 × 30 = 90 GFLOP/s asked of the median 100: 90 %; nabla's share is the median of the
    // per-round shares, 80 %, not the ratio of the medians (90 / 100)
    expect(lines[0]).toContain('asks 90.0 GFLOP/s = 90 % of 100.0 (the SIMD peak of 2 threads at once')
    expect(lines[0]).toContain('one thread alone 58.0')
    expect(lines[0]).toMatch(/nabla reaches 80 %$/)
  })

  it('falls back to the threads times one thread’s peak without it', () => {
    const lines = ceilingLines(matmulRatio, [nabla, peer, one], undefined, 2)
    expect(lines).toHaveLength(1)
    // 90 of 2 × 58 = 116: 78 %; the per-round shares 90/116, 60/116, 100/116: median 78 %
    expect(lines[0]).toContain('= 78 % of 2 × 58.0 (one thread')
    expect(lines[0]).toMatch(/nabla reaches 78 %$/)
  })

  it('reads a peak of another thread count as no measure of this machine’s', () => {
    const four = result(threadsPeakReferenceName(4), [200, 200, 200])
    expect(ceilingLines(matmulRatio, [nabla, peer, one, four], undefined, 2)[0]).toContain('of 2 × 58.0')
  })
})
