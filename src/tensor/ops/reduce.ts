/**
 * Reductions over axes: `sum`, `max`, `min` (primitives) and `mean` (composite). An axis may be
 * negative; `axis` omitted reduces everything; `{ keepdims: true }` keeps reduced axes as size 1.
 * With literal axes the result type drops (or keeps) exactly those axes.
 *
 * @module ops/reduce
 */

import type { AxisArg, CheckAxis, Reduce } from '../../shapes/index.js'
import { apply } from '../dispatch.js'
import type { DType } from '../dtype.js'
import { ArgumentError, formatShape } from '../errors.js'
import type { Prim } from '../prim.js'
import * as prims from '../prims/index.js'
import type { ReduceParams } from '../prims/reduction.js'
import { normalizeAxes, type Shape } from '../shape.js'
import type { AnyTensor, Tensor } from '../tensor.js'
import { div } from './elementwise.js'
import { expectTensor } from './operand.js'

/**
 * Options of a reduction.
 * @example
 * import { sum, ones } from 'nabla'
 * sum(ones([2, 3]), 1, { keepdims: true }).shape // [2, 1]
 */
export interface ReduceOptions<K extends boolean = boolean> {
  /** Keep reduced axes as size-1 dimensions (default false). */
  readonly keepdims?: K
}

/**
 * The signature every reduction shares: literal axes are checked against the rank and removed (or
 * kept as 1) in the result type.
 * @example
 * import { type Reduction, sum } from 'nabla'
 * const total: Reduction = sum
 */
export type Reduction = <
  S extends Shape,
  D extends DType,
  const Axis extends AxisArg = undefined,
  K extends boolean = false,
>(
  x: Tensor<S, D>,
  axis?: Axis & CheckAxis<S, Axis>,
  options?: ReduceOptions<K>,
) => Tensor<Reduce<S, Axis, K>, D>

const reduction =
  (prim: Prim<ReduceParams>): Reduction =>
  (x, axis, options) => {
    const t = expectTensor(prim.name, 'x', x as AnyTensor)
    const axes = normalizeAxes(prim.name, axis as AxisArg, t.shape.length)
    return apply(prim, [t], { axes, keepdims: options?.keepdims === true }) as never
  }

/**
 * Sum over axes.
 * @example
 * import { sum, tensor } from 'nabla'
 * const x = tensor([[1, 2, 3], [4, 5, 6]])
 * sum(x)       // 21: Tensor<[]>
 * sum(x, 1)    // [6, 15]: Tensor<[2]>
 * sum(x, 0, { keepdims: true }) // [[5, 7, 9]]: Tensor<[1, 3]>
 */
export const sum = reduction(prims.sumPrim)
/**
 * Maximum over axes (an empty axis is an error).
 * @example
 * import { max, tensor } from 'nabla'
 * max(tensor([[1, 7], [4, 2]]), -1) // [7, 4]
 */
export const max = reduction(prims.maxPrim)
/**
 * Minimum over axes (an empty axis is an error).
 * @example
 * import { min, tensor } from 'nabla'
 * min(tensor([[1, 7], [4, 2]]), 0) // [1, 2]
 */
export const min = reduction(prims.minPrim)

/**
 * Mean over axes (an empty axis is an error, not NaN).
 * @example
 * import { mean, tensor } from 'nabla'
 * mean(tensor([[1, 2], [3, 4]]), 0) // [2, 3]
 */
export const mean: Reduction = (x, axis, options) => {
  const t = expectTensor('mean', 'x', x as AnyTensor)
  const axes = normalizeAxes('mean', axis as AxisArg, t.shape.length)
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1)
  if (count === 0)
    throw new ArgumentError(
      'mean',
      `cannot take the mean over an empty axis of a tensor of shape ${formatShape(t.shape)}`,
    )
  const total = apply(prims.sumPrim, [t], { axes, keepdims: options?.keepdims === true })
  return div(total, count) as never
}
