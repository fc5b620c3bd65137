import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createWasmKernels } from '../../../../src/tensor/kernels/wasm/kernels.js'
import { SplitChoice } from '../../../../src/tensor/kernels/wasm/splitChoice.js'
import { matchesReference } from './helpers.js'

/** Runs `calls` products of `macs` through a choice whose split and single costs (ms per MAC) are given. */
const simulate = (
  choice: SplitChoice,
  macs: number,
  costs: { split: number; single: number },
  calls: number,
) => {
  let splits = 0
  for (let call = 0; call < calls; call++) {
    const split = choice.choose(macs)
    if (split) splits++
    choice.record(macs, split, macs * (split ? costs.split : costs.single))
  }
  return splits
}

const arbCosts = fc.record({
  split: fc.double({ min: 1e-7, max: 1e-5, noNaN: true }),
  single: fc.double({ min: 1e-7, max: 1e-5, noNaN: true }),
})
const arbMacs = fc.integer({ min: 2 ** 19, max: 2 ** 30 })

describe('SplitChoice', () => {
  it('tries both ways first, split first', () => {
    const choice = new SplitChoice()
    const first = Array.from({ length: 6 }, () => {
      const split = choice.choose(1e6)
      choice.record(1e6, split, 1)
      return split
    })
    expect(first).toEqual([true, false, true, false, true, false])
  })

  it('prefers the measured cheaper way and probes the other at intervals doubling from probeEvery to longestInterval', () => {
    fc.assert(
      fc.property(
        arbCosts,
        arbMacs,
        fc.integer({ min: 7, max: 32 }),
        fc.integer({ min: 0, max: 4 }),
        (costs, macs, probeEvery, doublings) => {
          fc.pre(Math.abs(costs.split - costs.single) > 1e-3 * Math.max(costs.split, costs.single))
          const longest = probeEvery * 2 ** doublings
          const choice = new SplitChoice(probeEvery, 5, longest)
          simulate(choice, macs, costs, 6) // the first samples of each way
          const splitCheaper = costs.split < costs.single
          const other: number[] = []
          for (let call = 7; call <= 60 * probeEvery; call++) {
            const split = choice.choose(macs)
            if (split !== splitCheaper) other.push(call)
            choice.record(macs, split, macs * (split ? costs.split : costs.single))
          }
          // the schedule, written out: the probeEvery-th product, then gaps doubling up to longest
          const expected: number[] = []
          for (
            let at = probeEvery, gap = probeEvery;
            at <= 60 * probeEvery;
            gap = Math.min(2 * gap, longest)
          ) {
            expected.push(at)
            at += Math.min(2 * gap, longest)
          }
          expect(other).toEqual(expected)
        },
      ),
      { seed: 1501, numRuns: 200 },
    )
  })

  it('follows a change of load: when the preferred way becomes dearer, the probes find the other', () => {
    fc.assert(
      fc.property(arbCosts, arbMacs, (costs, macs) => {
        fc.pre(costs.split < 0.5 * costs.single)
        const choice = new SplitChoice(8)
        simulate(choice, macs, costs, 100)
        // now the split costs four times what it did and more than the single way
        const busy = { split: Math.max(4 * costs.split, 2 * costs.single), single: costs.single }
        // the next probe, at most 8 · 8 products after the last, finds the single way cheaper
        const busySplits = simulate(choice, macs, busy, 200)
        expect(busySplits).toBeLessThanOrEqual(64 + 3)
        // only the probes split now: one in the first 8 products, then 16, 32 and 64 apart
        expect(simulate(choice, macs, busy, 80)).toBeLessThanOrEqual(2)
      }),
      { seed: 1502, numRuns: 100 },
    )
  })

  it('recovers within a few products from costs measured during a busy start', () => {
    fc.assert(
      fc.property(
        arbCosts,
        arbMacs,
        fc.integer({ min: 8, max: 32 }),
        fc.boolean(),
        (costs, macs, probeEvery, busyWayIsCheaper) => {
          fc.pre(costs.split < 0.8 * costs.single || costs.single < 0.8 * costs.split)
          const cheaper = costs.split < costs.single ? 'split' : 'single'
          // the first products: the way that is really cheaper ran ten times dearer (a busy
          // machine, memory being grown), so the other way is preferred at first
          const busy = { ...costs, [cheaper]: 10 * costs[cheaper] }
          // (with the first probe after the flip as far off as the first one: this is about the way in)
          const choice = new SplitChoice(probeEvery, 5, 8 * probeEvery, probeEvery)
          simulate(choice, macs, busy, 6)
          if (!busyWayIsCheaper) simulate(choice, macs, busy, probeEvery - 1) // and a while after
          const calls = 4 * probeEvery
          const ways: boolean[] = []
          for (let call = 0; call < calls; call++) {
            const split = choice.choose(macs)
            ways.push(split === (cheaper === 'split'))
            choice.record(macs, split, macs * (split ? costs.split : costs.single))
          }
          // the first probe after the busy stretch comes within two intervals (one probe during
          // it, dearer, doubled the interval) ...
          const found = ways.indexOf(true)
          expect(found).toBeGreaterThanOrEqual(0)
          expect(found).toBeLessThan(2 * probeEvery)
          // ... and, with two confirmations and the flip, every product from it on runs the cheaper way
          expect(ways.slice(found).filter((cheap) => !cheap).length).toBeLessThanOrEqual(2)
        },
      ),
      { seed: 1506, numRuns: 200 },
    )
  })

  it('pays one product for a probe that was merely lucky', () => {
    fc.assert(
      fc.property(arbMacs, fc.integer({ min: 8, max: 32 }), (macs, probeEvery) => {
        const choice = new SplitChoice(probeEvery)
        simulate(choice, macs, { split: 1e-6, single: 2e-6 }, 6)
        let singles = 0
        let lucky = true
        for (let call = 0; call < 4 * probeEvery; call++) {
          const split = choice.choose(macs)
          // the first single-thread probe happens to beat the split; the rest cost as usual
          const cost = split ? 1e-6 : lucky ? 0.5e-6 : 2e-6
          if (!split) {
            singles++
            lucky = false
          }
          choice.record(macs, split, macs * cost)
        }
        // probes at probeEvery (lucky: the intervals start over), 2 · probeEvery and 4 · probeEvery
        // (each dearer: the next comes at 8 · probeEvery), and the one confirmation of the lucky one
        expect(singles).toBe(3 + 1)
      }),
      { seed: 1507, numRuns: 50 },
    )
  })

  it('starts the intervals over when a probe comes out cheaper', () => {
    const macs = 2 ** 20
    const choice = new SplitChoice(8, 5, 64, 8)
    simulate(choice, macs, { split: 1e-6, single: 2e-6 }, 400) // probes 64 products apart by now
    const now = { split: 2e-6, single: 1e-6 }
    // run to the probe that finds the single way cheaper now
    for (let split = true; split; ) {
      split = choice.choose(macs)
      choice.record(macs, split, macs * (split ? now.split : now.single))
    }
    // confirmations flip the choice, and the split way is probed 8, 24 and 56 products after that
    // probe (not 64 and more, as before it)
    expect(simulate(choice, macs, now, 60)).toBe(3)
  })

  it('probes the way it left soon after a few slow products flip the choice', () => {
    fc.assert(
      fc.property(
        arbMacs,
        fc.integer({ min: 8, max: 32 }),
        fc.integer({ min: 1, max: 8 }),
        (macs, probeEvery, afterFlip) => {
          const choice = new SplitChoice(probeEvery, 5, 8 * probeEvery, afterFlip)
          const quiet = { split: 1e-6, single: 2e-6 }
          simulate(choice, macs, quiet, 40 * probeEvery) // the single way's probes are far apart now
          // split products run slower than the single way (the helper thread was descheduled): three
          // of them flip the medians of five, and the single way runs
          let flipped = -1
          for (let call = 0; flipped < 0 && call < 8 * probeEvery; call++) {
            const split = choice.choose(macs)
            if (!split) flipped = call
            choice.record(macs, split, macs * (split ? 3e-6 : quiet.single))
          }
          expect(flipped).toBe(3)
          // the split runs at its usual cost again: it is probed afterFlip products after the flip
          // (not 8 · probeEvery), found cheaper, confirmed, and preferred again
          const ways: boolean[] = []
          for (let call = 0; call < afterFlip + 3 + 4 * probeEvery; call++) {
            const split = choice.choose(macs)
            ways.push(split)
            choice.record(macs, split, macs * (split ? quiet.split : quiet.single))
          }
          const back = ways.indexOf(true)
          expect(back).toBe(afterFlip - 1)
          // that probe and two confirmations replace the three slow costs, the medians flip back, and
          // from there on only the single way's probes leave the split: afterFlip products after the
          // flip back, then at doubling intervals
          const singles = ways.flatMap((split, call) => (call > back && !split ? [call] : []))
          const expected: number[] = []
          for (let at = back + 3 + afterFlip, gap = afterFlip; at < ways.length; gap *= 2, at += gap)
            expected.push(at)
          expect(singles).toEqual(expected)
        },
      ),
      { seed: 1508, numRuns: 200 },
    )
  })

  it('is not flipped by one product the operating system interrupted', () => {
    const choice = new SplitChoice(1000)
    simulate(choice, 2 ** 20, { split: 1, single: 2 }, 20)
    choice.choose(2 ** 20)
    choice.record(2 ** 20, true, 2 ** 20 * 100)
    expect(simulate(choice, 2 ** 20, { split: 1, single: 2 }, 10)).toBe(10)
  })

  it('keeps size classes apart', () => {
    const choice = new SplitChoice(1000)
    simulate(choice, 2 ** 20, { split: 1, single: 2 }, 20)
    simulate(choice, 2 ** 24, { split: 2, single: 1 }, 20)
    expect(simulate(choice, 2 ** 20, { split: 1, single: 2 }, 10)).toBe(10)
    expect(simulate(choice, 2 ** 24, { split: 2, single: 1 }, 10)).toBe(0)
  })

  it('ignores measurements that are not times', () => {
    const choice = new SplitChoice(1000)
    simulate(choice, 2 ** 20, { split: 1, single: 2 }, 20)
    for (const bad of [Number.NaN, -1]) choice.record(2 ** 20, true, bad)
    expect(simulate(choice, 2 ** 20, { split: 1, single: 2 }, 10)).toBe(10)
  })
})

