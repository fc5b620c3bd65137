/**
 * Matrix products. `matmul` multiplies the last two axes and broadcasts leading batch axes; with
 * literal shapes a mismatch of inner dimensions does not compile.
 *
 * @module ops/linalg
 */

import type { CheckMatmul, CheckSameDType, JoinDType, MatmulShape } from '../../shapes/index.js'
import { apply } from '../dispatch.js'
import type { DType } from '../dtype.js'
import * as prims from '../prims/index.js'
import type { Shape } from '../shape.js'
import type { Tensor } from '../tensor.js'
import { expectTensor } from './operand.js'

/**
 * The matrix product of the last two axes; leading axes broadcast (`[b, m, k] @ [k, n]` is
 * `[b, m, n]`).
 * @example
 * import { matmul, tensor, zeros } from 'nabla'
 * const a = tensor([[1, 2, 3], [4, 5, 6]])   // Tensor<[2, 3]>
 * const c = matmul(a, zeros([3, 4]))          // Tensor<[2, 4]>
 * // matmul(a, zeros([4, 5]))                 // does not compile: inner dimensions differ
 */
export const matmul = <A extends Shape, B extends Shape, DA extends DType, DB extends DType>(
  a: Tensor<A, DA>,
  b: Tensor<B, DB> & CheckMatmul<A, B> & CheckSameDType<DA, DB>,
): Tensor<MatmulShape<A, B>, JoinDType<DA, DB>> =>
  apply(prims.matmulPrim, [expectTensor('matmul', 'a', a), expectTensor('matmul', 'b', b)], {
    transposeA: false,
    transposeB: false,
  }) as Tensor<MatmulShape<A, B>, JoinDType<DA, DB>>

/**
 * Which operands `matmulTransposed` uses transposed (both default to false).
 * @example
 * import { matmulTransposed, ones } from 'nabla'
 * matmulTransposed(ones([2, 3]), ones([4, 3]), { transposeB: true }).shape // [2, 4]
 */
export interface TransposeFlags {
  readonly transposeA?: boolean
  readonly transposeB?: boolean
}

/**
 * `op(a) · op(b)` where `op` swaps the last two axes when its flag is set, without materialising the
 * transpose (the backward pass of `matmul` uses it). Shapes are checked at run time only.
 * @example
 * import { matmulTransposed, ones } from 'nabla'
 * matmulTransposed(ones([3, 2]), ones([3, 4]), { transposeA: true }).shape // [2, 4]
 */
export const matmulTransposed = <D extends DType>(
  a: Tensor<Shape, D>,
  b: Tensor<Shape, D | DType>,
  flags: TransposeFlags = {},
): Tensor<Shape, D> =>
  apply(
    prims.matmulPrim,
    [expectTensor('matmulTransposed', 'a', a), expectTensor('matmulTransposed', 'b', b)],
    {
      transposeA: flags.transposeA === true,
      transposeB: flags.transposeB === true,
    },
  ) as Tensor<Shape, D>
