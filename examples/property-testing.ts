/**
 * Property-testing your own model with `nabla/testing`: the same tools nabla's own test suite uses.
 *
 * The model is a small two-layer network, `predict(p, x) = tanh(x W₁ + b₁) W₂ + b₂`, with a mean
 * squared error. With fast-check and the arbitraries from `nabla/testing` we state properties that
 * must hold for *every* parameter setting and batch, and let fast-check search for a
 * counterexample (with a fixed seed, so runs are reproducible):
 *
 * 1. its gradients agree with finite differences (`checkGrads`, full Jacobian and random
 *    directions);
 * 2. `predict` maps a batch of B rows to B rows, for any B;
 * 3. the loss does not depend on the order of the examples in the batch;
 * 4. a helper that broadcasts (`scaleAndShift`) has correct gradients for every pair of
 *    broadcast-compatible shapes (`arbBroadcastPair`);
 * 5. and a planted bug is caught: an "optimised" tanh layer whose hand-written gradient uses
 *    1 − y instead of 1 − y² fails `assertGrads`, and fast-check shrinks the failing case.
 *
 * Run: `npx tsx examples/property-testing.ts`
 *
 * @module examples/property-testing
 */
import fc from 'fast-check'
import {
  type AnyTensor,
  add,
  customVjp,
  gather,
  matmul,
  mean,
  mul,
  square,
  sub,
  sum,
  tanh,
  toFlat,
} from 'nabla'
import { arbBroadcastPair, arbTensor, assertGrads, checkGrads } from 'nabla/testing'
import { isMain, type Log } from './support.js'

/**
 * The model's parameters: 3 inputs, 4 hidden units, 2 outputs.
 * @example
 * const p: Params = { w1: zeros([3, 4]), b1: zeros([4]), w2: zeros([4, 2]), b2: zeros([2]) }
 */
export type Params = {
  readonly w1: AnyTensor
  readonly b1: AnyTensor
  readonly w2: AnyTensor
  readonly b2: AnyTensor
}

/**
 * The hidden layer's activation; swapped for the buggy one in property 5.
 * @example
 * const activation: Activation = tanh
 */
export type Activation = (x: AnyTensor) => AnyTensor

/**
 * tanh(x W₁ + b₁) W₂ + b₂ for a batch x of shape [B, 3]: shape [B, 2].
 * @example
 * predict(params, zeros([5, 3], { dtype: 'float64' })).shape // [5, 2]
 */
export const predict = (p: Params, x: AnyTensor, activation: Activation = tanh): AnyTensor =>
  add(matmul(activation(add(matmul(x, p.w1), p.b1)), p.w2), p.b2)

/**
 * The mean squared error of `predict` on a batch.
 * @example
 * loss(params, x, y) // a scalar tensor
 */
export const loss = (p: Params, x: AnyTensor, y: AnyTensor, activation: Activation = tanh): AnyTensor =>
  mean(square(sub(predict(p, x, activation), y)))

/**
 * A helper that broadcasts: x · s + s.
 * @example
 * scaleAndShift(ones([2, 3]), tensor([1, 2, 3])) // [[2, 4, 6], [2, 4, 6]]
 */
export const scaleAndShift = (x: AnyTensor, s: AnyTensor): AnyTensor => add(mul(x, s), s)

/**
 * An "optimised" tanh with a hand-written gradient — and a bug: the derivative of tanh is 1 − y²,
 * not 1 − y.
 * @example
 * buggyTanh(tensor([0.5])) // same values as tanh; wrong gradient
 */
export const buggyTanh = customVjp(
  (x: AnyTensor): AnyTensor => tanh(x),
  (cotangent, y) => [mul(cotangent, sub(1, y))],
  'fastTanh',
)

const f64: { readonly dtype: 'float64' } = { dtype: 'float64' }

/**
 * Random parameters of the model (float64, values in [−1, 1]).
 * @example
 * fc.sample(arbParams, 1)[0].w1.shape // [3, 4]
 */
export const arbParams: fc.Arbitrary<Params> = fc.record({
  w1: arbTensor([3, 4], f64),
  b1: arbTensor([4], f64),
  w2: arbTensor([4, 2], f64),
  b2: arbTensor([2], f64),
})

/**
 * A random batch: inputs [B, 3] and targets [B, 2] for B from 1 to 6.
 * @example
 * fc.sample(arbBatch, 1)[0].x.shape // [B, 3]
 */
