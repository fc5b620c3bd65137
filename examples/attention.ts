/**
 * A 2-layer transformer that learns to reverse sequences of digits, written with the public API:
 * `embedding` + `positionEmbedding`, two `transformerBlock`s (multi-head `attention`, `layerNorm`,
 * a feed-forward net), a final `layerNorm` and a linear read-out to 10 digits, trained with Adam
 * on fresh random sequences each step. Output position i must name input digit `length − 1 − i`,
 * so the model has to learn to route by position: attention is what lets it.
 *
 * Shapes are typed with literal sizes and a generic batch `B` (named dimensions `Dim<'…'>` were
 * not on main when this was written): `forward` is `Tensor<[B, 8]> → Tensor<[B, 8, 10]>`.
 *
 * Run: `npx tsx examples/attention.ts` (trains until the token accuracy on 1,000 held-out
 * sequences reaches 99 %, at most 1,500 steps). The tests run a shortened form.
 *
 * @module examples/attention
 */
import {
  accuracy,
  adam,
  add,
  einsum,
  embedding,
  foldIn,
  type Key,
  key,
  layerNorm,
  matmul,
  positionEmbedding,
  randint,
  reshape,
  softmaxCrossEntropy,
  split,
  type Tensor,
  tensor,
  trainStep,
  transformerBlock,
  uniform,
  zeros,
} from 'nabla'
import { isMain, type Log } from './support.js'

const length = 8
const digits = 10
const dim = 32
const heads = 4
const hidden = 64

const embed = embedding({ vocab: digits, dim, length })
const positions = positionEmbedding({ length, dim })
const block1 = transformerBlock({ length, dim, heads, hidden })
const block2 = transformerBlock({ length, dim, heads, hidden })
const finalNorm = layerNorm([length, dim])

/** Initial parameters of the whole model, from one key. */
const initParams = (k: Key) => {
  const [k1, k2, k3, k4, k5] = split(k, 5)
  return {
    embed: embed.init(k1),
    positions: positions.init(k2),
    block1: block1.init(k3),
    block2: block2.init(k4),
    finalNorm: finalNorm.init(k5),
    readout: uniform(k5, [dim, digits], { min: -1 / Math.sqrt(dim), max: 1 / Math.sqrt(dim) }),
    bias: zeros([digits]),
  }
}

/**
 * The model's parameters.
 * @example
 * const params: Params = initParams(key(0))
 */
export type Params = ReturnType<typeof initParams>

/**
 * Logits over the 10 digits at each position.
 * @example
 * const logits = forward(initParams(key(0)), zeros([4, 8])) // Tensor<[4, 8, 10]>
 */
export const forward = <B extends number>(
  params: Params,
  tokens: Tensor<[B, 8], 'float32'>,
): Tensor<[B, 8, 10], 'float32'> => {
  const x = positions.apply(params.positions, embed.apply(params.embed, tokens))
  const h = finalNorm.apply(params.finalNorm, block2.apply(params.block2, block1.apply(params.block1, x)))
  return add(matmul(h, params.readout), params.bias)
}

/** The flip: `tokens · flip` reverses each sequence (row t has its 1 in column 7 − t). */
const flip = tensor([
  [0, 0, 0, 0, 0, 0, 0, 1],
  [0, 0, 0, 0, 0, 0, 1, 0],
  [0, 0, 0, 0, 0, 1, 0, 0],
  [0, 0, 0, 0, 1, 0, 0, 0],
  [0, 0, 0, 1, 0, 0, 0, 0],
  [0, 0, 1, 0, 0, 0, 0, 0],
  [0, 1, 0, 0, 0, 0, 0, 0],
  [1, 0, 0, 0, 0, 0, 0, 0],
])

/** Reversed along the sequence: position s holds input position `7 − s` (exact: one 1 per column). */
const reversed = <B extends number>(tokens: Tensor<[B, 8], 'float32'>): Tensor<[B, 8], 'float32'> =>
  einsum('bt,ts->bs', tokens, flip)

/**
 * Digit sequences and their reversals.
 * @example
 * const batch: Batch = batchOf(key(0), 64)
 */
export interface Batch {
  readonly x: Tensor<[number, 8], 'float32'>
  readonly y: Tensor<[number, 8], 'float32'>
}

