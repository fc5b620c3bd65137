/**
 * Learning-rate schedules: pure functions from the step count (0 for the first update) to a
 * learning rate. Pass one wherever a learning rate is expected (`sgd(cosineDecay({ … }))`).
 * Configuration is checked when the schedule is made; every value a schedule returns is finite and
 * ≥ 0. Each is also written with tensor ops on the step-count tensor (`ofCount`, the same
 * operations in the same order, so the same float64 value), which is what a jitted optimizer
 * update computes: a scheduled training step compiles whole.
 *
 * @module optim/schedules
 */
import {
  ArgumentError,
  add,
  cos,
  div,
  floor,
  less,
  maximum,
  minimum,
  mul,
  pow,
  scalar,
  sub,
  where,
} from '../../tensor/index.js'
import { describe } from '../../tensor/internal.js'
import {
  isTensorSchedule,
  numberInRange,
  positiveNumber,
  type Schedule,
  type StepCount,
  type TensorSchedule,
} from './types.js'

const positiveInteger = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ArgumentError(op, `${name} must be a positive integer, got ${describe(value)}`)
  return value
}

const nonNegative = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new ArgumentError(op, `${name} must be a finite number ≥ 0, got ${describe(value)}`)
  return value
}

const stepOf = (step: number): number => Math.max(0, step)
const stepOfCount = (count: StepCount): StepCount => maximum(count, 0)

// a schedule with its tensor form
const withTensorForm = (f: Schedule, ofCount: (count: StepCount) => StepCount): TensorSchedule =>
  Object.assign((step: number) => f(step), { ofCount })

/**
 * The same learning rate at every step.
 * @example
 * import { constantSchedule } from 'nabla'
 * constantSchedule(0.1)(1000) // 0.1
 */
export const constantSchedule = (value: number): TensorSchedule => {
  const v = positiveNumber('constantSchedule', 'value', value)
  return withTensorForm(
    () => v,
    () => scalar(v, { dtype: 'float64' }),
  )
}

/**
 * Options of `exponentialDecay`.
 * @example
 * import { exponentialDecay } from 'nabla'
 * exponentialDecay({ init: 0.1, rate: 0.96, steps: 1000, staircase: true })
 */
export interface ExponentialDecayOptions {
  /** The learning rate at step 0 (> 0). */
  readonly init: number
  /** Multiplied in once every `steps` steps (in (0, 1] to decay). */
  readonly rate: number
  /** Steps per factor of `rate` (default 1). */
  readonly steps?: number
  /** Decay in whole jumps, at multiples of `steps` (default false: smoothly). */
  readonly staircase?: boolean
}

/**
 * init · rate^(step / steps) (or rate^⌊step / steps⌋ with `staircase`).
 * @example
 * import { exponentialDecay } from 'nabla'
 * const s = exponentialDecay({ init: 0.1, rate: 0.5, steps: 100 })
 * s(100) // 0.05
 * s(50)  // 0.0707…
 */
export const exponentialDecay = (options: ExponentialDecayOptions): TensorSchedule => {
  const op = 'exponentialDecay'
  const init = positiveNumber(op, 'init', options.init)
  const rate = numberInRange(op, 'rate', options.rate, Number.MIN_VALUE, 1, true)
  const steps = positiveInteger(op, 'steps', options.steps ?? 1)
  const staircase = options.staircase === true
  return withTensorForm(
    (step) => {
      const p = stepOf(step) / steps
      return init * rate ** (staircase ? Math.floor(p) : p)
    },
    (count) => {
      const p = div(stepOfCount(count), steps)
      return mul(init, pow(rate, staircase ? floor(p) : p))
    },
  )
}

/**
 * Options of `stepDecay`.
 * @example
 * import { stepDecay } from 'nabla'
 * stepDecay({ init: 0.1, every: 30, factor: 0.1 })
 */
export interface StepDecayOptions {
  /** The learning rate at step 0 (> 0). */
  readonly init: number
  /** Steps between drops. */
  readonly every: number
  /** Multiplied in at each drop (default 0.1). */
  readonly factor?: number
}

/**
 * Step decay: init · factor^⌊step / every⌋ (the learning rate drops by `factor` every `every` steps).
 * @example
 * import { stepDecay } from 'nabla'
 * const s = stepDecay({ init: 0.1, every: 1000, factor: 0.5 })
 * s(999)  // 0.1
 * s(1000) // 0.05
 */