export const arbBatch: fc.Arbitrary<{ x: AnyTensor; y: AnyTensor }> = fc
  .integer({ min: 1, max: 6 })
  .chain((B) => fc.record({ x: arbTensor([B, 3], { ...f64, min: -2, max: 2 }), y: arbTensor([B, 2], f64) }))

/**
 * A batch with its rows in a random order.
 * @example
 * fc.sample(arbShuffledBatch, 1)[0].order // a permutation of 0 … B − 1
 */
export const arbShuffledBatch = arbBatch.chain(({ x, y }) =>
  fc
    .shuffledSubarray(
      Array.from({ length: x.shape[0]! }, (_, i) => i),
      { minLength: x.shape[0]!, maxLength: x.shape[0]! },
    )
    .map((order) => ({ x, y, order })),
)

/**
 * One property's outcome.
 * @example
 * const outcome: Outcome = { name: 'gradients', runs: 40, failed: false, shrinks: 0, error: '' }
 */
export interface Outcome {
  readonly name: string
  readonly runs: number
  readonly failed: boolean
  /** How many times fast-check shrank the failing case. */
  readonly shrinks: number
  /** The error the shrunk counterexample raised ('' when the property holds). */
  readonly error: string
}

const run = <T>(
  name: string,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => void,
  seed: number,
  numRuns: number,
): Outcome => {
  const details = fc.check(fc.property(arbitrary, predicate), { seed, numRuns })
  const error = details.failed
    ? details.errorInstance instanceof Error
      ? details.errorInstance.message
      : String(details.errorInstance)
    : ''
  return { name, runs: details.numRuns, failed: details.failed, shrinks: details.numShrinks, error }
}

/**
 * Checks the five properties and prints what fast-check found.
 * @example
 * main() // four properties hold; the planted bug is caught
 */
export const main = (log: Log = console.log): Outcome[] => {
  const outcomes = [
    run(
      'gradients of the loss agree with finite differences',
      fc.tuple(arbParams, arbBatch),
      ([p, { x, y }]) => {
        assertGrads((q: Params) => loss(q, x, y), p, { modes: ['full', 'random'] })
      },
      1,
      40,
    ),
    run(
      'predict maps [B, 3] to [B, 2]',
      fc.tuple(arbParams, arbBatch),
      ([p, { x }]) => {
        const shape = predict(p, x).shape
        if (shape.length !== 2 || shape[0] !== x.shape[0] || shape[1] !== 2)
          throw new Error(`predict returned shape [${shape}] for a batch of ${x.shape[0]}`)
      },
      2,
      100,
    ),
    run(
      'the loss does not depend on the order of the batch',
      fc.tuple(arbParams, arbShuffledBatch),
      ([p, { x, y, order }]) => {
        const a = toFlat(loss(p, x, y))[0]!
        const b = toFlat(loss(p, gather(x, order), gather(y, order)))[0]!
        if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a))) throw new Error(`loss ${a} became ${b}`)
      },
      3,
      100,
    ),
    run(
      'scaleAndShift has correct gradients for every broadcast pair of shapes',
      arbBroadcastPair({ maxRank: 3, maxDim: 3 }).chain(([sa, sb]) =>
        fc.tuple(arbTensor(sa, f64), arbTensor(sb, f64)),
      ),
      ([x, s]) => {
        const result = checkGrads(
          ([a, b]: readonly [AnyTensor, AnyTensor]) => sum(square(scaleAndShift(a, b))),
          [x, s],
        )
        if (!result.ok) throw new Error(`${result.failures.length} derivatives disagree`)
      },
      4,
      60,
    ),
    run(
      'the planted bug: a tanh layer with the gradient 1 − y',
      fc.tuple(arbParams, arbBatch),
      ([p, { x, y }]) => {
        assertGrads((q: Params) => loss(q, x, y, buggyTanh), p)
      },
      5,
      40,
    ),
  ]
  for (const o of outcomes) {
    log(`${o.failed ? 'FAILS' : 'holds'}  ${o.name} (${o.runs} runs)`)
    if (o.failed) {
      log(`       counterexample found at run ${o.runs}, shrunk ${o.shrinks} times; it raised:`)
      for (const part of o.error.split('; ')) log(`       ${part}`)
    }
  }
  return outcomes
}

if (isMain(import.meta.url)) main()
