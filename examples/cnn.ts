/**
 * A convolutional network on MNIST with the public API only, trained with the recipe of
 * `nabla train --model cnn` (98.40 % test accuracy after 12 epochs; this script 98.45 %): `loadMnist` (the seeded
 * 8,000/2,000 split), `cnn` (two 5×5 convolutions of 16 and 32 channels, each with ReLU and 2×2
 * max pooling, dense 128 with dropout 0.5, 10 outputs), each training batch moved by up to one
 * pixel (`randomShifts`), Adam with a cosine-decayed learning rate from 2e-3 (`cosineDecay`),
 * `softmaxCrossEntropy`, `fit` and `accuracy`. The digits arrive as rows of 784 pixels; the
 * network reads them as `[1, 28, 28]` images. `fit`'s `augment` makes each step's batch: shifted
 * rows plus the step's dropout masks, which the loss reads. Each epoch prints its mean training
 * loss and the test accuracy.
 *
 * Run: `npx tsx examples/cnn.ts` (8,000 training digits, 3 epochs; `--epochs 12` for the full
 * recipe), or on a subset: `npx tsx examples/cnn.ts --train-size 500 --epochs 1`. The tests run a
 * small subset with a narrower network.
 *
 * @module examples/cnn
 */
import {
  accuracy,
  adam,
  cnn,
  concat,
  cosineDecay,
  fit,
  item,
  type Key,
  key,
  randomShifts,
  reshape,
  slice,
  softmaxCrossEntropy,
  split,
  type Tensor,
} from 'nabla'
import { loadMnist } from 'nabla/node'
import { isMain, type Log, positiveIntegerFlags } from './support.js'

/**
 * Options of the example.
 * @example
 * main({ trainSize: 500, testSize: 300, epochs: 1, channels: [4, 8], hidden: 32 })
 */
export interface CnnExampleOptions {
  /** Training digits (default 8,000). */
  readonly trainSize?: number
  /** Test digits (default 2,000). */
  readonly testSize?: number
  /** Default 3. */
  readonly epochs?: number
  /** Channels of the two convolutions (default [16, 32]). */
  readonly channels?: readonly number[]
  /** Hidden units of the dense layer (default 128). */
  readonly hidden?: number
  /** Default 64. */
  readonly batchSize?: number
  /** Adam's learning rate at the start, decayed to 0 along a cosine (default 2e-3). */
  readonly learningRate?: number
  /** Dropout after the dense hidden layer in training (default 0.5). */
  readonly dropout?: number
  /** Largest random shift of a training image, in pixels (default 1; 0 for none). */
  readonly maxShift?: number
  /** Seed of the split, the initial weights and the shuffling (default 0). */
  readonly seed?: number
}

/**
 * What training produced: one record per epoch, the final test accuracy and the test logits.
 * @example
 * const { testAccuracy } = main({ trainSize: 500, epochs: 1 })
 */
export interface CnnExampleResult {
  readonly epochs: readonly {
    readonly epoch: number
    readonly trainLoss: number
    readonly testAccuracy: number
  }[]
  readonly testAccuracy: number
  readonly testLogits: Tensor
  readonly testLabels: Tensor
  /** The loss on the training set before training, for comparison. */
  readonly initialTrainLoss: number
}

/**
 * Loads MNIST, trains the CNN with the recipe above, and prints the loss and test accuracy per epoch.
 * @example
 * main() // epoch 1: training loss 0.4…, test accuracy 9…%
 */
