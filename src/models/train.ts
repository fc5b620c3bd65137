/**
 * Training: a pure `trainStep` and the `fit` loop around it.
 *
 * `trainStep(loss, optimizer)(params, state, batch)` computes the loss and its gradient, asks the
 * optimizer for updates and returns the new `{ params, state, loss }`; it changes nothing it is
 * given. `fit` runs it over minibatches for some epochs:
 *
 * - **Shuffling is seeded.** Epoch `e` (from 0) visits the training rows in the batches
 *   `batches(n, batchSize, foldIn(key, e))`: a permutation cut into consecutive batches of
 *   `batchSize` (the last one may be smaller). So step `s` always sees the same rows, whatever
 *   happened before it.
 * - **Checkpoints resume exactly.** Every callback receives a `Checkpoint` — params, optimizer
 *   state, the number of steps done and the shuffling key (plus the current epoch's running loss).
 *   `fit({ …, resume: checkpoint })` continues from it and ends bit-identical to an uninterrupted
 *   run: the step fixes the epoch and the batch, the key fixes the order, and the state holds the
 *   rest.
 * - **Nothing non-finite is kept.** A loss that is NaN or ±Infinity, or an update that would make a
 *   parameter non-finite, stops training with a `NonFiniteLossError` carrying the step number and a
 *   checkpoint of the last parameters and state that were finite (the ones before that step).
 * - Callbacks (`onStep`, `onEpoch`) observe progress; returning `'stop'` ends training after that
 *   step, and `FitResult.stopped` says so.
 *
 * @module train
 */
import { flatten, type Pytree, valueAndGrad } from '../grad/index.js'
import { jit } from '../jit/index.js'
import {
  type AnyTensor,
  ArgumentError,
  formatShape,
  item,
  NonFiniteError,
  ShapeError,
} from '../tensor/index.js'
import { describe, storage } from '../tensor/internal.js'
import { batches as epochBatches } from './data/batches.js'
import { takeRows } from './data/dataset.js'
import { applyUpdates } from './optim/transforms.js'
import type { GradientTransformation, OptimizerState, OptState, UntypedState } from './optim/types.js'
import { foldIn, isKey, type Key, split } from './random/index.js'
import { checkFinite, checkTargets, type Targets, validateBatch } from './validate.js'

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

