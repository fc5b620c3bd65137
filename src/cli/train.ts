/**
 * `nabla train`: trains a classifier (`--model mlp`, the default, `--model cnn`, or any stack of
 * registered layers from `--model-config FILE`) on a dataset and writes the run to `--out`:
 * `params.json` (parameters plus the run description, with the dataset's standardisation),
 * `metrics.json` (settings, per-epoch history, final test accuracy and confusion matrix, timings)
 * and `curves.svg` (loss and accuracy per epoch; optional: without the plotting packages, or with
 * `--no-plot`, the run is written without it). The folder is written as one unit (runFolder.ts).
 *
 * @module cli/train
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { item } from '../io/index.js'
import { randomShifts } from '../models/data/augment.js'
import { MissingDependencyError } from '../models/data/index.js'
import { softmaxCrossEntropy } from '../models/losses.js'
import { accuracy, confusionMatrix } from '../models/metrics.js'
import { adam, cosineDecay, type LearningRate, momentum, sgd } from '../models/optim/index.js'
import { renderCurves } from '../models/plot.js'
import { foldIn, type Key, key, split } from '../models/random/index.js'
import { fit as fitModel } from '../models/train/index.js'
import { type AnyTensor, oneHot, type Tensor } from '../tensor/index.js'
import { UsageError } from './args.js'
import { loadDataset } from './datasets.js'
import {
  type Classifier,
  classifierFor,
  classifierFromConfig,
  logitsInChunks,
  type Params,
  saveRun,
} from './model.js'
import { createProgress } from './progress.js'
import { checkOut, lockRun, writeRunFolder } from './runFolder.js'
import { type TrainSettings, trainHelp, trainSettings } from './trainSettings.js'

/**
 * The help text of `nabla train` (see trainSettings.ts).
 * @example
 * import { trainHelp } from './train.js'
 * process.stdout.write(trainHelp)
 */
export { trainHelp }

/**
 * `nabla train`; returns the exit status.
 * @example
 * import { runTrain } from './train.js'
 * process.exitCode = await runTrain(['--dataset', 'spirals', '--epochs', '5'])
 */
export const runTrain = async (argv: readonly string[]): Promise<number> => {
  const settings = trainSettings(argv)
  if (settings === 'help') {
    process.stdout.write(trainHelp)
    return 0
  }
  checkOut('train', settings.out, settings.force)
  const lock = lockRun('train', settings.out)
  try {
    return await trainAndWrite(settings)
  } finally {
    lock.release()
  }
}

/** The classifier of the settings: the `--model-config` layer, or the `--model` recipe. */
const classifierOf = (settings: TrainSettings, features: number, classes: number): Classifier => {
  if (settings.modelConfig === undefined)
    return classifierFor(settings.modelKind, {
      features,
      classes,
      hidden: settings.hidden,
      activation: settings.activation,
      dropout: settings.dropout,
    })
  const net = classifierFromConfig(settings.modelConfig)
  if (net.features !== features || net.classes !== classes)
    throw new UsageError(
      'train',
      `the --model-config model reads ${net.features} features and scores ${net.classes} classes, but the data has ${features} features and ${classes} classes`,
    )
  return net
}

