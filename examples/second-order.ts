/**
 * Second order: Hessians, Hessian-vector products and Newton's method, each checked against a
 * Hessian derived by hand.
 *
 * 1. A cubic, f(x) = x₀³ + x₁³ + x₂³ + x₀x₁x₂. By hand, ∂²f/∂xᵢ² = 6xᵢ and ∂²f/∂xᵢ∂xⱼ = xₖ
 *    (k the third index). `hessian(f)(x)` and `hvp(f)(x, v)` (which never forms the matrix) are
 *    compared with it.
 * 2. A quadratic, f(x) = ½ xᵀAx − bᵀx with A symmetric positive definite: its Hessian is A, and one
 *    Newton step x − H⁻¹∇f(x) lands on the minimiser A⁻¹b from anywhere.
 * 3. Rosenbrock's function, f(x, y) = (1 − x)² + 100(y − x²)², from the classic start (−1.2, 1):
 *    Newton's method with the Hessian from `hessian` (compared at every step with the hand
 *    formula [[1200x² − 400y + 2, −400x], [−400x, 200]]) reaches the minimum (1, 1).
 *
 * Run: `npx tsx examples/second-order.ts`
 *
 * @module examples/second-order
 */
import {
  add,
  grad,
  hessian,
  hvp,
  matmul,
  mul,
  reshape,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  toArray,
  toFlat,
} from 'nabla'
import { isMain, type Log } from './support.js'

const f64: { readonly dtype: 'float64' } = { dtype: 'float64' }

/** A float64 vector of a length known at run time. */
export type Vector = Tensor<[number], 'float64'>
/** A float64 scalar. */
export type Scalar = Tensor<[], 'float64'>

/** The i-th element of a vector, as a rank-0 tensor. */
const at = (x: Vector, i: number): Scalar => reshape(slice(x, [i], [i + 1]), [])

/**
 * f(x) = x₀³ + x₁³ + x₂³ + x₀x₁x₂.
 * @example
 * cubic(tensor([1, 2, 3], { dtype: 'float64' })) // 1 + 8 + 27 + 6 = 42
 */
export const cubic = (x: Vector): Scalar =>
  add(sum(mul(mul(x, x), x)), mul(mul(at(x, 0), at(x, 1)), at(x, 2)))

/**
 * The cubic's Hessian by hand: 6xᵢ on the diagonal, xₖ off it.
 * @example
 * cubicHessianByHand([1, 2, 3]) // [[6, 3, 2], [3, 12, 1], [2, 1, 18]]
 */
export const cubicHessianByHand = (x: readonly number[]): number[][] =>
  [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 6 * x[i]! : x[3 - i - j]!)))

/**
 * Rosenbrock's function (1 − x)² + 100(y − x²)² of p = [x, y].
 * @example
 * rosenbrock(tensor([1, 1], { dtype: 'float64' })) // 0
 */
export const rosenbrock = (p: Vector): Scalar => {
  const x = at(p, 0)
  const y = at(p, 1)
  return add(square(sub(1, x)), mul(square(sub(y, square(x))), 100))
}

/**
 * Rosenbrock's Hessian by hand.
 * @example
 * rosenbrockHessianByHand(1, 1) // [[802, -400], [-400, 200]]
 */
export const rosenbrockHessianByHand = (x: number, y: number): number[][] => [
  [1200 * x * x - 400 * y + 2, -400 * x],
  [-400 * x, 200],
]

/**
 * Solves H d = g by Gaussian elimination with partial pivoting (plain numbers).
 * @example
 * solve([[2, 0], [0, 4]], [2, 2]) // [1, 0.5]
 */
export const solve = (H: readonly (readonly number[])[], g: readonly number[]): number[] => {
  const n = g.length
  const a = H.map((row, i) => [...row, g[i]!])
  for (let c = 0; c < n; c++) {
    let pivot = c
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r
    ;[a[c], a[pivot]] = [a[pivot]!, a[c]!]
    for (let r = c + 1; r < n; r++) {
      const factor = a[r]![c]! / a[c]![c]!
      for (let k = c; k <= n; k++) a[r]![k]! -= factor * a[c]![k]!
    }
  }
  const d = new Array<number>(n).fill(0)
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * d[k]!
    d[r] = s / a[r]![r]!
  }
  return d
}

/**
 * One Newton step x − H⁻¹∇f(x), with ∇f from `grad` and H from `hessian`.
 * @example
 * newtonStep(rosenbrock, [-1.2, 1]) // the next iterate
 */
