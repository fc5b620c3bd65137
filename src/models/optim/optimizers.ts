/**
 * The optimizers users reach for, each a `chain` of stages from `transforms.ts`:
 *
 * - `sgd(η)`: p ← p − η·g
 * - `momentum(η, { beta, nesterov })`: t ← g + β·t; p ← p − η·t (Nesterov: p ← p − η·(g + β·t))
 * - `adam(η, { b1, b2, eps })`: p ← p − η·m̂/(√v̂ + ε)
 * - `adamw(η, { weightDecay, mask, … })`: p ← p − η·(m̂/(√v̂ + ε) + λ·p)
 *
 * η is a finite number > 0 or a schedule (`cosineDecay({ … })`); anything else is an
 * `ArgumentError`, raised when the optimizer is made.
 *
 * @module optim/optimizers
 */
import type { AnyTensor } from '../../tensor/index.js'
import {
  type AdamOptions,
  addDecayedWeights,
  chain,
  type MomentumOptions,
  scaleByAdam,
  scaleByLearningRate,
  traceMomentum,
} from './transforms.js'
import type { LearningRate } from './types.js'

/**
 * Plain stochastic gradient descent: p ← p − η·g.
 * @example
 * import { applyUpdates, sgd, tensor } from 'nabla'
 * let params = { w: tensor([1, 2]) }
 * const grads = { w: tensor([0.5, -1]) }
 * const optimizer = sgd(0.1)
 * let state = optimizer.init(params)
 * const { updates, state: next } = optimizer.update(grads, state)
 * params = applyUpdates(params, updates) // w [0.95, 2.1]
 * state = next
 */
export const sgd = (rate: LearningRate) => chain(scaleByLearningRate(rate, 'sgd'))

/**
 * SGD with (optionally Nesterov) momentum.
 * @example
 * import { momentum } from 'nabla'
 * const optimizer = momentum(0.01, { beta: 0.9, nesterov: true })
 */
export const momentum = (rate: LearningRate, options?: MomentumOptions) =>
  chain(traceMomentum(options, 'momentum'), scaleByLearningRate(rate, 'momentum'))

/**
 * Adam (Kingma & Ba, 2015), with optax's and PyTorch's ε outside the square root.
 * @example
 * import { adam } from 'nabla'
 * const optimizer = adam(1e-3)
 */
export const adam = (rate: LearningRate, options?: AdamOptions) =>
  chain(scaleByAdam(options, 'adam'), scaleByLearningRate(rate, 'adam'))

/**
 * Options of `adamw`.
 * @example
 * import { adamw, isBiasPath } from 'nabla'
 * adamw(1e-3, { weightDecay: 0.01, mask: (path) => !isBiasPath(path) })
 */
export interface AdamWOptions extends AdamOptions {
  /** λ, the decoupled weight decay (default 1e-4, as optax; ≥ 0). */
  readonly weightDecay?: number
  /** Which parameters decay (default all; `(path) => !isBiasPath(path)` spares the biases). */
  readonly mask?: (path: string, leaf: AnyTensor) => boolean
}

/**
 * AdamW (Loshchilov & Hutter): Adam with weight decay decoupled from the gradient, scaled by the
 * learning rate as in optax and PyTorch. `update` needs the params.
 * @example
 * import { adamw, isBiasPath, tensor } from 'nabla'
 * const params = { w: tensor([1, 2]), b: tensor([0]) }
 * const grads = { w: tensor([0.5, -1]), b: tensor([0.1]) }
 * const optimizer = adamw(1e-3, { weightDecay: 1e-2, mask: (path) => !isBiasPath(path) })
 * const { updates, state } = optimizer.update(grads, optimizer.init(params), params)
 */
export const adamw = (rate: LearningRate, options?: AdamWOptions) =>
  chain(
    scaleByAdam(options, 'adamw'),
    addDecayedWeights(
      options?.weightDecay ?? 1e-4,
      options?.mask === undefined ? {} : { mask: options.mask },
      'adamw',
    ),
    scaleByLearningRate(rate, 'adamw'),
  )
