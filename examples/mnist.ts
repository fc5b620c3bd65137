/**
 * Training an MLP on MNIST with the public API only: `loadMnist` (a seeded, stratified split of the
 * 10,000 digits of the `mnist` package), `mlp`, `adam`, `softmaxCrossEntropy`, `fit` and
 * `accuracy`. Each epoch prints its mean training loss and the test accuracy.
 *
 * Run: `npx tsx examples/mnist.ts` (8,000 training digits, 3 epochs, 784-128-10: about ten seconds
 * on two cores), or on a subset: `npx tsx examples/mnist.ts --train-size 500 --epochs 1`. The tests
 * run `main({ trainSize: 500, testSize: 300, epochs: 2 })`.
 *
 * @module examples/mnist
 */
import { accuracy, adam, fit, item, key, mlp, softmaxCrossEntropy, type Tensor } from 'nabla'
import { loadMnist } from 'nabla/node'
import { isMain, type Log, positiveIntegerFlags } from './support.js'

/**
 * Options of the example.
 * @example
 * main({ trainSize: 500, testSize: 300, epochs: 2 })
 */
export interface MnistExampleOptions {
  /** Training digits (default 8,000). */
  readonly trainSize?: number
  /** Test digits (default 2,000). */
  readonly testSize?: number
  /** Default 3. */
  readonly epochs?: number
  /** Hidden units (default 128). */
  readonly hidden?: number
  /** Default 64. */
  readonly batchSize?: number
  /** Adam's learning rate (default 1e-3). */
  readonly learningRate?: number
  /** Seed of the split, the initial weights and the shuffling (default 0). */
  readonly seed?: number
}

/**
 * What training produced: one record per epoch, and the final test accuracy.
 * @example
 * const { epochs, testAccuracy } = main({ trainSize: 500, epochs: 1 })
 */
export interface MnistExampleResult {
  readonly epochs: readonly {
    readonly epoch: number
    readonly trainLoss: number
    readonly testAccuracy: number
  }[]
  readonly testAccuracy: number
  /** The trained network's logits on the test set, and the test labels (for checking). */
  readonly testLogits: Tensor
  readonly testLabels: Tensor
  /** The loss on the whole training set before training, for comparison. */
  readonly initialTrainLoss: number
}

/**
 * Loads MNIST, trains a 784-hidden-10 ReLU network with Adam, and prints the loss and the test
 * accuracy after each epoch.
 * @example
 * main() // epoch 1: loss 0.5…, test accuracy 0.9…
 */
export const main = (options: MnistExampleOptions = {}, log: Log = console.log): MnistExampleResult => {
  const seed = options.seed ?? 0
  const data = loadMnist({ seed, trainSize: options.trainSize ?? 8000, testSize: options.testSize ?? 2000 })
  const net = mlp([784, options.hidden ?? 128, 10])
  const params = net.init(key(seed + 1))
  const initialTrainLoss = item(softmaxCrossEntropy(net.apply(params, data.xTrain), data.yTrain))
  log(
    `MNIST: ${data.xTrain.shape[0]} training and ${data.xTest.shape[0]} test digits; MLP 784-${options.hidden ?? 128}-10, Adam`,
  )
  log(`before training: training loss ${initialTrainLoss.toFixed(4)}`)
  // biome-ignore lint/suspicious/noFocusedTests: `fit` is nabla's training loop, not a focused test
  const result = fit({
    params,
    optimizer: adam(options.learningRate ?? 1e-3),
    loss: (p, batch) => softmaxCrossEntropy(net.apply(p, batch.x), batch.y),
    train: { x: data.xTrain, y: data.yTrain },
    epochs: options.epochs ?? 3,
    batchSize: options.batchSize ?? 64,
    key: key(seed + 2),
    evaluate: (p) => ({ testAccuracy: accuracy(net.apply(p, data.xTest), data.yTest) }),
    onEpoch: (info) => {
      log(
        `epoch ${info.epoch}: training loss ${info.trainLoss.toFixed(4)}, test accuracy ${((info.metrics.testAccuracy ?? Number.NaN) * 100).toFixed(2)}%`,
      )
      return undefined
    },
  })
  const epochs = result.history.map((h) => ({
    epoch: h.epoch,
    trainLoss: h.trainLoss,
    testAccuracy: h.metrics.testAccuracy ?? Number.NaN,
  }))
  const testLogits = net.apply(result.params, data.xTest)
  return {
    epochs,
    testAccuracy: accuracy(testLogits, data.yTest),
    testLogits,
    testLabels: data.yTest,
    initialTrainLoss,
  }
}

/**
 * Reads `--train-size N`, `--test-size N`, `--epochs N` and `--hidden N` from the command line.
 * @example
 * optionsFromArgs(['--train-size', '500', '--epochs', '1']) // { trainSize: 500, epochs: 1 }
 */
export const optionsFromArgs = (args: readonly string[]): MnistExampleOptions => {
  return positiveIntegerFlags(
    args,
    new Map([
      ['--train-size', 'trainSize'],
      ['--test-size', 'testSize'],
      ['--epochs', 'epochs'],
      ['--hidden', 'hidden'],
    ]),
    `usage: npx tsx examples/mnist.ts [--train-size N] [--test-size N] [--epochs N] [--hidden N]`,
  )
}

if (isMain(import.meta.url)) main(optionsFromArgs(process.argv.slice(2)))