const uncheckedStep = <P extends Pytree, B>(
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
 * Options of `fit`.
 * @example
 * import { adam, fit, key, mlp, mse, tensor } from 'nabla'
 * const net = mlp([2, 8, 1])
 * const params = net.init(key(0))
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
 * const y = tensor([[0], [1], [1], [0]])
 * const loss = (p: typeof params, b: { x: typeof x; y: typeof y }) => mse(net.apply(p, b.x), b.y)
 * fit({ params, optimizer: adam(1e-3), loss, train: { x, y }, epochs: 5, batchSize: 2, key: key(0) })
 */
export interface FitOptions<P extends Pytree, X extends AnyTensor, Y extends AnyTensor> {
  /** The starting parameters (ignored with `resume`). */
  readonly params: P
  readonly optimizer: GradientTransformation
  readonly loss: LossFn<P, Batch<X, Y>>
  /** Training rows: `x` and `y` have the same first dimension. */
  readonly train: Batch<X, Y>
  /**
   * What `train.y` holds, checked once before step 1 with `train.x` (every value finite): `'values'`
   * (the default), `{ classes: C }`, `'one-hot'` or `'distribution'`. See `Targets`.
   */
  readonly targets?: Targets
  /** Positive integers. */
  readonly epochs: number
  readonly batchSize: number
  /** The shuffling key (ignored with `resume`, which carries its own). */
  readonly key: Key
  /** Optimizer state to start from (default `optimizer.init(params)`; ignored with `resume`). */
  readonly state?: OptState
  /** Continue a run from a checkpoint of it (same data, optimizer, batch size and loss). */
  readonly resume?: Checkpoint<P>
  /** Metrics of the parameters after each epoch (test accuracy, …). */
  readonly evaluate?: (params: P) => Readonly<Record<string, number>>
  readonly onStep?: (info: StepInfo<P>) => undefined | 'stop'
  readonly onEpoch?: (info: EpochInfo<P>) => undefined | 'stop'
  /**
   * Compile the loss and its gradient with `jit` (one trace per batch shape, then a compiled plan,
   * about twice as fast on the MNIST MLP). Default false, because the loss must then be a pure
   * tensor function of (params, batch): JavaScript that reads tensor values runs only when it is
   * traced — `softmaxCrossEntropy` with class-index labels reads them to pick the log
   * probabilities, so it would train every step on the first batch's labels; give it one-hot
   * targets instead. The optimizer update always runs eagerly (it reads its step count).
   */
  readonly jit?: boolean
  /**
   * Changes each training batch before its step (data augmentation, e.g. `randomShifts`), given a
   * key of its own: the key depends only on the shuffling key and the step, so a resumed run
   * augments exactly as an uninterrupted one. Runs outside `jit`, so it may draw fresh random
   * numbers every step. Evaluation never sees it.
   */
  readonly augment?: (batch: Batch<X, Y>, key: Key) => Batch<X, Y>
}

/** The root of the augmentation keys: apart from the shuffling keys `foldIn(key, epoch)`. */
const augmentKeyOf = (shuffleKey: Key): Key => split(shuffleKey)[1]

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

const positiveInteger = (name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ArgumentError('fit', `${name} must be a positive integer, got ${describe(value)}`)
  return value
}

/** The first leaf path holding a non-finite value, if any. */
const nonFiniteLeaf = (tree: Pytree): number | undefined => {
  const [leaves] = flatten(tree, 'fit', 'params')
  for (let i = 0; i < leaves.length; i++) {
    const data = storage(leaves[i]!)
    for (let j = 0; j < data.length; j++) if (!Number.isFinite(data[j]!)) return i
  }
  return undefined
}

/** Rows of `train` and the batch layout, checked. */
const layout = (train: Batch, batchSize: number): { rows: number; batches: number } => {
  if (
    train === null ||
    typeof train !== 'object' ||
    train.x?.shape === undefined ||
    train.y?.shape === undefined
  )
    throw new ArgumentError('fit', `train must be { x, y } of tensors, got ${describe(train)}`)
  const rows = train.x.shape[0]
  if (rows === undefined || train.y.shape[0] !== rows)
    throw new ShapeError(
      'fit',
      `train.x has shape ${formatShape(train.x.shape)} and train.y ${formatShape(train.y.shape)}; both need the same number of rows`,
    )
  if (rows === 0) throw new ArgumentError('fit', 'train holds no rows')
  return { rows, batches: Math.ceil(rows / batchSize) }
}

/**
 * Trains `params` with minibatch steps for `epochs` epochs (see the module header for shuffling,
 * checkpoints and non-finite losses). Pure apart from the callbacks: the same options give the same
 * parameters bit for bit.
 * @example
 * import { accuracy, adam, fit, key, mlp, softmaxCrossEntropy } from 'nabla'
 * import { loadMnist } from 'nabla/node'
 * const data = loadMnist({ seed: 0 })
 * const net = mlp([784, 128, 10])
 * const result = fit({
 *   params: net.init(key(1)),
 *   optimizer: adam(1e-3),
 *   loss: (p, b) => softmaxCrossEntropy(net.apply(p, b.x), b.y),
 *   train: { x: data.xTrain, y: data.yTrain },
 *   epochs: 5,
 *   batchSize: 64,
 *   key: key(0),
 *   evaluate: (p) => ({ accuracy: accuracy(net.apply(p, data.xTest), data.yTest) }),
 * })
 */
export const fit = <P extends Pytree, X extends AnyTensor, Y extends AnyTensor>(
  options: FitOptions<P, X, Y>,
): FitResult<P> => {
  const epochs = positiveInteger('epochs', options.epochs)
  const batchSize = positiveInteger('batchSize', options.batchSize)
  const { rows, batches } = layout(options.train as Batch, batchSize)
  checkFinite('fit', 'train.x', options.train.x)
  checkTargets('fit', 'train.y', options.train.y, options.targets ?? 'values')
  const resume = options.resume
  const shuffleKey = resume?.key ?? options.key
  if (!isKey(shuffleKey))
    throw new ArgumentError('fit', `key must be a PRNG key, got ${describe(shuffleKey)}`)
  let params = resume?.params ?? options.params
  // a key that is not plain own data (__proto__, …) or a leaf that is not a tensor, named as fit's
  flatten(params, 'fit', resume === undefined ? 'params' : 'resume.params')
  let state = resume?.state ?? options.state ?? options.optimizer.init(params)
  let step = resume?.step ?? 0
  if (!Number.isInteger(step) || step < 0)
    throw new ArgumentError('fit', `resume.step must be an integer ≥ 0, got ${describe(step)}`)
  let lossSum = resume?.epochLossSum ?? 0
  let examples = resume?.epochExamples ?? 0
  const total = epochs * batches
  const lossAndGradient =
    options.jit !== true
      ? undefined
      : jit((p: P, b: Batch<X, Y>) => valueAndGrad((q: P) => options.loss(q, b))(p))
  const update = (p: P, s: OptState, b: Batch<X, Y>) =>
    uncheckedStep(options.loss, options.optimizer, p, s, b, lossAndGradient)
  const history: EpochRecord[] = []
  const checkpoint = (): Checkpoint<P> => ({
    params,
    state,
    step,
    key: shuffleKey,
    epochLossSum: lossSum,
    epochExamples: examples,
  })
  let slices: readonly (readonly number[])[] = []
  let slicesEpoch = -1
  let epochStart = performance.now()
  let stopped = false
  while (step < total && !stopped) {
    const epoch = Math.floor(step / batches)
    const batch = step % batches
    if (slicesEpoch !== epoch) {
      slices = epochBatches(rows, batchSize, foldIn(shuffleKey, epoch))
      slicesEpoch = epoch
    }
    const indices = slices[batch]!
    const rowsOfBatch = {
      x: takeRows(options.train.x, indices),
      y: takeRows(options.train.y, indices),
    } as unknown as Batch<X, Y>
    const data =
      options.augment === undefined
        ? rowsOfBatch
        : options.augment(rowsOfBatch, foldIn(foldIn(augmentKeyOf(shuffleKey), epoch), batch))
    const result = update(params, state, data)
    const where = `step ${step + 1} (epoch ${epoch + 1}, batch ${batch + 1} of ${batches})`
    if (!Number.isFinite(result.loss))
      throw new NonFiniteLossError(
        `the loss is ${result.loss} at ${where}; the checkpoint keeps the parameters from before it`,
        step + 1,
        epoch + 1,
        result.loss,
        checkpoint(),
      )
    const bad = nonFiniteLeaf(result.params)
    if (bad !== undefined)
      throw new NonFiniteLossError(
        `the update at ${where} makes parameter leaf ${bad} non-finite (loss ${result.loss}); the checkpoint keeps the parameters from before it`,
        step + 1,
        epoch + 1,
        result.loss,
        checkpoint(),
      )
    params = result.params
    state = result.state
    step++
    lossSum += result.loss * indices.length
    examples += indices.length
    if (
      options.onStep?.({
        step,
        epoch: epoch + 1,
        batch,
        batchesPerEpoch: batches,
        examples: indices.length,
        loss: result.loss,
        checkpoint: checkpoint(),
      }) === 'stop'
    )
      stopped = true
    if (step % batches === 0) {
      const seconds = (performance.now() - epochStart) / 1000
      const record: EpochRecord = {
        epoch: epoch + 1,
        step,
        trainLoss: lossSum / examples,
        metrics: options.evaluate?.(params) ?? {},
        seconds,
      }
      history.push(record)
      lossSum = 0
      examples = 0
      epochStart = performance.now()
      if (options.onEpoch?.({ ...record, checkpoint: checkpoint(), history: [...history] }) === 'stop')
        stopped = true
    }
  }
  return { ...checkpoint(), history, stopped: stopped && step < total }
}
