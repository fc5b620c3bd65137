/**
 * Per-example gradients with `vmap ∘ grad`: the gradient of each training example's loss, for a
 * whole batch in one call — what differentially private SGD clips, what influence functions and
 * gradient-noise diagnostics read. A plain `grad` gives only their sum; a loop of `grad` gives each
 * one at the price of a backward pass per example. `vmap` runs one batched backward pass instead:
 *
 *     perExample = vmap((x, y) => grad((p) => loss(p, x, y))(params), { inAxes: [0, 0] })(xs, ys)
 *
 * This file computes them for a small two-layer network on 64 random examples both ways, prints
 * the largest difference between the two (float64), the per-example gradient norms, and checks
 * that their mean is the gradient of the mean loss.
 *
 * Run: `npx tsx examples/per-example-gradients.ts`
 *
 * @module examples/per-example-gradients
 */
import {
  type AnyTensor,
  abs,
  add,
  grad,
  item,
  key,
  matmul,
  max,
  mean,
  normal,
  oneHot,
  randint,
  reshape,
  slice,
  softmaxCrossEntropy,
  split,
  sqrt,
  square,
  stack,
  sub,
  sum,
  type Tensor,
  tanh,
  toFlat,
  vmap,
} from 'nabla'
import { isMain, type Log } from './support.js'

/** The network's parameters: 4 inputs, 8 hidden tanh units, 3 classes. */
export type Params = {
  readonly w1: Tensor<[4, 8], 'float64'>
  readonly b1: Tensor<[8], 'float64'>
  readonly w2: Tensor<[8, 3], 'float64'>
  readonly b2: Tensor<[3], 'float64'>
}

/** Random parameters (seeded). */
export const initParams = (seed: number): Params => {
  const [k1, k2, k3, k4] = split(key(seed), 4)
  return {
    w1: normal(k1, [4, 8], { dtype: 'float64', std: 0.5 }),
    b1: normal(k2, [8], { dtype: 'float64', std: 0.1 }),
    w2: normal(k3, [8, 3], { dtype: 'float64', std: 0.5 }),
    b2: normal(k4, [3], { dtype: 'float64', std: 0.1 }),
  }
}

/** The loss of one example: softmax cross-entropy of the network's logits against a one-hot row. */
export const loss = (
  p: Params,
  x: Tensor<[4], 'float64'>,
  y: Tensor<[3], 'float64'>,
): Tensor<[], 'float64'> => {
  const hidden = tanh(add(matmul(reshape(x, [1, 4]), p.w1), p.b1))
  const logits = add(matmul(hidden, p.w2), p.b2)
  return softmaxCrossEntropy(logits, reshape(y, [1, 3]))
}

/** A batch of `n` random examples (seeded): inputs `[n, 4]` and one-hot labels `[n, 3]`. */
export const makeBatch = <N extends number>(seed: number, n: N) => {
  const [k1, k2] = split(key(seed), 2)
  const xs = normal(k1, [n, 4], { dtype: 'float64' })
  const ys = oneHot(randint(k2, [n], { max: 3, dtype: 'float64' }), 3)
  return { xs, ys }
}

/** Per-example gradients, all at once: `vmap` over the examples of `grad` over the parameters. */
export const perExampleByVmap = <B extends number>(
  params: Params,
  xs: Tensor<[B, 4], 'float64'>,
  ys: Tensor<[B, 3], 'float64'>,
) =>
  vmap((x: Tensor<[4], 'float64'>, y: Tensor<[3], 'float64'>) => grad((p: Params) => loss(p, x, y))(params), {
    inAxes: [0, 0],
  })(xs, ys)

/** Per-example gradients by a loop of `grad`, one backward pass per example, stacked. */
export const perExampleByLoop = (
  params: Params,
  xs: Tensor<[number, 4], 'float64'>,
  ys: Tensor<[number, 3], 'float64'>,
) => {
  const rows = Array.from({ length: xs.shape[0] }, (_, i) => {
    const x = reshape(slice(xs, [i, 0], [i + 1, 4]), [4])
    const y = reshape(slice(ys, [i, 0], [i + 1, 3]), [3])
    return grad((p: Params) => loss(p, x, y))(params)
  })
  const stacked = (pick: (g: Params) => AnyTensor) => stack(rows.map(pick), 0)
  return {
    w1: stacked((g) => g.w1),
    b1: stacked((g) => g.b1),
    w2: stacked((g) => g.w2),
    b2: stacked((g) => g.b2),
  }
}

type Gradients = { readonly [K in keyof Params]: AnyTensor }

/** The largest absolute difference between two sets of per-example gradients. */
export const maxDifference = (a: Gradients, b: Gradients): number =>
  Math.max(...parameterNames.map((k) => largest(a[k], b[k])))

const parameterNames: readonly (keyof Params)[] = ['w1', 'b1', 'w2', 'b2']
const largest = (a: AnyTensor, b: AnyTensor): number => item(max(abs(sub(a, b))))

/** Each example's gradient norm ‖∇ℓᵢ‖ over all parameters (what DP-SGD clips): `[B]`. */
export const gradientNorms = (g: Gradients): AnyTensor => {
  const squares = parameterNames.map((k) => {
    const t = g[k]
    return sum(square(reshape(t, [t.shape[0]!, -1])), 1)
  })
  return sqrt(squares.reduce((total, s) => add(total, s)))
}

/**
 * Computes the per-example gradients of 64 examples with vmap and with a loop, prints the largest
 * difference, the time of each, the first gradient norms, and how far their mean is from the
 * gradient of the mean loss.
 * @example
 * const { difference } = main(() => {}) // difference ≤ 1e-12
 */
export const main = (log: Log = console.log) => {
  const params = initParams(0)
  const { xs, ys } = makeBatch(1, 64)
  let start = performance.now()
  const byVmap = perExampleByVmap(params, xs, ys)
  const vmapMs = performance.now() - start
  start = performance.now()
  const byLoop = perExampleByLoop(params, xs, ys)
  const loopMs = performance.now() - start
  const difference = maxDifference(byVmap, byLoop)
  const norms = toFlat(gradientNorms(byVmap))
  // the mean of the per-example gradients is the gradient of the mean loss
  const meanLoss = (p: Params) =>
    mean(vmap((x: Tensor<[4], 'float64'>, y: Tensor<[3], 'float64'>) => loss(p, x, y))(xs, ys))
  const full = grad(meanLoss)(params)
  const meanDifference = maxDifference(
    { w1: mean(byVmap.w1, 0), b1: mean(byVmap.b1, 0), w2: mean(byVmap.w2, 0), b2: mean(byVmap.b2, 0) },
    full,
  )
  log(`per-example gradients of ${xs.shape[0]} examples, params w1 [4,8], b1 [8], w2 [8,3], b2 [3]`)
  log(
    `vmap ∘ grad: w1 ${JSON.stringify(byVmap.w1.shape)}, one backward pass for the batch (${vmapMs.toFixed(1)} ms)`,
  )
  log(`loop of grad: ${xs.shape[0]} backward passes (${loopMs.toFixed(1)} ms)`)
  log(`largest difference between vmap and the loop: ${difference.toExponential(2)}`)
  log(
    `gradient norms of the first 5 examples: ${norms
      .slice(0, 5)
      .map((v) => v.toFixed(4))
      .join(', ')}`,
  )
  log(
    `mean of the per-example gradients vs grad of the mean loss: largest difference ${meanDifference.toExponential(2)}`,
  )
  return { difference, meanDifference, norms, byVmap }
}

if (isMain(import.meta.url)) main()
