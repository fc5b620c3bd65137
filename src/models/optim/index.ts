/**
 * Optimizers as pure `{ init, update }` pairs (the optax design): the optimizers, the stages they
 * are built from, `chain`, `clipByGlobalNorm`, `applyUpdates` and learning-rate schedules.
 *
 * @example
 * import { adam, applyUpdates, grad, square, sum, tensor } from 'nabla'
 * let params = { w: tensor([1, -2]) }
 * const loss = (p: typeof params) => sum(square(p.w))
 * const optimizer = adam(1e-3)
 * let state = optimizer.init(params)
 * const { updates, state: next } = optimizer.update(grad(loss)(params), state, params)
 * params = applyUpdates(params, updates)
 * state = next
 *
 * @module optim
 */
export * from './optimizers.js'
export * from './schedules.js'
export * from './transforms.js'
// the hyperparameter checks in types.ts (positiveNumber, numberInRange, learningRate) are internal
export type {
  GradientTransformation,
  LearningRate,
  OptimizerState,
  OptState,
  ParamsSlot,
  Schedule,
  StateTemplateOf,
  StepCount,
  TensorSchedule,
  UntypedState,
  UpdateResult,
} from './types.js'
