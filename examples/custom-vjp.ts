/**
 * Hand-written gradient rules with `customVjp`, two classic uses:
 *
 * 1. **A numerically stable log-sigmoid.** `log(sigmoid(x))` written naively underflows: at
 *    x = −800, σ(x) is 0 in float64, the value is −Infinity and the gradient NaN. The stable value is
 *    −softplus(−x) and the stable derivative is d/dx log σ(x) = 1 − σ(x) = σ(−x). The rule is
 *    written with nabla ops, so it is differentiable again (second order works); it is checked
 *    against finite differences with `checkGrads`, and at extreme inputs against central
 *    differences of the stable value.
 * 2. **A straight-through estimator.** `sign(x)` has derivative 0 almost everywhere, so nothing
 *    upstream of it learns. The straight-through estimator (Bengio et al. 2013; the "hard tanh"
 *    variant of binarized networks) keeps `sign` forward but passes the cotangent through where
 *    |x| ≤ 1. Deliberately not the true derivative — so it is checked against its own rule, and
 *    gradient descent through it is shown to reach target signs that plain `sign` never moves to.
 *
 * Run: `npx tsx examples/custom-vjp.ts`
 *
 * @module examples/custom-vjp
 */
import {
  type AnyTensor,
  abs,
  customVjp,
  grad,
  lessEqual,
  log,
  mul,
  neg,
  sigmoid,
  sign,
  softplus,
  square,
  sub,
  sum,
  tensor,
  toFlat,
} from 'nabla'
import { checkGrads } from 'nabla/testing'
import { isMain, type Log } from './support.js'

const f64: { readonly dtype: 'float64' } = { dtype: 'float64' }

/**
 * log σ(x), stable for any x, with the stable derivative σ(−x) as its rule.
 * @example
 * stableLogSigmoid(tensor([-800, 0, 800], { dtype: 'float64' })) // [-800, -0.693…, 0]
 */
export const stableLogSigmoid = customVjp(
  (x: AnyTensor): AnyTensor => neg(softplus(neg(x))),
  (cotangent, _output, x) => [mul(cotangent, sigmoid(neg(x)))],
  'logSigmoid',
)

/**
 * log σ(x) the naive way: fine for moderate x, −Infinity (and a NaN gradient) below about −745.
 * @example
 * naiveLogSigmoid(tensor([-800], { dtype: 'float64' })) // [-Infinity]
 */
export const naiveLogSigmoid = (x: AnyTensor): AnyTensor => log(sigmoid(x))

/**
 * sign(x) forward; backward, the cotangent passes where |x| ≤ 1 and is 0 elsewhere.
 * @example
 * grad((x: Tensor) => sum(signStraightThrough(x)))(tensor([0.5, -3])) // [1, 0]
 */
export const signStraightThrough = customVjp(
  (x: AnyTensor): AnyTensor => sign(x),
  (cotangent, _output, x) => [mul(cotangent, lessEqual(abs(x), 1))],
  'signSTE',
)

/**
 * Gradient descent on `x` so that `binarize(x)` matches `target` (±1 entries), minimising
 * Σ (binarize(x) − target)². Returns the signs reached.
 * @example
 * fitSigns(signStraightThrough, tensor([0.3, -0.2]), tensor([-1, 1])) // [-1, 1]
 */
export const fitSigns = (
  binarize: (x: AnyTensor) => AnyTensor,
  start: AnyTensor,
  target: AnyTensor,
  steps = 20,
  learningRate = 0.1,
): number[] => {
  const loss = (x: AnyTensor): AnyTensor => sum(square(sub(binarize(x), target)))
  let x = start
  for (let i = 0; i < steps; i++) x = sub(x, mul(grad(loss)(x), learningRate))
  return toFlat(sign(x))
}

/**
 * What the example found.
 * @example
 * const r: CustomVjpResult = main(() => {})
 */
