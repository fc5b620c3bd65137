/**
 * The optimizer interface, after optax: an optimizer is a pure pair `{ init, update }`. `init`
 * makes the optimizer state from the parameters; `update` turns gradients into updates and returns
 * the next state; `applyUpdates` adds the updates to the parameters. Nothing is mutated: the state
 * is a value (a pytree of tensors, so it can be saved beside the parameters and a run resumed from
 * it), and the same inputs always give the same outputs.
 *
 * @module optim/types
 */

import { type AnyTensor, ArgumentError, type Tensor } from '../../tensor/index.js'
import { describe } from '../../tensor/internal.js'
import type { Pytree } from '../../tree/index.js'

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
export interface UpdateResult<P, S = OptState> {
  readonly updates: P
  readonly state: S
}

declare const paramsSlot: unique symbol
/**
 * In a state template (the `T` of `GradientTransformation<T>`), the place of a tree shaped like
 * the parameters: Adam's template is `{ count: StepCount; mu: ParamsSlot; nu: ParamsSlot }`, and
 * `OptimizerState` puts the parameters' own type there.
 * @example
 * import type { OptimizerState, ParamsSlot, StepCount, Tensor } from 'nabla'
 * type S = OptimizerState<{ count: StepCount; trace: ParamsSlot }, { w: Tensor<[2]> }>
 * // { readonly count: StepCount; readonly trace: { readonly w: Tensor<[2]> } } (and the params brand)
 */
export interface ParamsSlot {
  readonly [paramsSlot]: 'params'
}

declare const untypedState: unique symbol
/**
 * The template of a transformation whose state is only known to be a pytree (`OptState`): the
 * default of `GradientTransformation`, for transformations written without a state type.
 * @example
 * import type { GradientTransformation, UntypedState } from 'nabla'
 * type Loose = GradientTransformation<UntypedState> // same as GradientTransformation
 */
export interface UntypedState {
  readonly [untypedState]: 'untyped'
}

/**
 * The step counter counting stages keep: a float64 scalar.
 * @example
 * import { scalar, type StepCount } from 'nabla'
 * const count: StepCount = scalar(0, { dtype: 'float64' })
 */
export type StepCount = Tensor<[], 'float64'>

declare const stateParams: unique symbol

/** The template `T` with every `ParamsSlot` replaced by `P`. */
type FillSlots<T, P> = T extends UntypedState
  ? OptState
  : T extends ParamsSlot
    ? P
    : T extends AnyTensor
      ? T
      : { readonly [K in keyof T]: FillSlots<T[K], P> }

/**
 * The state a transformation with state template `T` keeps for parameters of type `P`: the
 * template with the parameters' type in each `ParamsSlot`, branded with `P` (a type-only mark,
 * nothing at run time), so a state made for other parameters, or by another optimizer, is a
 * compile error at `update`.
 * @example
 * import { adam, type OptimizerState, tensor, type Tensor } from 'nabla'
 * const optimizer = adam(1e-3)
 * const params = { w: tensor([1, 2]) }
 * const state: OptimizerState<typeof optimizer, { w: Tensor<[2]> }> = optimizer.init(params)
 */
export type OptimizerState<T, P> =
  T extends GradientTransformation<infer Template>
    ? OptimizerState<Template, P>
    : FillSlots<T, P> & { readonly [stateParams]?: (params: P) => P }

/**
 * A gradient transformation (an optimizer, or one stage of one): pure `init` and `update`.
 * Updates are meant to be added to the parameters (`applyUpdates`), so descent updates are negative.
 * `T` is the template of its state (see `OptimizerState`): `update` accepts only the state `init`
 * made for the same parameters' type, and gradients of that type.
 * @example
 * import { type GradientTransformation, scaleByLearningRate, type StepCount } from 'nabla'
 * const halve: GradientTransformation<{ count: StepCount }> = scaleByLearningRate(0.5)
 */
export interface GradientTransformation<T = UntypedState> {
  /** The initial state for these parameters. */
  init<P extends Pytree>(params: P): OptimizerState<T, P>
  /**
   * Transforms `updates` (at first the gradients) given the state; `params` are needed by some
   * stages (weight decay) and ignored by the others.
   */
  update<P extends Pytree>(
    updates: NoInfer<P>,
    state: OptimizerState<T, P>,
    params?: NoInfer<P>,
  ): UpdateResult<P, OptimizerState<T, P>>
}

/**
 * The state template of a transformation (what `chain` puts in its array).
 * @example
 * import type { StateTemplateOf, sgd } from 'nabla'
 * type T = StateTemplateOf<ReturnType<typeof sgd>> // [{ count: StepCount }]
 */
export type StateTemplateOf<G> = G extends GradientTransformation<infer T> ? T : never

/**
 * A learning-rate schedule: the step count (0 for the first update) to a learning rate.
 * @example
 * import type { Schedule } from 'nabla'
 * const inverse: Schedule = (step) => 0.1 / (1 + step)
 */
export type Schedule = (step: number) => number

/**
 * A schedule that can also be computed from the step-count tensor with tensor ops (`ofCount`),
 * so that an optimizer update that uses it compiles under `jit`: the compiled step computes the
 * rate from the count itself instead of reading the count in JavaScript. Every schedule nabla
 * ships is one; a plain `Schedule` of your own still works, eagerly.
 * @example
 * import { cosineDecay, scalar, toFlat } from 'nabla'
 * const s = cosineDecay({ init: 1, steps: 100 })
 * s(50) // 0.5
 * toFlat(s.ofCount(scalar(50, { dtype: 'float64' }))) // [0.5]
 */
export interface TensorSchedule {
  (step: number): number
  /** The same schedule on the step count as a float64 scalar tensor. */
  readonly ofCount: (count: StepCount) => StepCount
}

/**
 * Whether a learning rate is a schedule with a tensor form (`TensorSchedule`).
 * @example
 * import { cosineDecay } from 'nabla'
 * import { isTensorSchedule } from './types.js'
 * isTensorSchedule(cosineDecay({ init: 1, steps: 10 })) // true
 * isTensorSchedule((step: number) => 1 / (1 + step))   // false
 */
export const isTensorSchedule = (value: unknown): value is TensorSchedule =>
  typeof value === 'function' && typeof (value as { ofCount?: unknown }).ofCount === 'function'

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
