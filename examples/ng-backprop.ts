/**
 * Andrew Ng's backpropagation algorithm (Machine Learning, week 5), written out literally with
 * loops over plain JavaScript arrays — no autodiff — and compared with nabla's `grad`.
 *
 * The network has an input layer (s₁ units), one sigmoid hidden layer (s₂) and a sigmoid output
 * layer (K), with bias units; Θ₁ is s₂ × (s₁ + 1) and Θ₂ is K × (s₂ + 1). The regularised logistic
 * cost of m examples is
 *
 *     J(Θ) = −1/m Σᵢ Σₖ [y log h + (1 − y) log(1 − h)] + λ/(2m) Σₗ Σⱼ Σ_{k≥1} Θ²
 *
 * (the bias column k = 0 is not regularised). For each example: forward propagation with a bias
 * unit, δ₃ = a₃ − y, δ₂ = (Θ₂)ᵀ δ₃ .* g'(z₂) dropping the bias row, Δₗ += δₗ₊₁ aₗᵀ; finally
 * D = Δ/m + (λ/m)Θ with the bias column unregularised. Then gradient checking, as in the course:
 * numerical gradient by central differences (ε = 10⁻⁴) beside the analytic one, and their relative
 * difference. The data and weights are the course's `checkNNGradients` debug set (sin-filled).
 *
 * Run: `npx tsx examples/ng-backprop.ts`
 *
 * @module examples/ng-backprop
 */
import {
  type AnyTensor,
  add,
  concat,
  customVjp,
  grad,
  item,
  log,
  matmul,
  mul,
  ones,
  scalar,
  sigmoid,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  toArray,
  transpose,
} from 'nabla'
import { checkGrads } from 'nabla/testing'
import { isMain, type Log } from './support.js'

/**
 * A matrix as rows of numbers.
 * @example
 * const theta: Matrix = [[0.1, 0.2], [0.3, 0.4]]
 */
export type Matrix = number[][]

/**
 * Θ₁ and Θ₂ of the two-layer network.
 * @example
 * const theta: Thetas = { theta1: debugWeights(5, 3), theta2: debugWeights(3, 5) }
 */
export interface Thetas {
  readonly theta1: Matrix
  readonly theta2: Matrix
}

/**
 * The problem: inputs X (m × s₁), labels Y (m × K, one-hot) and λ.
 * @example
 * const problem = debugProblem() // m = 5, s₁ = 3, s₂ = 5, K = 3, λ = 3
 */
export interface Problem {
  readonly X: Matrix
  readonly Y: Matrix
  readonly lambda: number
}

const g = (z: number): number => 1 / (1 + Math.exp(-z))
const gPrime = (z: number): number => g(z) * (1 - g(z))
const zerosLike = (a: Matrix): Matrix => a.map((row) => row.map(() => 0))

/**
 * The course's `debugInitializeWeights(fanOut, fanIn)`: a fanOut × (fanIn + 1) matrix filled
 * column by column (MATLAB order) with sin(1), sin(2), … divided by 10.
 * @example
 * debugWeights(2, 1) // [[sin(1)/10, sin(3)/10], [sin(2)/10, sin(4)/10]]
 */
export const debugWeights = (fanOut: number, fanIn: number): Matrix =>
  Array.from({ length: fanOut }, (_, r) =>
    Array.from({ length: fanIn + 1 }, (_, c) => Math.sin(1 + r + c * fanOut) / 10),
  )

/**
 * The course's gradient-checking set: s₁ = 3, s₂ = 5, K = 3, m = 5, labels 1 + (i mod K), λ = 3.
 * @example
 * const { problem, thetas } = debugProblem()
 */
export const debugProblem = (lambda = 3): { problem: Problem; thetas: Thetas } => {
  const [s1, s2, K, m] = [3, 5, 3, 5]
  const X = debugWeights(m, s1 - 1)
  const Y = Array.from({ length: m }, (_, i) =>
    Array.from({ length: K }, (_, k) => (k === (i + 1) % K ? 1 : 0)),
  )
  return { problem: { X, Y, lambda }, thetas: { theta1: debugWeights(s2, s1), theta2: debugWeights(K, s2) } }
}

/** Θ · [1; a]: a layer's pre-activation, with the bias unit prepended. */
const layer = (theta: Matrix, a: readonly number[]): { withBias: number[]; z: number[] } => {
  const withBias = [1, ...a]
  const z = theta.map((row) => row.reduce((s, t, k) => s + t * withBias[k]!, 0))
  return { withBias, z }
}

/**
 * Backpropagation, literally: per example forward propagation, δ terms, Δ accumulators; then
 * D = Δ/m + (λ/m)Θ with the bias column unregularised. Also returns J.
 * @example
 * const { problem, thetas } = debugProblem()
 * backprop(problem, thetas).D1 // 5 × 4, the gradient of J with respect to Θ₁
 */
