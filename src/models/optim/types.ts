/**
 * The optimizer interface, after optax: an optimizer is a pure pair `{ init, update }`. `init`
 * makes the optimizer state from the parameters; `update` turns gradients into updates and returns
 * the next state; `applyUpdates` adds the updates to the parameters. Nothing is mutated: the state
 * is a value (a pytree of tensors, so it can be saved beside the parameters and a run resumed from
 * it), and the same inputs always give the same outputs.
 *
 * @module optim/types
 */
import type { Pytree } from '../../grad/index.js'
import { ArgumentError } from '../../tensor/index.js'
import { describe } from '../../tensor/internal.js'

/**
 * Optimizer state: a pytree of tensors (step counts are float64 scalars).
 * @example
 * import { adam, type OptState, tensor } from 'nabla'
 * const params = { w: tensor([1, 2]) }
 * const state: OptState = adam(1e-3).init(params) // [{ count, mu, nu }, { count }]
 */
export type OptState = Pytree

/**
 * What `update` returns: the updates (same structure as the gradients) and the next state.
 * @example
 * import { sgd, tensor } from 'nabla'
 * const params = { w: tensor([1, 2]) }
 * const grads = { w: tensor([0.5, -1]) }
 * const { updates, state } = sgd(0.1).update(grads, sgd(0.1).init(params)) // updates.w [-0.05, 0.1]
 */
export interface UpdateResult<P> {
  readonly updates: P
  readonly state: OptState
}

/**
 * A gradient transformation (an optimizer, or one stage of one): pure `init` and `update`.
 * Updates are meant to be added to the parameters (`applyUpdates`), so descent updates are negative.
 * @example
 * import { type GradientTransformation, scaleByLearningRate } from 'nabla'
 * const halve: GradientTransformation = scaleByLearningRate(0.5)
 */
export interface GradientTransformation {
  /** The initial state for these parameters. */
  readonly init: (params: Pytree) => OptState
  /**
   * Transforms `updates` (at first the gradients) given the state; `params` are needed by some
   * stages (weight decay) and ignored by the others.
   */
  readonly update: <P extends Pytree>(updates: P, state: OptState, params?: P) => UpdateResult<P>
}

/**
 * A learning-rate schedule: the step count (0 for the first update) to a learning rate.
 * @example
 * import type { Schedule } from 'nabla'
 * const inverse: Schedule = (step) => 0.1 / (1 + step)
 */
export type Schedule = (step: number) => number

/**
 * A fixed learning rate or a schedule.
 * @example
 * import { adam, cosineDecay } from 'nabla'
 * adam(1e-3)
 * adam(cosineDecay({ init: 1e-3, steps: 1000 }))
 */
export type LearningRate = number | Schedule

/**
 * Checks a constant hyperparameter that must be a finite number > 0 (a learning rate, a norm).
 * @example
 * import { positiveNumber } from './types.js'
 * positiveNumber('sgd', 'learningRate', 0.1) // 0.1
 * positiveNumber('sgd', 'learningRate', NaN)  // throws ArgumentError
 */
export const positiveNumber = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new ArgumentError(op, `${name} must be a finite number > 0, got ${describe(value)}`)
  return value
}

/**
 * Checks a hyperparameter in [lo, hi) (a decay rate β), or [lo, hi] when `closed`.
 * @example
 * import { numberInRange } from './types.js'
 * numberInRange('adam', 'b1', 0.9, 0, 1) // 0.9
 */
export const numberInRange = (
  op: string,
  name: string,
  value: unknown,
  lo: number,
  hi: number,
  closed = false,
): number => {
  if (typeof value !== 'number' || !(value >= lo && (closed ? value <= hi : value < hi)))
    throw new ArgumentError(
      op,
      `${name} must be a number in [${lo}, ${hi}${closed ? ']' : ')'}, got ${describe(value)}`,
    )
  return value
}

/**
 * Checks a learning rate: a finite number > 0 or a function (a schedule, whose values are checked
 * at each step).
 * @example
 * import { learningRate } from './types.js'
 * learningRate('adam', 1e-3) // 1e-3
 */
export const learningRate = (op: string, value: unknown): LearningRate => {
  if (typeof value === 'function') return value as Schedule
  return positiveNumber(op, 'learningRate', value)
}
