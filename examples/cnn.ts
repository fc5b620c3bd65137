/**
 * A convolutional network on MNIST with the public API only: `loadMnist` (the seeded 8,000/2,000
 * split), `cnn` (two 5×5 convolutions of 16 and 32 channels, each with ReLU and 2×2 max pooling,
 * dense 128, 10 outputs), `adam`, `softmaxCrossEntropy`, `fit` and `accuracy`. The digits arrive
 * as rows of 784 pixels; the network reads them as `[1, 28, 28]` images. Each epoch prints its
 * mean training loss and the test accuracy.
 *
 * Run: `npx tsx examples/cnn.ts` (8,000 training digits, 3 epochs), or on a subset:
 * `npx tsx examples/cnn.ts --train-size 500 --epochs 1`. The tests run a small subset with a
 * narrower network.
 *
 * @module examples/cnn
 */
import { accuracy, adam, cnn, fit, item, key, reshape, softmaxCrossEntropy, type Tensor } from 'nabla'
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
  /** Adam's learning rate (default 1e-3). */
  readonly learningRate?: number
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
 * Loads MNIST, trains the CNN with Adam (1e-3), and prints the loss and test accuracy per epoch.
 * @example
 * main() // epoch 1: training loss 0.4…, test accuracy 9…%
 */
export const main = (options: CnnExampleOptions = {}, log: Log = console.log): CnnExampleResult => {
  const seed = options.seed ?? 0
  const data = loadMnist({ seed, trainSize: options.trainSize ?? 8000, testSize: options.testSize ?? 2000 })
  const net = cnn({ channels: options.channels ?? [16, 32], hidden: [options.hidden ?? 128] })
  const images = (rows: Tensor<[number, 784], 'float32'>) => reshape(rows, [rows.shape[0], 1, 28, 28])
  const logits = (p: ReturnType<typeof net.init>, rows: Tensor<[number, 784], 'float32'>) =>
    net.apply(p, images(rows))
  const params = net.init(key(seed + 1))
  const initialTrainLoss = item(softmaxCrossEntropy(logits(params, data.xTrain), data.yTrain))
  log(
    `MNIST: ${data.xTrain.shape[0]} training and ${data.xTest.shape[0]} test digits; ` +
      `CNN conv 5×5 ${net.config.channels} → dense ${options.hidden ?? 128} → 10, Adam`,
  )
  log(`before training: training loss ${initialTrainLoss.toFixed(4)}`)
  // biome-ignore lint/suspicious/noFocusedTests: `fit` is nabla's training loop, not a focused test
  const result = fit({
    params,
    optimizer: adam(options.learningRate ?? 1e-3),
    loss: (p, batch) => softmaxCrossEntropy(logits(p, batch.x), batch.y),
    train: { x: data.xTrain, y: data.yTrain },
    epochs: options.epochs ?? 3,
    batchSize: options.batchSize ?? 64,
    key: key(seed + 2),
    evaluate: (p) => ({ testAccuracy: accuracy(logits(p, data.xTest), data.yTest) }),
    onEpoch: (info) => {
      log(
        `epoch ${info.epoch}: training loss ${info.trainLoss.toFixed(4)}, test accuracy ${((info.metrics.testAccuracy ?? Number.NaN) * 100).toFixed(2)}% (${info.seconds.toFixed(1)} s)`,
      )
      return undefined
    },
  })
  const epochs = result.history.map((h) => ({
    epoch: h.epoch,
    trainLoss: h.trainLoss,
    testAccuracy: h.metrics.testAccuracy ?? Number.NaN,
  }))
  const testLogits = logits(result.params, data.xTest)
  return {
    epochs,
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
