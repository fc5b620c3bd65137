/**
 * Learning-rate schedules against their formulas written out here, at chosen and random steps,
 * their tensor forms against the schedules, and their configuration errors.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, scalar, toFlat } from '../../../src/index.js'
import {
  constantSchedule,
  cosineDecay,
  exponentialDecay,
  stepDecay,
  warmup,
  warmupCosineDecay,
} from '../../../src/models/optim/schedules.js'
import { isTensorSchedule } from '../../../src/models/optim/types.js'

const step = fc.integer({ min: 0, max: 5000 })
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(b)))

describe('schedules', () => {
  it('constant', () => {
    fc.assert(
      fc.property(step, (s) => {
        expect(constantSchedule(0.3)(s)).toBe(0.3)
      }),
      { seed: 1, numRuns: 20 },
    )
  })

  it('exponential decay, smooth and staircase', () => {
    const smooth = exponentialDecay({ init: 0.1, rate: 0.5, steps: 100 })
    const stairs = exponentialDecay({ init: 0.1, rate: 0.5, steps: 100, staircase: true })
    close(smooth(100), 0.05)
    close(smooth(50), 0.1 * Math.SQRT1_2)
    close(stairs(199), 0.05)
    close(stairs(200), 0.025)
    fc.assert(
      fc.property(step, (s) => {
        close(smooth(s), 0.1 * 0.5 ** (s / 100))
        close(stairs(s), 0.1 * 0.5 ** Math.floor(s / 100))
      }),
      { seed: 2, numRuns: 50 },
    )
  })

  it('step decay drops by the factor every `every` steps', () => {
    const s = stepDecay({ init: 1, every: 10, factor: 0.5 })
    expect([0, 9, 10, 19, 20, 35].map(s)).toEqual([1, 1, 0.5, 0.5, 0.25, 0.125])
    expect(stepDecay({ init: 1, every: 3 })(3)).toBeCloseTo(0.1, 15)
  })

  it('cosine decay from init to α·init, flat afterwards', () => {
    const s = cosineDecay({ init: 2, steps: 100, alpha: 0.1 })
    close(s(0), 2)
    close(s(50), 2 * (0.9 * 0.5 + 0.1))
    close(s(100), 0.2)
    close(s(1000), 0.2)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), (t) => {
        close(s(t), 2 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * t) / 100)) + 0.1))
      }),
      { seed: 3, numRuns: 50 },
    )
  })

  it('warm-up rises linearly, then hands over to the schedule shifted by the warm-up', () => {
    const s = warmup(stepDecay({ init: 1, every: 10, factor: 0.5 }), { steps: 4, start: 0.2 })
    expect([0, 1, 2, 3].map(s)).toEqual([0.2, 0.4, 0.6000000000000001, 0.8])
    expect([4, 13, 14].map(s)).toEqual([1, 1, 0.5])
    const wc = warmupCosineDecay({ peak: 1e-3, warmupSteps: 10, decaySteps: 100 })
    close(wc(5), 5e-4)
    close(wc(10), 1e-3)
    close(wc(60), 5e-4)
    close(wc(110), 0)
  })

  it('each has a tensor form on the step-count tensor that gives the same float64 value', () => {
    const config = fc.record({
      init: fc.double({ min: 1e-6, max: 10, noNaN: true }),
      rate: fc.double({ min: 0.01, max: 1, noNaN: true }),
      steps: fc.integer({ min: 1, max: 500 }),
      alpha: fc.double({ min: 0, max: 1, noNaN: true }),
      staircase: fc.boolean(),
      warm: fc.integer({ min: 1, max: 50 }),
      start: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    fc.assert(
      fc.property(config, step, (c, s) => {
        const schedules = [
          constantSchedule(c.init),
          exponentialDecay({ init: c.init, rate: c.rate, steps: c.steps, staircase: c.staircase }),
          stepDecay({ init: c.init, every: c.steps, factor: c.rate }),
          cosineDecay({ init: c.init, steps: c.steps, alpha: c.alpha }),
          warmup(cosineDecay({ init: c.init, steps: c.steps }), { steps: c.warm, start: c.start }),
          warmupCosineDecay({ peak: c.init, warmupSteps: c.warm, decaySteps: c.steps, alpha: c.alpha }),
        ]
        for (const schedule of schedules)
          expect(toFlat(schedule.ofCount(scalar(s, { dtype: 'float64' })))).toEqual([schedule(s)])
      }),
      { seed: 4, numRuns: 60 },
    )
  })

  it('warm-up has a tensor form only when the schedule it leads into has one', () => {
    expect(isTensorSchedule(warmup(constantSchedule(1), { steps: 2 }))).toBe(true)
    expect(isTensorSchedule(warmup((step: number) => 1 / (1 + step), { steps: 2 }))).toBe(false)
  })

  it('rejects bad configurations', () => {
    expect(() => constantSchedule(0)).toThrow(ArgumentError)
    expect(() => constantSchedule(Number.NaN)).toThrow(/value/)
    expect(() => exponentialDecay({ init: 1, rate: 0 })).toThrow(/rate/)
    expect(() => exponentialDecay({ init: 1, rate: 1.5 })).toThrow(/rate/)
    expect(() => exponentialDecay({ init: -1, rate: 0.5 })).toThrow(/init/)
    expect(() => stepDecay({ init: 1, every: 0 })).toThrow(/every/)
    expect(() => cosineDecay({ init: 1, steps: 2.5 })).toThrow(/steps/)
    expect(() => cosineDecay({ init: 1, steps: 10, alpha: 2 })).toThrow(/alpha/)
    expect(() => warmup(3 as never, { steps: 1 })).toThrow(/schedule/)
    expect(() => warmup(constantSchedule(1), { steps: 1, start: -1 })).toThrow(/start/)
  })
})
