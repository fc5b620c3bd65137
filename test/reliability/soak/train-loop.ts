/**
 * Child-process script of the memory soak (not a test file): trains a small two-layer network for
 * many steps, eagerly (`trainStep` in a loop) or jitted (`fit` with `jit: true`), and prints one
 * JSON line with the memory in use (JS heap plus array buffers, after a full collection) at every
 * sixteenth of the run, and the last loss. Run with `node --expose-gc --max-old-space-size=N`.
 *
 * Arguments: `eager|jit STEPS [leak]`; `leak` keeps every step's parameters alive on purpose, so
 * the test can show that it notices memory growing.
 */
import {
  adam,
  add,
  fit as fitModel,
  fromArrayOrThrow,
  key,
  matmul,
  mse,
  type Tensor,
  tanh,
  trainStep,
} from '../../../src/index.js'

const [mode = 'eager', stepsText = '1000', leakText] = process.argv.slice(2)
const steps = Number(stepsText)
const leak = leakText === 'leak'
const collect = (globalThis as { gc?: () => void }).gc
if (collect === undefined) throw new Error('run with node --expose-gc')

/** Deterministic values in [-0.3, 0.3] (no randomness needed: the loop's memory is measured). */
const values = (shape: readonly number[], seed: number): Tensor => {
  const size = shape.reduce((a, b) => a * b, 1)
  const data = Float32Array.from({ length: size }, (_, i) => 0.3 * Math.sin((i + 1) * 12.9898 + seed))
  return fromArrayOrThrow(data, shape) as Tensor
}

type Params = { readonly w1: Tensor; readonly b1: Tensor; readonly w2: Tensor; readonly b2: Tensor }
const params0: Params = {
  w1: values([16, 64], 1),
  b1: values([64], 2),
  w2: values([64, 4], 3),
  b2: values([4], 4),
}
const loss = (p: Params, b: { readonly x: Tensor; readonly y: Tensor }): Tensor =>
  mse(
    add(matmul(tanh(add(matmul(b.x as never, p.w1 as never), p.b1)) as never, p.w2 as never), p.b2) as never,
    b.y as never,
  ) as Tensor
const x = values([256, 16], 5)
const y = values([256, 4], 6)

/**
 * One full collection is not enough: V8 frees the backing stores of dead array buffers on a
 * background sweeper after the collection, so `arrayBuffers` read right after one `gc()` still
 * counted up to ~2 MB of freed batches in about one sample in four (a CI run failed on it). A few
 * collections in a row let the sweep finish; live memory is unaffected.
 */
const inUse = (): number => {
  for (let i = 0; i < 3; i++) collect()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

const kept: unknown[] = []
/** Memory in use at every sixteenth of the run: `[step, bytes]`. */
const samples: [number, number][] = []
const sample = (step: number): void => {
  if (step % Math.max(1, Math.floor(steps / 16)) === 0) samples.push([step, inUse()])
}
const optimizer = adam(1e-3)
let lastLoss = Number.NaN
if (mode === 'eager') {
  const step = trainStep(loss, optimizer)
  let params = params0
  let state = optimizer.init(params0)
  for (let i = 1; i <= steps; i++) {
    const r = step(params, state, { x: values([32, 16], i % 8), y: values([32, 4], 100 + (i % 8)) })
    params = r.params
    state = r.state
    lastLoss = r.loss
    if (leak) kept.push(params)
    sample(i)
  }
} else {
  // 256 rows in batches of 32: 8 steps an epoch
  const result = fitModel({
    params: params0,
    optimizer,
    loss,
    train: { x, y },
    epochs: Math.ceil(steps / 8),
    batchSize: 32,
    key: key(0),
    jit: true,
    onStep: (info) => {
      if (leak) kept.push(info.checkpoint.params)
      sample(info.step)
      return undefined
    },
  })
  lastLoss = result.history.at(-1)?.trainLoss ?? Number.NaN
}
process.stdout.write(`${JSON.stringify({ mode, steps, leak, samples, loss: lastLoss, kept: kept.length })}\n`)