/** A batch of random digit sequences and their reversals. */
const batchOf = (k: Key, size: number): Batch => {
  const x = randint(k, [size, length], { max: digits })
  return { x, y: reversed(x) }
}

const tokenAccuracy = (params: Params, batch: Batch): number =>
  accuracy(reshape(forward(params, batch.x), [-1, digits]), reshape(batch.y, [-1]))

/**
 * Options of the example.
 * @example
 * main({ maxSteps: 100 })
 */
export interface AttentionExampleOptions {
  /** Stop when the held-out token accuracy reaches this (default 0.99). */
  readonly target?: number
  /** Stop after this many steps at the latest (default 1,500). */
  readonly maxSteps?: number
  /** Evaluate every this many steps (default 25). */
  readonly evalEvery?: number
  /** Sequences per step (default 64). */
  readonly batchSize?: number
  /** Adam's learning rate (default 3e-3). */
  readonly learningRate?: number
  /** Seed of the weights, the training sequences and the held-out set (default 0). */
  readonly seed?: number
}

/**
 * What training produced.
 * @example
 * const { steps, accuracy, seconds } = main({ maxSteps: 50 })
 */
export interface AttentionExampleResult {
  /** Steps taken. */
  readonly steps: number
  /** Token accuracy on the held-out sequences at the end, and before training. */
  readonly accuracy: number
  readonly initialAccuracy: number
  /** Training loss of the first and the last step. */
  readonly firstLoss: number
  readonly lastLoss: number
  /** Wall-clock seconds of the training loop (evaluation included). */
  readonly seconds: number
  /** The trained parameters and the held-out set, for checking. */
  readonly params: Params
  readonly test: Batch
}

/**
 * Trains the transformer until the held-out token accuracy reaches `target` (or `maxSteps`),
 * printing the loss and accuracy at each evaluation.
 * @example
 * main() // step 50: loss 1.9…, token accuracy 31.5% … step 400: … 99.2%
 */
export const main = (
  options: AttentionExampleOptions = {},
  log: Log = console.log,
): AttentionExampleResult => {
  const seed = options.seed ?? 0
  const target = options.target ?? 0.99
  const maxSteps = options.maxSteps ?? 1500
  const evalEvery = options.evalEvery ?? 25
  const batchSize = options.batchSize ?? 64
  const [initKey, testKey, trainKey] = split(key(seed), 3)
  const test = batchOf(testKey, 1000)
  const optimizer = adam(options.learningRate ?? 3e-3)
  const step = trainStep(
    (p: Params, batch: Batch) => softmaxCrossEntropy(forward(p, batch.x), batch.y),
    optimizer,
  )
  let params = initParams(initKey)
  let state = optimizer.init(params)
  const initialAccuracy = tokenAccuracy(params, test)
  log(
    `reversing ${length} digits: 2-layer transformer (dim ${dim}, ${heads} heads, hidden ${hidden}), batch ${batchSize}, Adam`,
  )
  log(`before training: token accuracy ${(initialAccuracy * 100).toFixed(1)}% (chance 10%)`)
  const started = performance.now()
  let steps = 0
  let firstLoss = Number.NaN
  let lastLoss = Number.NaN
  let acc = initialAccuracy
  while (steps < maxSteps && acc < target) {
    const result = step(params, state, batchOf(foldIn(trainKey, steps), batchSize))
    params = result.params
    state = result.state
    lastLoss = result.loss
    if (steps === 0) firstLoss = result.loss
    steps++
    if (steps % evalEvery === 0 || steps === maxSteps) {
      acc = tokenAccuracy(params, test)
      const seconds = (performance.now() - started) / 1000
      log(
        `step ${steps}: loss ${lastLoss.toFixed(4)}, token accuracy ${(acc * 100).toFixed(2)}% (${seconds.toFixed(1)} s)`,
      )
    }
  }
  const seconds = (performance.now() - started) / 1000
  log(
    `${acc >= target ? 'reached' : 'did not reach'} ${(target * 100).toFixed(0)}% token accuracy after ${steps} steps in ${seconds.toFixed(1)} s`,
  )
  return { steps, accuracy: acc, initialAccuracy, firstLoss, lastLoss, seconds, params, test }
}

if (isMain(import.meta.url)) main()
