/**
 * The README's short tour, compiled and run: a shape mismatch that does not compile (and the error
 * you get at run time when shapes are only known then), `grad` of a small network whose gradient
 * has the parameters' type, and a fast-check property test of your own model with `nabla/testing`.
 * (In your project, import from `'nabla'` and `'nabla/testing'`.)
 *
 * Run: `npx tsx examples/tour.ts`
 *
 * @module examples/tour
 */
import fc from 'fast-check'
import {
  type AnyTensor,
  add,
  grad,
  matmul,
  mean,
  ShapeError,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  toArray,
  zeros,
} from 'nabla'
import { arbTensor, assertGrads } from 'nabla/testing'
import { isMain, type Log } from './support.js'

// 1. Shapes are checked by the compiler where they are literal, and always at run time.

const x = tensor([
  [1, 2, 3],
  [4, 5, 6],
]) // Tensor<[2, 3], 'float32'>
const y = matmul(x, zeros([3, 4])) // Tensor<[2, 4], 'float32'>

/**
 * The same mistake caught twice: by the compiler for literal shapes, and by the run-time check when
 * the shape is only known at run time. Returns the run-time message.
 * @example
 * shapeMismatch() // 'matmul: inner dimensions differ: a is [2,3], b is [4,5]'
 */
export const shapeMismatch = (): string => {
  const compileTime = (): void => {
    // tsc: Argument of type 'Tensor<[4, 5], "float32">' is not assignable to parameter of type
    //   'Tensor<[4, 5], "float32"> & ShapeErrorType<"inner dimensions differ: a is [2,3], b is [4,5]">'.
    // @ts-expect-error the inner dimensions 3 and 4 differ
    matmul(x, zeros([4, 5]))
  }
  void compileTime // never called: it does not compile
  const loaded: AnyTensor = zeros([4, 5]) // a shape known only at run time
  try {
    matmul(x, loaded)
    return 'no error'
  } catch (error) {
    return error instanceof ShapeError ? error.message : String(error)
  }
}

// 2. Gradients have the type of the parameters they differentiate.

/**
 * The parameters of a one-layer network.
 * @example
 * const p: Params = { w: zeros([3, 4]), b: zeros([4]) }
 */
export type Params = { readonly w: Tensor<[3, 4]>; readonly b: Tensor<[4]> }

/**
 * Σ tanh(x w + b) over the batch x.
 * @example
 * f(params) // a scalar tensor
 */
export const f = (p: Params): Tensor<[]> => sum(tanh(add(matmul(x, p.w), p.b)))

/**
 * Some parameters.
 * @example
 * grad(f)(params).w.shape // [3, 4]
 */
export const params: Params = {
  w: tensor([
    [0.1, -0.2, 0.3, 0.05],
    [0.0, 0.1, -0.1, 0.2],
    [-0.3, 0.2, 0.1, 0.0],
  ]),
  b: tensor([0.1, 0, -0.1, 0.2]),
}

const g = grad(f)(params) // Params: { w: Tensor<[3, 4]>, b: Tensor<[4]> }

// 3. Your own model can be property-tested the way nabla tests itself.

/**
 * A user's model: the mean squared error of a linear layer with tanh on a fixed batch.
 * @example
 * model(zeros([4, 3], { dtype: 'float64' }), batch) // a scalar tensor
 */
export const model = (w: AnyTensor, input: AnyTensor): AnyTensor =>
  mean(square(sub(tanh(matmul(input, w)), 0.5)))

/**
 * The fixed batch of the property test (float64, as gradient checking wants).
 * @example
 * batch.shape // [2, 4]
 */
export const batch = tensor(
  [
    [0.5, -1, 2, 0],
    [1, 1, -0.5, 0.3],
  ],
  { dtype: 'float64' },
)

/**
 * The property: for every weight matrix, the model's gradients (first and second order) agree
 * with finite differences. Throws fast-check's report if not.
 * @example
 * propertyTest() // 50 runs
 */
export const propertyTest = (numRuns = 50): number => {
  let runs = 0
  fc.assert(
    fc.property(arbTensor([4, 3], { dtype: 'float64' }), (w) => {
      runs++
      assertGrads((p) => model(p, batch), w, { order: 2 }) // full Jacobian, first and second order
    }),
    { seed: 1, numRuns },
  )
  return runs
}

/**
 * Runs the tour and prints what each part shows.
 * @example
 * main()
 */
export const main = (
  log: Log = console.log,
): { message: string; yShape: readonly number[]; gradient: Params; runs: number } => {
  const message = shapeMismatch()
  log(`1. matmul of [2,3] by [4,5]: does not compile; with a run-time shape it throws "${message}"`)
  log(`   matmul of [2,3] by [3,4] has shape [${y.shape}]`)
  log(`2. grad(f)(params).w has shape [${g.w.shape}], .b has shape [${g.b.shape}]`)
  log(`   ∂f/∂b = ${JSON.stringify(toArray(g.b).map((v) => Number(v.toPrecision(6))))}`)
  const runs = propertyTest()
  log(`3. the model's gradients agree with finite differences in ${runs} random weight settings`)
  return { message, yShape: y.shape, gradient: g, runs }
}

if (isMain(import.meta.url)) main()
