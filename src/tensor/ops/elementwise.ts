/**
 * Elementwise ops: unary maths, broadcasting arithmetic, comparisons and `where`. Binary ops take
 * tensors or numbers; shapes broadcast by NumPy's rules, checked at compile time where shapes are
 * literal and always at run time.
 *
 * @module ops/elementwise
 */

import type {
  Broadcast,
  Broadcast3,
  CheckBinary,
  CheckBroadcast,
  ResultDType,
  ShapeOf,
} from '../../shapes/index.js'
import { apply } from '../dispatch.js'
import type { DType } from '../dtype.js'
import type { Prim } from '../prim.js'
import * as prims from '../prims/index.js'
import type { Shape } from '../shape.js'
import type { Tensor } from '../tensor.js'
import { expectTensor, type TensorOrNumber, toTensors } from './operand.js'

/**
 * The result type of a broadcasting binary op: the broadcast shape, and the dtype of the tensor
 * operand (float32 when both are numbers).
 * @example
 * import type { BinaryResult, Tensor } from 'nabla'
 * type R = BinaryResult<Tensor<[2, 1], 'float64'>, Tensor<[3]>> // Tensor<[2, 3], 'float64'>
 */
export type BinaryResult<A, B> = Tensor<Broadcast<ShapeOf<A>, ShapeOf<B>>, ResultDType<A, B>>

const unary =
  (prim: Prim<undefined>) =>
  <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> =>
    apply(prim, [expectTensor(prim.name, 'x', x)], undefined) as Tensor<S, D>

const binary =
  (prim: Prim<undefined>) =>
  <A extends TensorOrNumber, B extends TensorOrNumber>(a: A, b: B & CheckBinary<A, B>): BinaryResult<A, B> =>
    apply(prim, toTensors(prim.name, ['a', 'b'], [a, b as TensorOrNumber]), undefined) as BinaryResult<A, B>

/**
 * −x, elementwise.
 * @example
 * import { neg, tensor } from 'nabla'
 * neg(tensor([1, -2])) // [-1, 2]
 */
export const neg = unary(prims.negPrim)
/**
 * eˣ, elementwise.
 * @example
 * import { exp, tensor } from 'nabla'
 * exp(tensor([0, 1])) // [1, 2.718…]
 */
export const exp = unary(prims.expPrim)
/**
 * Natural logarithm, elementwise (log 0 = −Infinity; negative → NaN).
 * @example
 * import { log, tensor } from 'nabla'
 * log(tensor([1, Math.E])) // [0, 1] up to float32 rounding
 */
export const log = unary(prims.logPrim)
/**
 * log(1 + x), accurate for tiny x.
 * @example
 * import { log1p, tensor } from 'nabla'
 * log1p(tensor([1e-10])) // [1e-10]
 */
export const log1p = unary(prims.log1pPrim)
/**
 * Square root, elementwise. Its gradient at 0 is +Infinity.
 * @example
 * import { sqrt, tensor } from 'nabla'
 * sqrt(tensor([4, 9])) // [2, 3]
 */
export const sqrt = unary(prims.sqrtPrim)
/**
 * |x|, elementwise. Its gradient at 0 is 0.
 * @example
 * import { abs, tensor } from 'nabla'
 * abs(tensor([-1, 2])) // [1, 2]
 */
export const abs = unary(prims.absPrim)
/**
 * Sign (−1, 0, 1), elementwise; gradient 0.
 * @example
 * import { sign, tensor } from 'nabla'
 * sign(tensor([-3, 0, 2])) // [-1, 0, 1]
 */
export const sign = unary(prims.signPrim)
/**
 * The largest integer not above x (NaN and ±∞ stay), elementwise; gradient 0.
 * @example
 * import { floor, tensor } from 'nabla'
 * floor(tensor([-1.5, 0.5, 2])) // [-2, 0, 2]
 */
export const floor = unary(prims.floorPrim)
/**
 * Sine, elementwise.
 * @example
 * import { sin, tensor } from 'nabla'
 * sin(tensor([0])) // [0]
 */
export const sin = unary(prims.sinPrim)
/**
 * Cosine, elementwise.
 * @example
 * import { cos, tensor } from 'nabla'
 * cos(tensor([0])) // [1]
 */
export const cos = unary(prims.cosPrim)
/**
 * Hyperbolic tangent, elementwise.
 * @example
 * import { tanh, tensor } from 'nabla'
 * tanh(tensor([0])) // [0]
 */
export const tanh = unary(prims.tanhPrim)
/**
 * Logistic sigmoid 1 / (1 + e⁻ˣ), elementwise, without overflow.
 * @example
 * import { sigmoid, tensor } from 'nabla'
 * sigmoid(tensor([0, 1000, -1000])) // [0.5, 1, 0]
 */