export const main = (options: CnnExampleOptions = {}, log: Log = console.log): CnnExampleResult => {
  const seed = options.seed ?? 0
  const data = loadMnist({ seed, trainSize: options.trainSize ?? 8000, testSize: options.testSize ?? 2000 })
  const hidden = options.hidden ?? 128
  const net = cnn({
    channels: options.channels ?? [16, 32],
    hidden: [hidden],
    dropout: options.dropout ?? 0.5,
  })
  const images = (rows: Tensor<[number, 784], 'float32'>) => reshape(rows, [rows.shape[0], 1, 28, 28])
  // the logits of many rows, 500 at a time: one pass over 8,000 images would hold patch matrices of
  // hundreds of megabytes at once
  const logits = (p: ReturnType<typeof net.init>, rows: Tensor<[number, 784], 'float32'>) => {
    const starts = Array.from({ length: Math.ceil(rows.shape[0] / 500) }, (_, i) => i * 500)
    const parts = starts.map((start) =>
      net.apply(p, images(slice(rows, [start, 0], [Math.min(start + 500, rows.shape[0]), 784]))),
    )
    return concat(parts, 0)
  }
  const params = net.init(key(seed + 1))
  const initialTrainLoss = item(softmaxCrossEntropy(logits(params, data.xTrain), data.yTrain))
  const epochs = options.epochs ?? 3
  const batchSize = options.batchSize ?? 64
  const maxShift = options.maxShift ?? 1
  const learningRate = options.learningRate ?? 2e-3
  log(
    `MNIST: ${data.xTrain.shape[0]} training and ${data.xTest.shape[0]} test digits; ` +
      `CNN conv 5×5 ${net.config.channels} → dense ${hidden} (dropout ${net.config.dropout}) → 10; ` +
      `shifts of up to ${maxShift} px; Adam ${learningRate} cosine-decayed`,
  )
  log(`before training: training loss ${initialTrainLoss.toFixed(4)}`)
  // a training step's batch: its rows moved by up to maxShift pixels, and the step's dropout masks
  const augment = (rows: { x: Tensor<[number, 784], 'float32'>; y: Tensor<[number], 'float32'> }, k: Key) => {
    const [shiftKey, dropKey] = split(k)
    const x = maxShift === 0 ? rows.x : randomShifts(shiftKey, rows.x, { imageShape: [1, 28, 28], maxShift })
    return { x, y: rows.y, masks: net.dropoutMasks(dropKey, x.shape[0]) }
  }
  // biome-ignore lint/suspicious/noFocusedTests: `fit` is nabla's training loop, not a focused test
  const result = fit({
    params,
    optimizer: adam(
      cosineDecay({ init: learningRate, steps: epochs * Math.ceil(data.xTrain.shape[0] / batchSize) }),
    ),
    train: { x: data.xTrain, y: data.yTrain },
    augment,
    loss: (p, batch) => softmaxCrossEntropy(net.applyTraining(p, images(batch.x), batch.masks), batch.y),
    epochs,
    batchSize,
    key: key(seed + 2),
    evaluate: (p) => ({ testAccuracy: accuracy(logits(p, data.xTest), data.yTest) }),
    onEpoch: (info) => {
      log(
        `epoch ${info.epoch}: training loss ${info.trainLoss.toFixed(4)}, test accuracy ${((info.metrics.testAccuracy ?? Number.NaN) * 100).toFixed(2)}% (${info.seconds.toFixed(1)} s)`,
      )
      return undefined
    },
  })
  const history = result.history.map((h) => ({
    epoch: h.epoch,
    trainLoss: h.trainLoss,
    testAccuracy: h.metrics.testAccuracy ?? Number.NaN,
  }))
  const testLogits = logits(result.params, data.xTest)
  return {
    epochs: history,
    testAccuracy: accuracy(testLogits, data.yTest),
    testLogits,
    testLabels: data.yTest,
    initialTrainLoss,
  }
}

/**
 * Reads `--train-size N`, `--test-size N` and `--epochs N` from the command line.
 * @example
 * optionsFromArgs(['--train-size', '500', '--epochs', '1']) // { trainSize: 500, epochs: 1 }
 */
export const optionsFromArgs = (args: readonly string[]): CnnExampleOptions => {
  return positiveIntegerFlags(
    args,
    new Map([
      ['--train-size', 'trainSize'],
      ['--test-size', 'testSize'],
      ['--epochs', 'epochs'],
    ]),
    'usage: npx tsx examples/cnn.ts [--train-size N] [--test-size N] [--epochs N]',
  )
}

if (isMain(import.meta.url)) main(optionsFromArgs(process.argv.slice(2)))