describe('adaptive split in the WebAssembly back end', () => {
  it('gives the reference result whichever way each product runs', async () => {
    const wasm = createWasmKernels({ threads: 1, threadThreshold: 1, smallMatmul: 0 })!
    await wasm.startThreads()
    // alternating sizes in one size class run both ways within the first products
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 90 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        (m, k, n) => {
          const p = {
            a: Float32Array.from({ length: m * k }, (_, i) => Math.sin(i + m)),
            aShape: [m, k],
            b: Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * n)),
            bShape: [k, n],
            transposeA: false,
            transposeB: false,
            outShape: [m, n],
          }
          const out = new Float32Array(m * n).fill(Number.NaN)
          wasm.matmul({ ...p, out })
          return matchesReference(p, out)
        },
      ),
      { seed: 1503, numRuns: 60 },
    )
  })

  it('keeps the costs of each precision apart', () => {
    // float32 products of a size split cheaper, float64 ones of the same size run cheaper on one
    // thread (and cost more per multiply-add either way): alternating stretches of each, every
    // product after the first few of each precision runs its own cheaper way
    const choice = new SplitChoice()
    const macs = 2 ** 27
    const costs = { f32: { split: 1, single: 1.6 }, f64: { split: 2.4, single: 2 } } as const
    const wrong = { f32: 0, f64: 0 }
    for (let stretch = 0; stretch < 12; stretch++)
      for (const precision of ['f32', 'f64'] as const)
        for (let i = 0; i < 40; i++) {
          const split = choice.choose(macs, precision)
          const cost = costs[precision]
          if (stretch > 0 && split !== cost.split < cost.single) wrong[precision]++
          choice.record(macs, split, macs * (split ? cost.split : cost.single), precision)
        }
    // only the probes (at most one in every 16 products) run the dearer way
    expect(wrong.f32).toBeLessThanOrEqual((11 * 40) / 16 + 1)
    expect(wrong.f64).toBeLessThanOrEqual((11 * 40) / 16 + 1)
  })
})
