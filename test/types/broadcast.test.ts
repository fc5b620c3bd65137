/**
 * Type-level tests of broadcasting and dtypes in elementwise ops: literal shapes are checked at
 * compile time (`// @ts-expect-error` lines fail `tsc` if a mismatch ever compiles), and the same
 * calls throw at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  add,
  DTypeError,
  greater,
  maximum,
  mul,
  relu,
  ShapeError,
  sub,
  type Tensor,
  where,
  zeros,
} from '../../src/index.js'

describe('broadcasting in the types', () => {
  it('computes broadcast result shapes', () => {
    expectTypeOf(add(zeros([3, 1]), zeros([1, 4]))).toEqualTypeOf<Tensor<[3, 4], 'float32'>>()
    expectTypeOf(mul(zeros([2, 3]), zeros([3]))).toEqualTypeOf<Tensor<[2, 3], 'float32'>>()
    expectTypeOf(sub(zeros([5, 1, 3]), zeros([4, 1]))).toEqualTypeOf<Tensor<[5, 4, 3], 'float32'>>()
    expectTypeOf(add(zeros([2, 3]), 1)).toEqualTypeOf<Tensor<[2, 3], 'float32'>>()
    expectTypeOf(add(1, zeros([2], { dtype: 'float64' }))).toEqualTypeOf<Tensor<[2], 'float64'>>()
    expectTypeOf(add(zeros([1, 1, 1, 1, 1, 6]), zeros([2, 3, 4, 5, 1, 1]))).toEqualTypeOf<
      Tensor<[2, 3, 4, 5, 1, 6], 'float32'>
    >()
    expectTypeOf(add(zeros([0, 1]), zeros([3]))).toEqualTypeOf<Tensor<[0, 3], 'float32'>>()
    expectTypeOf(where(greater(zeros([2, 1]), 0), zeros([3]), 0)).toEqualTypeOf<Tensor<[2, 3], 'float32'>>()
  })

  it('does not compile shapes that do not broadcast, and throws at run time', () => {
    add(zeros([2, 3]), zeros([2, 3]))
    // @ts-expect-error: cannot broadcast [2,3] with [3,4]
    expect(() => add(zeros([2, 3]), zeros([3, 4]))).toThrow(ShapeError)
    // @ts-expect-error: cannot broadcast [2] with [3]
    expect(() => maximum(zeros([2]), zeros([3]))).toThrow(ShapeError)
    // @ts-expect-error: the leading dims 5 and 4 clash
    expect(() => mul(zeros([5, 1, 3]), zeros([4, 2, 3]))).toThrow(ShapeError)
    where(zeros([2]), zeros([2]), zeros([2]))
    // @ts-expect-error: the branch [3] does not broadcast with the condition [2]
    expect(() => where(zeros([2]), zeros([3]), 0)).toThrow(ShapeError)
    // @ts-expect-error: b [4] does not broadcast with [2]
    expect(() => where(zeros([2]), zeros([2]), zeros([4]))).toThrow(ShapeError)
  })

  it('does not compile float32 mixed with float64, and throws at run time', () => {
    add(zeros([2]), zeros([2]))
    // @ts-expect-error: dtypes differ: float32 and float64
    expect(() => add(zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow(DTypeError)
    // @ts-expect-error: dtypes differ: float64 and float32
    expect(() => mul(zeros([2], { dtype: 'float64' }), zeros([2]))).toThrow(DTypeError)
  })
})

// shapes holding a type parameter: a bias or a scalar broadcast against [B, N] keeps B
const biasAdd = <B extends number>(h: Tensor<[B, 128]>, b: Tensor<[128]>): Tensor<[B, 128]> => relu(add(h, b))
const doubled = <B extends number>(h: Tensor<[B, 10]>): Tensor<[B, 10]> => mul(h, 2)
// @ts-expect-error a bias of the wrong size does not compile even with a generic batch dimension
const wrongBias = <B extends number>(h: Tensor<[B, 128]>, b: Tensor<[64]>) => add(h, b)

describe('broadcasting with a generic batch dimension', () => {
  it('keeps the type parameter and still rejects a clash', () => {
    expectTypeOf(biasAdd(zeros([5, 128]), zeros([128]))).toEqualTypeOf<Tensor<[5, 128]>>()
    expect(doubled(zeros([2, 10])).shape).toEqual([2, 10])
    expect(() => wrongBias(zeros([5, 128]), zeros([64]))).toThrow(ShapeError)
  })
})