export const sigmoid = unary(prims.sigmoidPrim)
/**
 * max(x, 0), elementwise. Its gradient at 0 is 0.
 * @example
 * import { relu, tensor } from 'nabla'
 * relu(tensor([-1, 2])) // [0, 2]
 */
export const relu = unary(prims.reluPrim)

/**
 * a + b with broadcasting.
 * @example
 * import { add, tensor } from 'nabla'
 * add(tensor([[1], [2]]), tensor([10, 20])) // [[11, 21], [12, 22]]: Tensor<[2, 2]>
 */
export const add = binary(prims.addPrim)
/**
 * a − b with broadcasting.
 * @example
 * import { sub, tensor } from 'nabla'
 * sub(tensor([3, 4]), 1) // [2, 3]
 */
export const sub = binary(prims.subPrim)
/**
 * a · b (elementwise) with broadcasting.
 * @example
 * import { mul, tensor } from 'nabla'
 * mul(tensor([1, 2]), 3) // [3, 6]
 */
export const mul = binary(prims.mulPrim)
/**
 * a / b with broadcasting (IEEE division).
 * @example
 * import { div, tensor } from 'nabla'
 * div(tensor([1, 2]), 2) // [0.5, 1]
 */
export const div = binary(prims.divPrim)
/**
 * aᵇ with broadcasting.
 * @example
 * import { pow, tensor } from 'nabla'
 * pow(tensor([2, 3]), 2) // [4, 9]
 */
export const pow = binary(prims.powPrim)
/**
 * Elementwise maximum with broadcasting; ties split the gradient equally.
 * @example
 * import { maximum, tensor } from 'nabla'
 * maximum(tensor([1, 5]), 3) // [3, 5]
 */
export const maximum = binary(prims.maximumPrim)
/**
 * Elementwise minimum with broadcasting; ties split the gradient equally.
 * @example
 * import { minimum, tensor } from 'nabla'
 * minimum(tensor([1, 5]), 3) // [1, 3]
 */
export const minimum = binary(prims.minimumPrim)
/**
 * 1 where a = b, else 0.
 * @example
 * import { equal, tensor } from 'nabla'
 * equal(tensor([1, 2]), 2) // [0, 1]
 */
export const equal = binary(prims.equalPrim)
/**
 * 1 where a ≠ b, else 0.
 * @example
 * import { notEqual, tensor } from 'nabla'
 * notEqual(tensor([1, 2]), 2) // [1, 0]
 */
export const notEqual = binary(prims.notEqualPrim)
/**
 * 1 where a < b, else 0.
 * @example
 * import { less, tensor } from 'nabla'
 * less(tensor([1, 2]), 2) // [1, 0]
 */
export const less = binary(prims.lessPrim)
/**
 * 1 where a ≤ b, else 0.
 * @example
 * import { lessEqual, tensor } from 'nabla'
 * lessEqual(tensor([1, 2]), 2) // [1, 1]
 */
export const lessEqual = binary(prims.lessEqualPrim)
/**
 * 1 where a > b, else 0.
 * @example
 * import { greater, tensor } from 'nabla'
 * greater(tensor([1, 2]), 1) // [0, 1]
 */
export const greater = binary(prims.greaterPrim)
/**
 * 1 where a ≥ b, else 0.
 * @example
 * import { greaterEqual, tensor } from 'nabla'
 * greaterEqual(tensor([1, 2]), 2) // [0, 1]
 */
export const greaterEqual = binary(prims.greaterEqualPrim)

/**
 * `a` where `condition` is non-zero, else `b`; all three broadcast. Gradients flow only into the
 * branch taken, so NaN in the other branch never leaks.
 * @example
 * import { where, greater, tensor } from 'nabla'
 * const x = tensor([-1, 2])
 * where(greater(x, 0), x, 0) // [0, 2]
 */
export const where = <C extends TensorOrNumber, A extends TensorOrNumber, B extends TensorOrNumber>(
  condition: C,
  a: A & CheckBroadcast<ShapeOf<C>, ShapeOf<A>>,
  b: B & CheckBinary<A, B> & CheckBroadcast<Broadcast<ShapeOf<C>, ShapeOf<A>>, ShapeOf<B>>,
): Tensor<Broadcast3<ShapeOf<C>, ShapeOf<A>, ShapeOf<B>>, ResultDType<A, B>> => {
  const [ta, tb] = toTensors('where', ['a', 'b'], [a as TensorOrNumber, b as TensorOrNumber])
  const [tc] = toTensors('where', ['condition'], [condition])
  return apply(prims.wherePrim, [tc!, ta!, tb!], undefined) as never
}
