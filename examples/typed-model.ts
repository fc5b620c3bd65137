/**
 * A model whose shapes the compiler checks, with no casts: named dimensions, `sequential`, typed
 * parameters, an optimizer, and a gradient check.
 *
 * 1. The data is read at run time (its size is a plain `number`), then bound once with
 *    `withShape(x, [batch, 4])`: a run-time check that returns `Tensor<[Dim<'batch'>, 4]>`.
 * 2. The network is `sequential(dense(4, 16, tanh), dense(16, 3))`. Swapping in `dense(8, 3)` as the
 *    second layer does not compile: "layer 2 expects [B,8] but layer 1 gives [B,16]".
 * 3. Its parameters are typed `[{ w: [4, 16], b: [16] }, { w: [16, 3], b: [3] }]`; `grad` returns
 *    that type, and `adam`'s updates add back onto it.
 * 4. A float64 twin of the model passes `checkGrads` (finite differences, every parameter).
 *
 * Run: `npx tsx examples/typed-model.ts`
 *
 * @module examples/typed-model
 */
import {
  accuracy,
  adam,
  applyUpdates,
  argmax,
  type Dim,
  dense,
  dim,
  item,
  key,
  matmul,
  normal,
  sequential,
  softmaxCrossEntropy,
  split,
  type Tensor,
  valueAndGrad,
  withShape,
} from 'nabla'
import { checkGrads } from 'nabla/testing'
import { isMain, type Log } from './support.js'

/** Features per example and classes: literal, so the compiler checks every layer against them. */
const features = 4
const classes = 3

/** The network: 4 features → 16 hidden (tanh) → 3 class scores. */
export const network = sequential(dense(features, 16, { activation: 'tanh' }), dense(16, classes))
/** The same network computing in float64, for the gradient check. */
export const network64 = sequential(
  dense(features, 16, { activation: 'tanh', dtype: 'float64' }),
  dense(16, classes, { dtype: 'float64' }),
)

/** The parameters, as the compiler sees them. */
export type Params = ReturnType<typeof network.init>

/**
 * Synthetic data "loaded at run time": rows of 4 features labelled by which of 3 fixed directions
 * they point along most. The row count is a plain number until `withShape` names it.
 */
export const loadData = (rows: number, seed: number) => {
  const [kx, kw] = split(key(seed))
  const loaded: Tensor<number[]> = normal(kx, [rows, features])
  const batch = dim('batch', rows)
  const x = withShape(loaded, [batch, features]) // Tensor<[Dim<'batch'>, 4]>: checked here, once
  const labels = argmax(matmul(x, normal(kw, [features, classes])), 1) // Tensor<[Dim<'batch'>]>
  return { x, labels }
}

/** Mean cross-entropy of the network on a batch: the batch dimension stays named throughout. */
export const loss = (params: Params, x: Tensor<[Dim<'batch'>, 4]>, labels: Tensor<[Dim<'batch'>]>) =>
  softmaxCrossEntropy(network.apply(params, x), labels)

/** Trains with Adam for `steps` full-batch steps; returns the losses before and after and the accuracy. */
export const train = (steps: number, seed = 0) => {
  const { x, labels } = loadData(256, seed)
  const optimizer = adam(0.05)
  let params: Params = network.init(key(seed + 1))
  let state = optimizer.init(params)
  const before = item(loss(params, x, labels))
  for (let step = 0; step < steps; step++) {
    const [, grads] = valueAndGrad((p: Params) => loss(p, x, labels))(params)
    const { updates, state: next } = optimizer.update(grads, state, params)
    params = applyUpdates(params, updates)
    state = next
  }
  return {
    before,
    after: item(loss(params, x, labels)),
    accuracy: accuracy(network.apply(params, x), labels),
  }
}

/** Checks the float64 twin's gradients against finite differences at a random point. */
export const gradientCheck = (seed = 0) => {
  const [kx, kp] = split(key(seed + 7))
  const rows = 5
  const batch = dim('batch', rows)
  const x = withShape(normal(kx, [rows, features], { dtype: 'float64' }), [batch, features])
  const labels = argmax(withShape(normal(kp, [rows, classes], { dtype: 'float64' }), [batch, classes]), 1)
  const params = network64.init(kp)
  const result = checkGrads(
    (p: ReturnType<typeof network64.init>) => softmaxCrossEntropy(network64.apply(p, x), labels),
    params,
  )
  return result.ok && result.checked > 0
}

export const main = (log: Log = console.log) => {
  const result = train(60)
  log(
    `loss ${result.before.toFixed(3)} → ${result.after.toFixed(3)}, accuracy ${(100 * result.accuracy).toFixed(1)}%`,
  )
  const ok = gradientCheck()
  log(`gradient check of every parameter (float64, finite differences): ${ok ? 'ok' : 'FAILED'}`)
  return { ...result, gradientsOk: ok }
}

if (isMain(import.meta.url)) main()
