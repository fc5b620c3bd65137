/**
 * One training step: `trainStep(loss, optimizer)(params, state, batch)` computes the loss and its
 * gradient, asks the optimizer for updates and returns the new `{ params, state, loss }`; it
 * changes nothing it is given. `fit` (train/fit.ts) runs it over minibatches.
 *
 * @module train/step
 */

import { valueAndGrad } from '../../grad/index.js'
import { item } from '../../io/index.js'
import type { AnyTensor } from '../../tensor/index.js'
import type { Pytree } from '../../tree/index.js'
import { applyUpdates } from '../optim/transforms.js'
import type { GradientTransformation, OptimizerState, OptState, UntypedState } from '../optim/types.js'
import { type Targets, validateBatch } from '../validate.js'

/**
 * A minibatch: inputs and targets, rows along the first axis.
 * @example
 * import { type Batch, zeros } from 'nabla'
 * const batch: Batch = { x: zeros([32, 784]), y: zeros([32]) }
 */
export interface Batch<X extends AnyTensor = AnyTensor, Y extends AnyTensor = AnyTensor> {
  readonly x: X
  readonly y: Y
}

/**
 * A scalar loss of the parameters on a batch.
 * @example
 * import { type Batch, key, type LossFn, mlp, mse, type Tensor } from 'nabla'
 * const net = mlp([2, 8, 1])
 * const params = net.init(key(0))
 * type XorBatch = Batch<Tensor<[number, 2], 'float32'>, Tensor<[number, 1]>>
 * const loss: LossFn<typeof params, XorBatch> = (p, b) => mse(net.apply(p, b.x), b.y)
 */
export type LossFn<P, B> = (params: P, batch: B) => AnyTensor

/**
 * What a training step returns.
 * @example
 * import { adam, key, mlp, mse, tensor, trainStep } from 'nabla'
 * const net = mlp([2, 8, 1])
 * const params0 = net.init(key(0))
 * const batch = { x: tensor([[0, 1], [1, 0]]), y: tensor([[1], [1]]) }
 * const lossFn = (p: typeof params0, b: typeof batch) => mse(net.apply(p, b.x), b.y)
 * const optimizer = adam(1e-2)
 * const state0 = optimizer.init(params0)
 * const { params, state, loss } = trainStep(lossFn, optimizer)(params0, state0, batch)
 */
export interface StepResult<P, S = OptState> {
  readonly params: P
  /** The optimizer's next state (typed as the state passed in). */
  readonly state: S
  /** The loss at the parameters before the step. */
  readonly loss: number
}

/**
 * One optimisation step as a pure function: loss and gradient at `params`, the optimizer's
 * updates, and the updated parameters and state.
 * @example
 * import { adam, key, mlp, mse, tensor, trainStep } from 'nabla'
 * const net = mlp([2, 8, 1])
 * const params0 = net.init(key(0))
 * const x = tensor([[0, 1], [1, 0]])
 * const y = tensor([[1], [1]])
 * const optimizer = adam(1e-2)
 * const step = trainStep((p: typeof params0, b: { x: typeof x; y: typeof y }) => mse(net.apply(p, b.x), b.y), optimizer)
 * const { params, state, loss } = step(params0, optimizer.init(params0), { x, y })
 */
export const trainStep =
  <P extends Pytree, B, T = UntypedState>(
    loss: LossFn<P, B>,
    optimizer: GradientTransformation<T>,
    options?: StepOptions<P, B>,
  ) =>
  (params: P, state: OptimizerState<T, P>, batch: B): StepResult<P, OptimizerState<T, P>> => {
    if (options?.validate !== false) validateBatch('trainStep', batch, options?.targets)
    const result = uncheckedStep(loss, optimizer, params, state as OptState, batch, options?.lossAndGradient)
    return result as StepResult<P, OptimizerState<T, P>>
  }

/**
 * Options of `trainStep`.
 * @example
 * import { adam, key, mlp, softmaxCrossEntropy, tensor, trainStep } from 'nabla'
 * const net = mlp([2, 4, 3])
 * const params = net.init(key(0))
 * const batch = { x: tensor([[0, 1], [1, 0]]), y: tensor([2, 0]) }
 * const optimizer = adam(1e-2)
 * const lossFn = (p: typeof params, b: typeof batch) => softmaxCrossEntropy(net.apply(p, b.x), b.y)
 * const step = trainStep(lossFn, optimizer, { targets: { classes: 3 } })
 * step(params, optimizer.init(params), batch) // a label 3 would be an ArgumentError naming batch.y[i]
 */
export interface StepOptions<P = Pytree, B = unknown> {
  /** What the batch's `y` holds, checked before the step (default `'values'`: finite numbers). */
  readonly targets?: Targets
  /** Whether to check the batch (every tensor finite, `y` per `targets`) first (default true). */
  readonly validate?: boolean
  /** How the loss and gradient are computed (default `valueAndGrad`; `fit` passes a jitted one). */
  readonly lossAndGradient?: ((params: P, batch: B) => readonly [AnyTensor, P]) | undefined
}

/** `trainStep` without the batch check: what `fit` runs once the whole training set is checked. */
export const uncheckedStep = <P extends Pytree, B>(
  loss: LossFn<P, B>,
  optimizer: GradientTransformation<any>,
  params: P,
  state: OptState,
  batch: B,
  lossAndGradient?: ((params: P, batch: B) => readonly [AnyTensor, P]) | undefined,
): StepResult<P> => {
  const [value, grads] =
    lossAndGradient === undefined
      ? valueAndGrad((p: P) => loss(p, batch))(params)
      : lossAndGradient(params, batch)
  const { updates, state: next } = optimizer.update<P>(grads, state, params)
  return { params: applyUpdates(params, updates), state: next, loss: item(value) }
}