export const backprop = (problem: Problem, thetas: Thetas): { J: number; D1: Matrix; D2: Matrix } => {
  const { X, Y, lambda } = problem
  const { theta1, theta2 } = thetas
  const m = X.length
  const Delta1 = zerosLike(theta1)
  const Delta2 = zerosLike(theta2)
  let J = 0
  for (let i = 0; i < m; i++) {
    // forward propagation
    const { withBias: a1, z: z2 } = layer(theta1, X[i]!)
    const { withBias: a2, z: z3 } = layer(theta2, z2.map(g))
    const a3 = z3.map(g)
    const y = Y[i]!
    a3.forEach((h, k) => {
      J += (-y[k]! * Math.log(h) - (1 - y[k]!) * Math.log(1 - h)) / m
    })
    // δ₃ = a₃ − y
    const delta3 = a3.map((h, k) => h - y[k]!)
    // δ₂ = (Θ₂)ᵀ δ₃ .* g'(z₂), dropping the bias row (j = 0) of Θ₂ᵀ δ₃
    const delta2 = z2.map((z, j) => {
      let s = 0
      for (let k = 0; k < delta3.length; k++) s += theta2[k]![j + 1]! * delta3[k]!
      return s * gPrime(z)
    })
    // Δₗ += δₗ₊₁ aₗᵀ
    delta2.forEach((d, r) => {
      a1.forEach((a, c) => {
        Delta1[r]![c]! += d * a
      })
    })
    delta3.forEach((d, r) => {
      a2.forEach((a, c) => {
        Delta2[r]![c]! += d * a
      })
    })
  }
  const regularise = (Delta: Matrix, theta: Matrix): Matrix =>
    Delta.map((row, r) => row.map((d, c) => d / m + (c === 0 ? 0 : (lambda / m) * theta[r]![c]!)))
  let penalty = 0
  for (const theta of [theta1, theta2])
    for (const row of theta) for (let c = 1; c < row.length; c++) penalty += row[c]! ** 2
  J += (lambda / (2 * m)) * penalty
  return { J, D1: regularise(Delta1, theta1), D2: regularise(Delta2, theta2) }
}

/**
 * Θ₁ and Θ₂ as float64 tensors: the parameters `grad` differentiates.
 * @example
 * const p: ThetaTensors = toTensors(debugProblem().thetas)
 */
export type ThetaTensors = { readonly theta1: Matrix64; readonly theta2: Matrix64 }

/** A float64 matrix of sizes known at run time. */
export type Matrix64 = Tensor<[number, number], 'float64'>

/**
 * The same parameters as tensors.
 * @example
 * toTensors(debugProblem().thetas).theta1.shape // [5, 4]
 */
export const toTensors = (thetas: Thetas): ThetaTensors => ({
  theta1: tensor(thetas.theta1, { dtype: 'float64' }),
  theta2: tensor(thetas.theta2, { dtype: 'float64' }),
})

/**
 * J(Θ) written with nabla ops, in the course's vectorised form: a bias column of ones before each
 * layer, h = g(a₂ Θ₂ᵀ), the cross-entropy summed over examples and units, the penalty over every
 * column of Θ but the first.
 * @example
 * const { problem, thetas } = debugProblem()
 * costFunction(problem)(toTensors(thetas)) // a scalar tensor, equal to backprop(…).J
 */
export const costFunction = (problem: Problem): ((p: ThetaTensors) => AnyTensor) => {
  const X = tensor(problem.X, { dtype: 'float64' })
  const Y = tensor(problem.Y, { dtype: 'float64' })
  const m = problem.X.length
  const bias = ones([m, 1], { dtype: 'float64' })
  const withoutBias = (theta: AnyTensor): AnyTensor =>
    slice(theta, [0, 1], [theta.shape[0]!, theta.shape[1]!])
  return (p) => {
    const a1 = concat([bias, X], 1)
    const a2 = concat([bias, sigmoid(matmul(a1, transpose(p.theta1)))], 1)
    const h = sigmoid(matmul(a2, transpose(p.theta2)))
    const crossEntropy = add(mul(Y, log(h)), mul(sub(1, Y), log(sub(1, h))))
    const data = mul(sum(crossEntropy), -1 / m)
    const penalty = add(sum(square(withoutBias(p.theta1))), sum(square(withoutBias(p.theta2))))
    return add(data, mul(penalty, problem.lambda / (2 * m)))
  }
}

/**
 * The course's `computeNumericalGradient`: for each parameter, (J(θ + ε) − J(θ − ε)) / 2ε.
 * @example
 * const { problem, thetas } = debugProblem()
 * numericalGradient((t) => backprop(problem, t).J, thetas) // same shapes as thetas
 */
export const numericalGradient = (J: (t: Thetas) => number, thetas: Thetas, epsilon = 1e-4): Thetas => {
  const perturbed = (key: keyof Thetas, r: number, c: number, d: number): Thetas => ({
    ...thetas,
    [key]: thetas[key].map((row, i) => row.map((v, j) => (i === r && j === c ? v + d : v))),
  })
  const along = (key: keyof Thetas): Matrix =>
    thetas[key].map((row, r) =>
      row.map(
        (_, c) => (J(perturbed(key, r, c, epsilon)) - J(perturbed(key, r, c, -epsilon))) / (2 * epsilon),
      ),
    )
  return { theta1: along('theta1'), theta2: along('theta2') }
}