export interface CustomVjpResult {
  readonly extremes: readonly number[]
  readonly stableValues: readonly number[]
  readonly stableGrads: readonly number[]
  readonly naiveValues: readonly number[]
  readonly naiveGrads: readonly number[]
  /** Central differences of the stable value at the extreme inputs. */
  readonly centralDifferences: readonly number[]
  readonly checkOk: boolean
  readonly checked: number
  readonly target: readonly number[]
  readonly signsWithEstimator: readonly number[]
  readonly signsWithPlainSign: readonly number[]
}

/**
 * Prints the naive and stable log-sigmoid side by side at extreme inputs, the gradient check, and
 * the straight-through estimator at work.
 * @example
 * main() // prints both parts
 */
export const main = (log: Log = console.log): CustomVjpResult => {
  const extremes = [-800, -40, 0, 40, 800]
  const x = tensor(extremes, f64)
  const total = (fn: (t: AnyTensor) => AnyTensor) => (t: AnyTensor) => sum(fn(t))
  const stableValues = toFlat(stableLogSigmoid(x))
  const stableGrads = toFlat(grad(total(stableLogSigmoid))(x))
  const naiveValues = toFlat(naiveLogSigmoid(x))
  const naiveGrads = toFlat(grad(total(naiveLogSigmoid))(x))
  const h = 1e-5
  const centralDifferences = extremes.map(
    (v) =>
      (toFlat(stableLogSigmoid(tensor([v + h], f64)))[0]! -
        toFlat(stableLogSigmoid(tensor([v - h], f64)))[0]!) /
      (2 * h),
  )
  log('log σ(x): naive log(sigmoid(x)) against customVjp with the rule σ(−x)')
  log(
    `${'x'.padStart(6)} ${'naive value'.padStart(14)} ${'naive grad'.padStart(12)} ${'stable value'.padStart(14)} ${'stable grad'.padStart(14)} ${'central diff'.padStart(14)}`,
  )
  extremes.forEach((v, i) => {
    const cells = [naiveValues[i]!, naiveGrads[i]!, stableValues[i]!, stableGrads[i]!, centralDifferences[i]!]
    const widths = [14, 12, 14, 14, 14]
    log(
      `${String(v).padStart(6)} ${cells.map((c, j) => Number(c.toPrecision(6)).toString().padStart(widths[j]!)).join(' ')}`,
    )
  })
  const moderate = tensor([-30, -4.5, -1, -0.25, 0, 0.3, 2, 7, 30], f64)
  const check = checkGrads(total(stableLogSigmoid), moderate, { order: 2, modes: ['full', 'random'] })
  log(
    `checkGrads of the stable log-sigmoid (first and second order, full Jacobian and random directions): ${check.ok ? 'ok' : 'FAILED'} (${check.checked} comparisons)`,
  )
  log('')
  const target = [1, -1, -1, 1, 1, -1]
  const start = tensor([-0.4, 0.3, 0.9, -0.1, -0.7, 0.05], f64)
  const targetTensor = tensor(target, f64)
  const signsWithEstimator = fitSigns(signStraightThrough, start, targetTensor)
  const signsWithPlainSign = fitSigns(sign, start, targetTensor)
  log('Straight-through estimator: descend on x so that sign(x) matches the target')
  log(`  start signs                 ${JSON.stringify(toFlat(sign(start)))}`)
  log(`  target                      ${JSON.stringify(target)}`)
  log(
    `  after 20 steps, plain sign  ${JSON.stringify(signsWithPlainSign)} (its gradient is 0: nothing moves)`,
  )
  log(`  after 20 steps, STE         ${JSON.stringify(signsWithEstimator)}`)
  return {
    extremes,
    stableValues,
    stableGrads,
    naiveValues,
    naiveGrads,
    centralDifferences,
    checkOk: check.ok,
    checked: check.checked,
    target,
    signsWithEstimator,
    signsWithPlainSign,
  }
}

if (isMain(import.meta.url)) main()
