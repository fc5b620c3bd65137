/**
 * The `fit` loop: `trainStep` over seeded minibatches for some epochs, with checkpoints that resume
 * exactly, non-finite losses stopped, and callbacks (see train/index.ts for the rules).
 *
 * @module train/fit
 */

import { valueAndGrad } from '../../grad/index.js'
import { jit } from '../../jit/index.js'
import { type AnyTensor, ArgumentError, formatShape, ShapeError } from '../../tensor/index.js'
import { describe } from '../../tensor/internal.js'
import type { Pytree } from '../../tree/index.js'
import { batches as epochBatches } from '../data/batches.js'
import { takeRows } from '../data/dataset.js'
import type { GradientTransformation, OptState } from '../optim/types.js'
import { foldIn, type Key, split } from '../random/index.js'
import { checkFinite, checkTargets, type Targets } from '../validate.js'
import { type CheckedStep, compiledStep, ownCopy } from './compiledStep.js'
import type { EpochInfo, EpochRecord, FitResult, StepInfo } from './history.js'
import { type Checkpoint, NonFiniteLossError, nonFiniteLeaf, startingPoint } from './resume.js'
import { type Batch, type LossFn, uncheckedStep } from './step.js'

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
export interface FitOptions<
  P extends Pytree,
  X extends AnyTensor,
  Y extends AnyTensor,
  B extends Batch<X, Y> = Batch<X, Y>,