/** Θ₁ then Θ₂, each column by column: Octave's `[Theta1(:); Theta2(:)]`. */
const unroll = (t: Thetas): number[] =>
  [t.theta1, t.theta2].flatMap((theta) => theta[0]!.flatMap((_, c) => theta.map((row) => row[c]!)))

/**
 * The loop version as a nabla function: J by loops forward, D by loops as its gradient rule
 * (`customVjp`), so `checkGrads` can test the hand-written backpropagation like any other function.
 * @example
 * const { problem, thetas } = debugProblem()
 * checkGrads(backpropAsFunction(problem), toTensors(thetas)).ok // true
 */
export const backpropAsFunction = (problem: Problem): ((p: ThetaTensors) => AnyTensor) => {
  const fromTensors = (t1: Matrix64, t2: Matrix64): Thetas => ({
    theta1: toArray(t1),
    theta2: toArray(t2),
  })
  const J = customVjp(
    (t1: Matrix64, t2: Matrix64): Tensor<[], 'float64'> =>
      scalar(backprop(problem, fromTensors(t1, t2)).J, { dtype: 'float64' }),
    (ct, _J, t1, t2) => {
      const { D1, D2 } = backprop(problem, fromTensors(t1, t2))
      return [mul(ct, tensor(D1, { dtype: 'float64' })), mul(ct, tensor(D2, { dtype: 'float64' }))]
    },
    'backprop',
  )
  return (p) => J(p.theta1, p.theta2)
}
const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0))

/**
 * What the example found.
 * @example
 * const r: NgResult = main(() => {}) // r.maxDifferenceFromGrad < 1e-10
 */
export interface NgResult {
  /** max |D − grad(J)| over every element of Θ₁ and Θ₂. */
  readonly maxDifferenceFromGrad: number
  /** |J by loops − J by nabla ops|. */
  readonly costDifference: number
  /** The course's check: ‖numerical − analytic‖ / ‖numerical + analytic‖. */
  readonly relativeDifference: number
  /** Whether nabla's `grad(J)` passes `checkGrads`. */
  readonly gradPassesCheck: boolean
  /** Whether the loop backpropagation (as a `customVjp`) passes `checkGrads`. */
  readonly loopsPassCheck: boolean
}

/**
 * Runs backpropagation by loops and by `grad` on the course's debug set, prints the gradient check
 * and returns the differences.
 * @example
 * main() // prints the numerical and analytic gradients side by side
 */
export const main = (log: Log = console.log): NgResult => {
  const { problem, thetas } = debugProblem()
  const { J, D1, D2 } = backprop(problem, thetas)
  const cost = costFunction(problem)
  const params = toTensors(thetas)
  const auto = grad(cost)(params)
  const autoD = { theta1: toArray(auto.theta1), theta2: toArray(auto.theta2) }
  const analytic = unroll({ theta1: D1, theta2: D2 })
  const fromGrad = unroll(autoD)
  const maxDifferenceFromGrad = Math.max(...analytic.map((d, i) => Math.abs(d - fromGrad[i]!)))
  const costDifference = Math.abs(J - item(cost(params)))

  log(`Backpropagation by loops (s1 = 3, s2 = 5, K = 3, m = 5, lambda = ${problem.lambda})`)
  log(`J(Theta) by loops = ${J.toPrecision(15)}, by nabla ops: difference ${costDifference.toExponential(1)}`)
  log(`max |D − grad(J)| over all ${analytic.length} weights: ${maxDifferenceFromGrad.toExponential(1)}`)
  log('')
  const numeric = unroll(numericalGradient((t) => backprop(problem, t).J, thetas))
  log('Gradient checking: numerical (left) and analytic backpropagation (right),')
  log('first 10 of [Theta1(:); Theta2(:)]')
  for (let i = 0; i < 10; i++)
    log(`  ${numeric[i]!.toFixed(10).padStart(14)} ${analytic[i]!.toFixed(10).padStart(14)}`)
  log('The above two columns you get should be very similar.')
  const relativeDifference =
    norm(numeric.map((n, i) => n - analytic[i]!)) / norm(numeric.map((n, i) => n + analytic[i]!))
  log(
    `Relative Difference: ${relativeDifference.toExponential(3)} (less than 1e-9 if backpropagation is right)`,
  )
  const check = checkGrads(cost, params)
  const loopsCheck = checkGrads(backpropAsFunction(problem), params)
  log('')
  const verdict = (c: typeof check): string =>
    `${c.ok ? 'ok' : 'FAILED'}, ${c.checked} derivatives compared with central differences`
  log(`checkGrads(J), nabla's grad:          ${verdict(check)}`)
  log(`checkGrads(J), backpropagation loops: ${verdict(loopsCheck)}`)
  return {
    maxDifferenceFromGrad,
    costDifference,
    relativeDifference,
    gradPassesCheck: check.ok,
    loopsPassCheck: loopsCheck.ok,
  }
}

if (isMain(import.meta.url)) main()
