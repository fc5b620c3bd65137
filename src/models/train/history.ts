/**
 * What `fit` reports: one `EpochRecord` per finished epoch, the `StepInfo` and `EpochInfo` its
 * callbacks receive, and the `FitResult` it returns.
 *
 * @module train/history
 */
import type { Checkpoint } from './resume.js'

/**
 * One finished epoch.
 * @example
 * import { adam, fit, type FitOptions, item, key, mlp, mse, tensor } from 'nabla'
 * const net = mlp([2, 8, 1])
 * const params = net.init(key(0))
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
 * const y = tensor([[0], [1], [1], [0]])
 * const options: FitOptions<typeof params, typeof x, typeof y> = {
 *   params, optimizer: adam(1e-2), loss: (p, b) => mse(net.apply(p, b.x), b.y),
 *   train: { x, y }, epochs: 5, batchSize: 2, key: key(1),
 * }
 * const evaluate = (p: typeof params) => ({ fullLoss: item(mse(net.apply(p, x), y)) })
 * fit({ ...options, evaluate }).history.map((h) => h.metrics.fullLoss) // one per epoch
 */
export interface EpochRecord {
  /** 1 for the first epoch. */
  readonly epoch: number
  /** Steps completed at the end of the epoch. */
  readonly step: number
  /** Mean training loss over the epoch's examples (at the parameters each batch saw). */
  readonly trainLoss: number
  /** What `evaluate` returned after the epoch (empty without it). */
  readonly metrics: Readonly<Record<string, number>>
  /** Wall-clock seconds of the epoch's steps, evaluation excluded (for reporting only). */
  readonly seconds: number
}

/**
 * Passed to `onStep` after each step.
 * @example
 * import { adam, fit, type FitOptions, key, mlp, mse, tensor } from 'nabla'
 * const net = mlp([2, 8, 1])
 * const params = net.init(key(0))
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
 * const y = tensor([[0], [1], [1], [0]])
 * const options: FitOptions<typeof params, typeof x, typeof y> = {
 *   params, optimizer: adam(1e-2), loss: (p, b) => mse(net.apply(p, b.x), b.y),
 *   train: { x, y }, epochs: 5, batchSize: 2, key: key(1),
 * }
 * fit({ ...options, onStep: (info) => (info.loss < 0.01 ? 'stop' : undefined) })
 */
export interface StepInfo<P> {
  /** Steps completed (this step included). */
  readonly step: number
  /** 1-based epoch and 0-based batch within it. */
  readonly epoch: number
  readonly batch: number
  readonly batchesPerEpoch: number
  /** Rows in this batch. */
  readonly examples: number
  readonly loss: number
  /**
   * Where the run is after this step. Read it inside `onStep`: under `jit` the next step updates the
   * parameters and state in place, so the checkpoint is copied when first read (a callback that never
   * reads it costs nothing), and reading it only after a later step ran is an `ArgumentError`. The
   * checkpoint read inside `onStep` stays valid for good.
   */
  readonly checkpoint: Checkpoint<P>
}

/**
 * Passed to `onEpoch` after each epoch (and its evaluation).
 * @example
 * import { adam, fit, type FitOptions, key, mlp, mse, tensor } from 'nabla'
 * const net = mlp([2, 8, 1])
 * const params = net.init(key(0))
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
 * const y = tensor([[0], [1], [1], [0]])
 * const options: FitOptions<typeof params, typeof x, typeof y> = {
 *   params, optimizer: adam(1e-2), loss: (p, b) => mse(net.apply(p, b.x), b.y),
 *   train: { x, y }, epochs: 5, batchSize: 2, key: key(1),
 * }
 * fit({ ...options, onEpoch: (info) => { console.log(info.epoch, info.trainLoss); return undefined } })
 */
export interface EpochInfo<P> extends EpochRecord {
  readonly checkpoint: Checkpoint<P>
  readonly history: readonly EpochRecord[]
}

/**
 * What `fit` returns.
 * @example
 * import { adam, fit, type FitOptions, key, mlp, mse, tensor } from 'nabla'
 * const net = mlp([2, 8, 1])
 * const params0 = net.init(key(0))
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
 * const y = tensor([[0], [1], [1], [0]])
 * const options: FitOptions<typeof params0, typeof x, typeof y> = {
 *   params: params0, optimizer: adam(1e-2), loss: (p, b) => mse(net.apply(p, b.x), b.y),
 *   train: { x, y }, epochs: 5, batchSize: 2, key: key(1),
 * }
 * const { params, state, step, history, stopped } = fit(options) // step 10: 5 epochs of 2 batches
 */
export interface FitResult<P> extends Checkpoint<P> {
  /** The finished epochs (only those finished in this call when resuming). */
  readonly history: readonly EpochRecord[]
  /** Whether a callback stopped the run early. */
  readonly stopped: boolean
}
