/**
 * Where a run is and how it resumes: the `Checkpoint` every callback receives (parameters,
 * optimizer state, steps done, the shuffling key and the current epoch's running loss), the
 * starting point of `fit` read from a checkpoint or from the options, and the
 * `NonFiniteLossError` that stops a run while keeping the last finite checkpoint.
 *
 * @module train/resume
 */

import { ArgumentError, NonFiniteError } from '../../tensor/index.js'
import { describe, storage } from '../../tensor/internal.js'
import { flatten, type Pytree } from '../../tree/index.js'
import type { GradientTransformation, OptState } from '../optim/types.js'
import { isKey, type Key } from '../random/index.js'

/**
 * Where a run is, enough to resume it bit for bit.
 * @example
 * import { adam, type Checkpoint, fit, type FitOptions, key, mlp, mse, tensor } from 'nabla'
 * const net = mlp([2, 8, 1])
 * const params = net.init(key(0))
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
 * const y = tensor([[0], [1], [1], [0]])
 * const options: FitOptions<typeof params, typeof x, typeof y> = {
 *   params, optimizer: adam(1e-2), loss: (p, b) => mse(net.apply(p, b.x), b.y),
 *   train: { x, y }, epochs: 5, batchSize: 2, key: key(1),
 * }
 * const checkpoints: Checkpoint<typeof params>[] = []
 * fit({ ...options, onEpoch: (info) => { checkpoints.push(info.checkpoint); return undefined } })
 * const last = checkpoints[2] // after epoch 3
 * if (last !== undefined) fit({ ...options, resume: last }) // ends as the first run did
 */
export interface Checkpoint<P> {
  readonly params: P
  readonly state: OptState
  /** Steps completed. */
  readonly step: number
  /** The shuffling key the run was started with. */
  readonly key: Key
  /** The current epoch's loss so far: Σ batch loss × batch rows, and the rows (for its mean). */
  readonly epochLossSum?: number
  readonly epochExamples?: number
}

/**
 * Training stopped at a non-finite loss (or an update that would make a parameter non-finite).
 * `step` is the 1-based number of the failing step; `checkpoint` holds the last finite parameters
 * and state (after `step − 1` steps), from which a run can resume with, say, a smaller rate.
 * @example
 * import { adam, fit, type FitOptions, key, mlp, mse, NonFiniteLossError, tensor } from 'nabla'
 * import { saveParams } from 'nabla/node'
 * const net = mlp([2, 8, 1])
 * const params = net.init(key(0))
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
 * const y = tensor([[0], [1], [1], [0]])
 * const options: FitOptions<typeof params, typeof x, typeof y> = {
 *   params, optimizer: adam(1e-2), loss: (p, b) => mse(net.apply(p, b.x), b.y),
 *   train: { x, y }, epochs: 5, batchSize: 2, key: key(1),
 * }
 * try {
 *   fit(options)
 * } catch (e) {
 *   if (e instanceof NonFiniteLossError) saveParams('last-finite.json', e.checkpoint.params as typeof params)
 * }
 */
export class NonFiniteLossError<P = unknown> extends NonFiniteError {
  readonly step: number
  readonly epoch: number
  readonly loss: number
  readonly checkpoint: Checkpoint<P>
  constructor(message: string, step: number, epoch: number, loss: number, checkpoint: Checkpoint<P>) {
    super('fit', message)
    this.step = step
    this.epoch = epoch
    this.loss = loss
    this.checkpoint = checkpoint
  }
}

/** The first leaf path holding a non-finite value, if any. */
export const nonFiniteLeaf = (tree: Pytree): number | undefined => {
  const [leaves] = flatten(tree, 'fit', 'params')
  for (let i = 0; i < leaves.length; i++) {
    const data = storage(leaves[i]!)
    for (let j = 0; j < data.length; j++) if (!Number.isFinite(data[j]!)) return i
  }
  return undefined
}

/**
 * Where `fit` starts: from `resume` when given (its parameters, state, steps, key and running
 * epoch loss), else from the options (`state` defaulting to `optimizer.init(params)`). The key,
 * the parameter tree and the step count are checked, named as `fit`'s.
 */
export const startingPoint = <P extends Pytree>(options: {
  readonly params: P
  readonly optimizer: GradientTransformation
  readonly key: Key
  readonly state?: OptState
  readonly resume?: Checkpoint<P>
}): Required<Checkpoint<P>> => {
  const resume = options.resume
  const shuffleKey = resume?.key ?? options.key
  if (!isKey(shuffleKey))
    throw new ArgumentError('fit', `key must be a PRNG key, got ${describe(shuffleKey)}`)
  const params = resume?.params ?? options.params
  // a key that is not plain own data (__proto__, …) or a leaf that is not a tensor, named as fit's
  flatten(params, 'fit', resume === undefined ? 'params' : 'resume.params')
  const state = resume?.state ?? options.state ?? options.optimizer.init(params)
  const step = resume?.step ?? 0
  if (!Number.isInteger(step) || step < 0)
    throw new ArgumentError('fit', `resume.step must be an integer ≥ 0, got ${describe(step)}`)
  return {
    params,
    state,
    step,
    key: shuffleKey,
    epochLossSum: resume?.epochLossSum ?? 0,
    epochExamples: resume?.epochExamples ?? 0,
  }
}