export const newtonStep = (f: (x: Vector) => Scalar, x: readonly number[]): number[] => {
  const point = tensor([...x], f64)
  const g = toFlat(grad(f)(point))
  const H = toArray(hessian(f)(point))
  const d = solve(H, g)
  return x.map((v, i) => v - d[i]!)
}

const maxAbs = (a: readonly number[]): number => Math.max(...a.map(Math.abs))
const fmt = (v: number): string => Number(v.toPrecision(10)).toString()
const row = (r: readonly number[]): string => `[${r.map(fmt).join(', ')}]`

/**
 * What the example found: the largest disagreements with the hand-derived Hessians, the Newton
 * iterates.
 * @example
 * const r: SecondOrderResult = main(() => {})
 */
export interface SecondOrderResult {
  readonly cubicHessianError: number
  readonly cubicHvpError: number
  readonly quadraticStep: readonly number[]
  readonly quadraticMinimiser: readonly number[]
  readonly quadraticGradientAfterStep: number
  readonly rosenbrockHessianError: number
  readonly rosenbrockIterates: readonly (readonly number[])[]
}

/**
 * Runs the three parts and prints them.
 * @example
 * main() // prints the Hessians, the Newton step and the Rosenbrock iterates
 */
export const main = (log: Log = console.log): SecondOrderResult => {
  // 1. the cubic
  const x = [0.5, -1.5, 2]
  const v = [1, 2, -1]
  const H = toArray(hessian(cubic)(tensor(x, f64)))
  const byHand = cubicHessianByHand(x)
  const cubicHessianError = maxAbs(H.flatMap((r, i) => r.map((h, j) => h - byHand[i]![j]!)))
  const Hv = toFlat(hvp(cubic)(tensor(x, f64), tensor(v, f64)))
  const HvByHand = byHand.map((r) => r.reduce((s, h, j) => s + h * v[j]!, 0))
  const cubicHvpError = maxAbs(Hv.map((h, i) => h - HvByHand[i]!))
  log(`f(x) = x0³ + x1³ + x2³ + x0·x1·x2 at x = ${row(x)}`)
  log('  hessian(f)(x)              by hand: diag 6xᵢ, off-diagonal xₖ')
  H.forEach((r, i) => {
    log(`  ${row(r).padEnd(26)} ${row(byHand[i]!)}`)
  })
  log(`  hvp(f)(x, ${row(v)}) = ${row(Hv)}, by hand ${row(HvByHand)}`)
  log('')

  // 2. the quadratic: one Newton step is exact
  const A = [
    [4, 1, 0],
    [1, 3, -1],
    [0, -1, 2],
  ]
  const b = [1, -2, 3]
  const At = tensor(A, f64)
  const bt = tensor(b, f64)
  const quadratic = (p: Vector): Scalar =>
    sub(mul(sum(mul(p, reshape(matmul(At, reshape(p, [3, 1])), [3]))), 0.5), sum(mul(bt, p)))
  const quadraticStep = newtonStep(quadratic, [10, -7, 4])
  const quadraticMinimiser = solve(A, b)
  const quadraticGradientAfterStep = maxAbs(toFlat(grad(quadratic)(tensor(quadraticStep, f64))))
  log('f(x) = ½ xᵀAx − bᵀx: one Newton step from [10, -7, 4]')
  log(`  lands on ${row(quadraticStep)}; A⁻¹b = ${row(quadraticMinimiser)}`)
  log(`  |∇f| there: ${quadraticGradientAfterStep.toExponential(1)}`)
  log('')

  // 3. Rosenbrock
  let p = [-1.2, 1]
  const rosenbrockIterates = [p]
  let rosenbrockHessianError = 0
  log("Newton's method on Rosenbrock's function from [-1.2, 1]")
  for (let k = 0; k < 8; k++) {
    const Hr = toArray(hessian(rosenbrock)(tensor(p, f64)))
    const hand = rosenbrockHessianByHand(p[0]!, p[1]!)
    rosenbrockHessianError = Math.max(
      rosenbrockHessianError,
      maxAbs(Hr.flatMap((r, i) => r.map((h, j) => h - hand[i]![j]!))),
    )
    p = newtonStep(rosenbrock, p)
    rosenbrockIterates.push(p)
    log(`  step ${k + 1}: ${row(p).padEnd(34)} f = ${fmt(toFlat(rosenbrock(tensor(p, f64)))[0]!)}`)
  }
  log(`  largest |hessian − hand formula| along the way: ${rosenbrockHessianError.toExponential(1)}`)
  return {
    cubicHessianError,
    cubicHvpError,
    quadraticStep,
    quadraticMinimiser,
    quadraticGradientAfterStep,
    rosenbrockHessianError,
    rosenbrockIterates,
  }
}

if (isMain(import.meta.url)) main()
