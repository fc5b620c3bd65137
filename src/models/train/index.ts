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
 * The parts: train/step.ts (`trainStep`), train/fit.ts (the loop), train/compiledStep.ts (the
 * jitted step `fit` runs: parameters and state updated in place, finiteness checked in the plan),
 * train/resume.ts (checkpoints, the starting point, `NonFiniteLossError`), train/history.ts (epoch
 * records and callback infos).
 *
 * @module train
 */
export { type AugmentFor, type FitOptions, fit } from './fit.js'
export type { EpochInfo, EpochRecord, FitResult, StepInfo } from './history.js'
export { type Checkpoint, NonFiniteLossError } from './resume.js'
export { type Batch, type LossFn, type StepOptions, type StepResult, trainStep } from './step.js'