export const stepDecay = (options: StepDecayOptions): TensorSchedule =>
  exponentialDecay({
    init: options.init,
    rate: options.factor ?? 0.1,
    steps: positiveInteger('stepDecay', 'every', options.every),
    staircase: true,
  })

/**
 * Options of `cosineDecay`.
 * @example
 * import { cosineDecay } from 'nabla'
 * cosineDecay({ init: 1e-3, steps: 10_000, alpha: 0.01 })
 */
export interface CosineDecayOptions {
  /** The learning rate at step 0 (> 0). */
  readonly init: number
  /** Steps to decay over; afterwards the rate stays at its final value. */
  readonly steps: number
  /** The final rate as a fraction of `init` (default 0). */
  readonly alpha?: number
}

/**
 * Cosine decay (Loshchilov & Hutter): init · ((1 − α) · ½(1 + cos(π · min(step, steps) / steps)) + α).
 * @example
 * import { cosineDecay } from 'nabla'
 * const s = cosineDecay({ init: 1, steps: 100 })
 * s(0)   // 1
 * s(50)  // 0.5
 * s(100) // 0
 */
export const cosineDecay = (options: CosineDecayOptions): TensorSchedule => {
  const op = 'cosineDecay'
  const init = positiveNumber(op, 'init', options.init)
  const steps = positiveInteger(op, 'steps', options.steps)
  const alpha = numberInRange(op, 'alpha', options.alpha ?? 0, 0, 1, true)
  return withTensorForm(
    (step) => {
      const t = Math.min(stepOf(step), steps) / steps
      return init * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * t)) + alpha)
    },
    (count) => {
      const t = div(minimum(stepOfCount(count), steps), steps)
      return mul(init, add(mul((1 - alpha) * 0.5, add(1, cos(mul(Math.PI, t)))), alpha))
    },
  )
}

/**
 * Options of `warmup`.
 * @example
 * import { constantSchedule, warmup } from 'nabla'
 * warmup(constantSchedule(1e-3), { steps: 500, start: 1e-5 })
 */
export interface WarmupOptions {
  /** Steps of linear warm-up. */
  readonly steps: number
  /** The rate at step 0 (default 0). */
  readonly start?: number
}

/**
 * Linear warm-up in front of a schedule: from `start` at step 0 up to `schedule(0)` at step
 * `steps`, then `schedule(step − steps)`. It has a tensor form (`TensorSchedule`, so it compiles
 * under `jit`) when `schedule` has one.
 * @example
 * import { constantSchedule, warmup } from 'nabla'
 * const s = warmup(constantSchedule(0.1), { steps: 10 })
 * s(5)  // 0.05
 * s(10) // 0.1
 */
export function warmup(schedule: TensorSchedule, options: WarmupOptions): TensorSchedule
export function warmup(schedule: Schedule, options: WarmupOptions): Schedule
export function warmup(schedule: Schedule, options: WarmupOptions): Schedule {
  const op = 'warmup'
  if (typeof schedule !== 'function')
    throw new ArgumentError(op, `schedule must be a function of the step, got ${describe(schedule)}`)
  const steps = positiveInteger(op, 'steps', options.steps)
  const start = nonNegative(op, 'start', options.start ?? 0)
  const peak = schedule(0)
  const f: Schedule = (step) => {
    const s = stepOf(step)
    return s < steps ? start + ((peak - start) * s) / steps : schedule(s - steps)
  }
  if (!isTensorSchedule(schedule)) return f
  return withTensorForm(f, (count) => {
    const s = stepOfCount(count)
    return where(
      less(s, steps),
      add(start, div(mul(peak - start, s), steps)),
      schedule.ofCount(sub(s, steps)),
    )
  })
}

/**
 * Linear warm-up to `peak` over `warmupSteps`, then cosine decay over `decaySteps` down to
 * `alpha · peak`: the usual transformer schedule.
 * @example
 * import { warmupCosineDecay } from 'nabla'
 * const s = warmupCosineDecay({ peak: 1e-3, warmupSteps: 100, decaySteps: 1000 })
 * s(100) // 1e-3
 */
export const warmupCosineDecay = (options: {
  readonly peak: number
  readonly warmupSteps: number
  readonly decaySteps: number
  readonly alpha?: number
}): TensorSchedule =>
  warmup(
    cosineDecay({
      init: options.peak,
      steps: options.decaySteps,
      ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
    }),
    { steps: options.warmupSteps },
  )