const trainAndWrite = async (settings: TrainSettings): Promise<number> => {
  const command = 'train'
  const { source, out, epochs, batchSize, lr, optimizerName, schedule, shift, dropout, seed } = settings
  const name = source.name
  const started = performance.now()
  const data = loadDataset(command, source)
  const features = data.xTrain.shape[1]!
  const rows = data.xTrain.shape[0]!
  const testRows = data.xTest.shape[0]!
  const net = classifierOf(settings, features, data.classes.length)
  const batches = Math.ceil(rows / batchSize)
  const rate: LearningRate = schedule === 'cosine' ? cosineDecay({ init: lr, steps: epochs * batches }) : lr
  const optimizer =
    optimizerName === 'adam'
      ? adam(rate)
      : optimizerName === 'sgd'
        ? sgd(rate)
        : momentum(rate, { beta: 0.9 })
  const side = Math.round(Math.sqrt(features))
  if (shift > 0 && side * side !== features)
    throw new UsageError(
      command,
      `--shift moves square images, but the rows of ${name} have ${features} features (not a square number)`,
    )
  // a training batch: rows, labels and, with dropout, the step's masks (tensors, so jit takes them as inputs)
  type TrainBatch = { x: Tensor; y: Tensor; masks?: readonly AnyTensor[] }
  const training = net.dropout
  const augment =
    shift === 0 && training === undefined
      ? undefined
      : (b: TrainBatch, k: Key): TrainBatch => {
          const [shiftKey, dropKey] = split(k)
          const x =
            shift === 0 ? b.x : randomShifts(shiftKey, b.x, { imageShape: [1, side, side], maxShift: shift })
          return training === undefined
            ? { x, y: b.y }
            : { x, y: b.y, masks: training.masks(dropKey, x.shape[0]!) }
        }
  const logitsOf = (p: Params, b: TrainBatch) =>
    training !== undefined && b.masks !== undefined ? training.apply(p, b.x, b.masks) : net.apply(p, b.x)
  const [initKey, shuffleKey] = split(foldIn(key(seed), 0))
  const useJit = settings.jit
  const classes = data.classes.length
  // under jit the labels become one-hot targets with tensor ops: class-index labels would be read
  // in JavaScript, which a trace freezes at its first batch
  const loss = (p: Params, b: TrainBatch) =>
    softmaxCrossEntropy(
      logitsOf(p, b) as Tensor<[number, number]>,
      (useJit ? oneHot(b.y, classes) : b.y) as Tensor<[number, number]>,
    )
  const progress = createProgress({ epochs, ...(settings.plain ? { tty: false } : {}) })
  progress.line(
    `nabla train: ${name}, ${rows} train / ${testRows} test rows of ${features} features, ${data.classes.length} classes; ` +
      `${net.description}; ${optimizerName} lr ${lr}${schedule === 'cosine' ? ' cosine-decayed' : ''}` +
      `${shift > 0 ? `; random shifts of up to ${shift} px` : ''}${dropout > 0 ? `; dropout ${dropout}` : ''}; ${epochs} epochs of ${batches} batches of ${batchSize}; seed ${seed}`,
  )
  // one forward pass over the test rows gives both numbers (a CNN's pass over 2,000 images costs
  // about as much as twenty training steps)
  const evaluate = (p: Params) => {
    const logits = logitsInChunks(net, p, data.xTest)
    return {
      testLoss: item(softmaxCrossEntropy(logits as Tensor<[number, number]>, data.yTest as Tensor<[number]>)),
      testAccuracy: accuracy(logits, data.yTest),
    }
  }
  let epochStart = performance.now()
  let epochExamples = 0
  let lossSum = 0
  const trainStarted = performance.now()
  const result = fitModel({
    params: net.init(initKey),
    optimizer,
    loss,
    train: { x: data.xTrain as Tensor, y: data.yTrain as Tensor },
    epochs,
    batchSize,
    key: shuffleKey,
    evaluate,
    jit: useJit,
    ...(augment === undefined ? {} : { augment }),
    onStep: (info) => {
      if (info.batch === 0) {
        progress.startEpoch(info.epoch, info.batchesPerEpoch)
        epochStart = performance.now()
        epochExamples = 0
        lossSum = 0
      }
      epochExamples += info.examples
      lossSum += info.loss * info.examples
      const seconds = (performance.now() - epochStart) / 1000
      progress.step(info.batch + 1, lossSum / epochExamples, epochExamples / Math.max(seconds, 1e-9))
      return undefined
    },
    onEpoch: (info) => {
      progress.endEpoch(
        `epoch ${String(info.epoch).padStart(String(epochs).length)}/${epochs}  train loss ${info.trainLoss.toFixed(4)}  ` +
          `test loss ${info.metrics.testLoss!.toFixed(4)}  test accuracy ${(100 * info.metrics.testAccuracy!).toFixed(2)}%  ` +
          `(${info.seconds.toFixed(1)} s, ${Math.round(rows / info.seconds)} ex/s)`,
      )
      return undefined
    },
  })
  const trainSeconds = (performance.now() - trainStarted) / 1000
  const logits = logitsInChunks(net, result.params, data.xTest)
  const finalAccuracy = accuracy(logits, data.yTest)
  const correct = Math.round(finalAccuracy * testRows)
  const metrics = {
    dataset: source,
    classes: data.classes,
    model: net.config,
    optimizer: { name: optimizerName, learningRate: lr, schedule },
    augmentation: { maxShift: shift },
    dropout,
    epochs,
    batchSize,
    seed,
    trainRows: rows,
    testRows,
    steps: result.step,
    history: result.history.map((h) => ({
      epoch: h.epoch,
      trainLoss: h.trainLoss,
      testLoss: h.metrics.testLoss,
      testAccuracy: h.metrics.testAccuracy,
      seconds: h.seconds,
    })),
    final: {
      testAccuracy: finalAccuracy,
      testLoss: result.history.at(-1)?.metrics.testLoss,
      confusionMatrix: confusionMatrix(logits, data.yTest),
    },
    trainSeconds,
    stepsPerSecond: result.step / trainSeconds,
    examplesPerSecond: (rows * epochs) / trainSeconds,
  }
  // the picture is optional: without the plotting packages the run is written without it
  let svg: string | undefined
  if (settings.plot)
    try {
      svg = await renderCurves(result.history, {
        title: `nabla: ${net.config.kind} on ${name} — test accuracy ${(100 * finalAccuracy).toFixed(2)}%`,
      })
    } catch (error) {
      if (!(error instanceof MissingDependencyError)) throw error
      process.stderr.write(
        `nabla train: warning: curves.svg not written: ${error.message.replace(/^renderCurves: /, '')} (--no-plot skips the picture)\n`,
      )
    }
  const totalSeconds = (performance.now() - started) / 1000
  const written = ['params.json', 'metrics.json', ...(svg === undefined ? [] : ['curves.svg'])]
  writeRunFolder(command, out, (dir) => {
    // params first: everything after them is optional
    saveRun(path.join(dir, written[0]!), result.params, {
      model: net.config,
      data: source,
      classes: data.classes,
      ...(data.standardisation === undefined ? {} : { standardisation: data.standardisation }),
    })
    fs.writeFileSync(
      path.join(dir, written[1]!),
      `${JSON.stringify({ ...metrics, totalSeconds }, null, 2)}\n`,
    )
    if (svg !== undefined) fs.writeFileSync(path.join(dir, written[2]!), svg)
  })
  progress.line(
    `test accuracy ${(100 * finalAccuracy).toFixed(2)}% (${correct}/${testRows}) after ${epochs} epochs; ` +
      `${metrics.stepsPerSecond.toFixed(1)} steps/s; ${totalSeconds.toFixed(1)} s in all`,
  )
  progress.line(`wrote ${written.map((f) => path.join(out, f)).join(', ')}`)
  return 0
}
