/**
 * A whole training step compiled with `jit`, its parameters and optimizer state donated, as a
 * JAX user writes it with optax:
 *
 *     const step = jit((params, state, x, y) => { …loss, gradient, adam update… }, { donate: [0, 1] })
 *     for (…) [params, state, loss] = step(params, state, x, y)
 *
 * The first call traces the step (loss, gradient and Adam's update together) into one plan; every
 * later call runs that plan. Donated parameters and state are consumed by each call, and the new
 * ones are written over their memory, so the loop copies and allocates almost nothing for them. The
 * same step run eagerly gives the same numbers: this file trains an MNIST-sized MLP both ways from
 * the same start, checks that every loss and parameter agrees bit for bit, and prints both speeds.
 *
 * Run: `npx tsx examples/jit-step.ts [seconds per speed measurement, default 2]`
 *
 * @module examples/jit-step
 */
import {
  adam,
  applyUpdates,
  flatten,
  jit,
  key,
  mlp,
  normal,
  type OptimizerState,
  randint,
  softmaxCrossEntropy,
  split,
  type Tensor,
  toFlat,
  valueAndGrad,
} from 'nabla'
import { isMain, type Log } from './support.js'

/** The network: 784 pixels → 128 hidden (ReLU) → 10 class scores. */
export const network = mlp([784, 128, 10])
/** Its parameters, as the compiler sees them. */
export type Params = ReturnType<typeof network.init>
/** The optimizer, and the state it keeps for these parameters. */
export const optimizer = adam(1e-3)
export type State = OptimizerState<typeof optimizer, Params>

/** A batch of 128 random "images" and labels (the speed and the agreement do not need real digits). */
export const makeBatch = (seed: number) => {
  const [kx, ky] = split(key(seed))
  return { x: normal(kx, [128, 784]), y: randint(ky, [128], { max: 10 }) }
}

/** One training step: the loss and its gradient, Adam's update, the new parameters. */
export const step = (
  params: Params,
  state: State,
  x: Tensor<[128, 784]>,
  y: Tensor<[128]>,
): [Params, State, Tensor<[]>] => {
  const [loss, grads] = valueAndGrad((p: Params) => softmaxCrossEntropy(network.apply(p, x), y))(params)
  const { updates, state: next } = optimizer.update(grads, state, params)
  return [applyUpdates(params, updates), next, loss]
}

/** The same step compiled: traced once, then a plan; parameters and state donated. */
export const compiledStep = () => jit(step, { donate: [0, 1] })

/** Trains `steps` steps from the same start with `run`; returns every loss and the final parameters. */
export const train = (run: typeof step, steps: number) => {
  const { x, y } = makeBatch(1)
  let params = network.init(key(0))
  let state = optimizer.init(params)
  const losses: number[] = []
  for (let i = 0; i < steps; i++) {
    const [nextParams, nextState, loss] = run(params, state, x, y)
    params = nextParams
    state = nextState
    losses.push(...toFlat(loss))
  }
  return { losses, params: flatten(params)[0].flatMap((t) => toFlat(t).flat()) }
}

/** Steps per second of `run` over about `seconds` (after a warm-up, which includes the trace). */
export const speed = (run: typeof step, seconds: number): number => {
  const { x, y } = makeBatch(2)
  let params = network.init(key(0))
  let state = optimizer.init(params)
  const go = () => {
    const [p, s] = run(params, state, x, y)
    params = p
    state = s
  }
  for (let i = 0; i < 5; i++) go()
  const start = performance.now()
  let n = 0
  while (performance.now() - start < seconds * 1000) {
    go()
    n++
  }
  return n / ((performance.now() - start) / 1000)
}

export const main = (log: Log = console.log, seconds = 2) => {
  const eager = train(step, 20)
  const jitted = train(compiledStep(), 20)
  const same =
    eager.losses.every((v, i) => Object.is(v, jitted.losses[i])) &&
    eager.params.every((v, i) => Object.is(v, jitted.params[i]))
  log(`loss ${eager.losses[0]!.toFixed(4)} → ${eager.losses.at(-1)!.toFixed(4)} in 20 Adam steps`)
  log(`eager and jit(step, { donate: [0, 1] }) agree bit for bit: ${same ? 'yes' : 'NO'}`)
  const [slow, fast] = [speed(step, seconds), speed(compiledStep(), seconds)]
  log(`eager ${slow.toFixed(0)} steps/s, jitted ${fast.toFixed(0)} steps/s (${(fast / slow).toFixed(2)}×)`)
  return { eager, jitted, same }
}

if (isMain(import.meta.url)) main(console.log, Number(process.argv[2] ?? 2))