> {
  /** The starting parameters (ignored with `resume`). */
  readonly params: P
  readonly optimizer: GradientTransformation
  /** The loss of a batch: the rows of `train`, or what `augment` made of them. */
  readonly loss: LossFn<P, B>
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
   * Compile each step with `jit` (one trace per batch shape, then a compiled plan): the whole step,
   * loss, gradient and optimizer update, as one plan. Default true. The loss must then be a tensor
   * function of (params, batch): a loss that reads tensor values in JavaScript (`item`, `toFlat`, a
   * metric) would have them frozen at the first batch, so `jit` refuses the read, and `fit` says so
   * with an `ArgumentError` at the first step; `false` runs every step eagerly. An optimizer with a
   * learning-rate schedule reads its step count, so with one only the loss and gradient compile and
   * the update runs eagerly. The compiled step updates the parameters and optimizer state in place
   * and checks finiteness inside its plan; the tensors `fit` is given and the ones it hands out
   * (checkpoints, `evaluate`'s argument, the result) are never changed or consumed.
   */
  readonly jit?: boolean
  /**
   * Changes each training batch before its step (data augmentation, e.g. `randomShifts`), given a
   * key of its own: the key depends only on the shuffling key and the step, so a resumed run
   * augments exactly as an uninterrupted one. Runs outside `jit`, so it may draw fresh random
   * numbers every step. Evaluation never sees it. It may add tensors of its own to the batch (a
   * training step's dropout masks, say), which the loss then reads; they are inputs of the jitted
   * step like `x` and `y`, so they change every step under `jit` too. A loss that needs such fields
   * does not compile without an `augment` that makes them (`AugmentFor`).
   */
  readonly augment?: (batch: Batch<X, Y>, key: Key) => B
}

/**
 * What `fit` requires of `augment` for a loss of batches `B`: nothing when the rows of `train`
 * (`Batch<X, Y>`) are such a batch, else an `augment` that makes them from the rows.
 * @example
 * import type { AnyTensor, AugmentFor, Batch, Key } from 'nabla'
 * type WithMasks = Batch<AnyTensor, AnyTensor> & { readonly masks: readonly AnyTensor[] }
 * type Needed = AugmentFor<AnyTensor, AnyTensor, WithMasks>
 * // { readonly augment: (batch: Batch<AnyTensor, AnyTensor>, key: Key) => WithMasks }
 */
export type AugmentFor<X extends AnyTensor, Y extends AnyTensor, B> =
  Batch<X, Y> extends B ? unknown : { readonly augment: (batch: Batch<X, Y>, key: Key) => B }

/** The root of the augmentation keys: apart from the shuffling keys `foldIn(key, epoch)`. */
const augmentKeyOf = (shuffleKey: Key): Key => split(shuffleKey)[1]

const positiveInteger = (name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ArgumentError('fit', `${name} must be a positive integer, got ${describe(value)}`)
  return value
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
export const fit = <
  P extends Pytree,
  X extends AnyTensor,
  Y extends AnyTensor,
  B extends Batch<X, Y> = Batch<X, Y>,
>(
  options: FitOptions<P, X, Y, B> & AugmentFor<X, Y, B>,
): FitResult<P> => {
  const epochs = positiveInteger('epochs', options.epochs)
  const batchSize = positiveInteger('batchSize', options.batchSize)
  const { rows, batches } = layout(options.train as Batch, batchSize)
  checkFinite('fit', 'train.x', options.train.x)
  checkTargets('fit', 'train.y', options.train.y, options.targets ?? 'values')
  const start = startingPoint(options)
  const shuffleKey = start.key
  let { params, state, step, epochLossSum: lossSum, epochExamples: examples } = start
  const total = epochs * batches
  const compiled =
    options.jit === false ? undefined : jit((p: P, b: B) => valueAndGrad((q: P) => options.loss(q, b))(p))
  const lossAndGradient =
    compiled === undefined
      ? undefined
      : (p: P, b: B) => {
          try {
            return compiled(p, b)
          } catch (error) {
            if (error instanceof ArgumentError && error.message.includes('inside jit'))
              throw new ArgumentError(
                'fit',
                `the loss reads tensor values in JavaScript, which fit's jit (on by default) would freeze at the first batch; compute it with tensor ops, or pass jit: false (${error.message})`,
              )
            throw error
          }
        }
  // the whole step (loss, gradient, optimizer update, finiteness checks) compiled as one plan that
  // updates the parameters and state in place (compiledStep.ts); null without jit, or once it could
  // not compile (a learning-rate schedule of the user's own reads the step count; a loss may read
  // values too): then the loss and gradient alone are compiled and the optimizer runs eagerly
  let wholeStep = options.jit === false ? null : compiledStep<P, B>(options.loss, options.optimizer)
  // whether params and state are fit's own trees, which the compiled step may consume (donate)
  let owned = false
  const update = (p: P, s: OptState, b: B): CheckedStep<P> => {
    if (wholeStep !== null) {
      if (!owned) [p, s, owned] = [ownCopy(p), ownCopy(s), true]
      const result = wholeStep(p, s, b)
      if (result !== undefined) return result
      wholeStep = null
    }
    const result = uncheckedStep(options.loss, options.optimizer, p, s, b, lossAndGradient)
    const failed = Number.isFinite(result.loss) ? nonFiniteLeaf(result.params) : 'loss'
    return failed === undefined ? { ...result, failed } : { params: p, state: s, loss: result.loss, failed }
  }
  // what fit hands out while the compiled step may still consume params and state: copies of them
  const handOut = (kept: { params: P; state: OptState }) =>
    wholeStep === null ? kept : { params: ownCopy(kept.params), state: ownCopy(kept.state) }
  const history: EpochRecord[] = []
  const checkpoint = (kept = { params, state }): Checkpoint<P> => ({
    ...kept,
    step,
    key: shuffleKey,
    epochLossSum: lossSum,
    epochExamples: examples,
  })
  // a step's checkpoint for onStep, copied only when read (the CLI's progress never reads it)
  const stepCheckpoint = (): (() => Checkpoint<P>) => {
    const at = checkpoint()
    let kept: Checkpoint<P> | undefined
    return () => {
      try {
        kept ??= { ...at, ...handOut(at) }
      } catch (error) {
        if (!(error instanceof ArgumentError)) throw error
        throw new ArgumentError(
          'fit',
          `the checkpoint of step ${at.step} was read after the next step updated its tensors in place; read StepInfo.checkpoint inside onStep (the checkpoint read there stays valid)`,
        )
      }
      return kept
    }
  }
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
    // without augment, B is Batch<X, Y> (AugmentFor)
    const data =
      options.augment === undefined
        ? (rowsOfBatch as B)
        : options.augment(rowsOfBatch, foldIn(foldIn(augmentKeyOf(shuffleKey), epoch), batch))
    const result = update(params, state, data)
    // after a failed step, result holds the parameters and state from before it
    params = result.params
    state = result.state
    const where = `step ${step + 1} (epoch ${epoch + 1}, batch ${batch + 1} of ${batches})`
    if (result.failed !== undefined)
      throw new NonFiniteLossError(
        result.failed === 'loss'
          ? `the loss is ${result.loss} at ${where}; the checkpoint keeps the parameters from before it`
          : `the update at ${where} makes parameter leaf ${result.failed} non-finite (loss ${result.loss}); the checkpoint keeps the parameters from before it`,
        step + 1,
        epoch + 1,
        result.loss,
        checkpoint(handOut({ params, state })),
      )
    step++
    lossSum += result.loss * indices.length
    examples += indices.length
    if (options.onStep !== undefined) {
      const kept = stepCheckpoint()
      const info: StepInfo<P> = {
        step,
        epoch: epoch + 1,
        batch,
        batchesPerEpoch: batches,
        examples: indices.length,
        loss: result.loss,
        get checkpoint() {
          return kept()
        },
      }
      if (options.onStep(info) === 'stop') stopped = true
    }
    if (step % batches === 0) {
      const seconds = (performance.now() - epochStart) / 1000
      const kept = handOut({ params, state })
      const record: EpochRecord = {
        epoch: epoch + 1,
        step,
        trainLoss: lossSum / examples,
        metrics: options.evaluate?.(kept.params) ?? {},
        seconds,
      }
      history.push(record)
      lossSum = 0
      examples = 0
      epochStart = performance.now()
      if (options.onEpoch?.({ ...record, checkpoint: checkpoint(kept), history: [...history] }) === 'stop')
        stopped = true
    }
  }
  // copies, so the compiled step's memory can be collected
  return { ...checkpoint(handOut({ params, state })), history, stopped: stopped && step < total }
}
