/** Type-level tests of matmul: result shapes, and inner-dimension mismatches that do not compile. */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { DTypeError, matmul, ShapeError, type Tensor, tensor, zeros } from '../../src/index.js'

describe('matmul in the types', () => {
  it('computes 2-D, batched and broadcast-batch result shapes', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expectTypeOf(matmul(x, zeros([3, 4]))).toEqualTypeOf<Tensor<[2, 4], 'float32'>>()
    expectTypeOf(matmul(zeros([7, 2, 3]), zeros([3, 5]))).toEqualTypeOf<Tensor<[7, 2, 5], 'float32'>>()
    expectTypeOf(matmul(zeros([7, 1, 2, 3]), zeros([4, 3, 5]))).toEqualTypeOf<
      Tensor<[7, 4, 2, 5], 'float32'>
    >()
    expectTypeOf(
      matmul(zeros([2, 3], { dtype: 'float64' }), zeros([3, 1], { dtype: 'float64' })),
    ).toEqualTypeOf<Tensor<[2, 1], 'float64'>>()
    const batched = matmul(zeros([7, 1, 2, 3]), zeros([4, 3, 5]))
    expect(batched.shape).toEqual([7, 4, 2, 5])
  })

  it('does not compile [2,3] × [4,5], and throws a ShapeError naming both shapes at run time', () => {
    const x = zeros([2, 3])
    matmul(x, zeros([3, 5]))
    // @ts-expect-error: inner dimensions differ: a is [2,3], b is [4,5]
    expect(() => matmul(x, zeros([4, 5]))).toThrow(
      new ShapeError('matmul', 'inner dimensions differ: a is [2,3], b is [4,5]'),
    )
    // @ts-expect-error: the batched inner dimensions differ
    expect(() => matmul(zeros([8, 2, 3]), zeros([8, 2, 3]))).toThrow(ShapeError)
    // @ts-expect-error: batch dims 2 and 3 do not broadcast
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 4]))).toThrow(ShapeError)
    // @ts-expect-error: matmul needs rank 2 or more
    expect(() => matmul(zeros([3]), zeros([3, 4]))).toThrow(ShapeError)
    // @ts-expect-error: matmul needs rank 2 or more (b)
    expect(() => matmul(zeros([2, 3]), zeros([3]))).toThrow(ShapeError)
    // @ts-expect-error: float32 × float64
    expect(() => matmul(x, zeros([3, 2], { dtype: 'float64' }))).toThrow(DTypeError)
  })
})

// a hand-written layer generic in its batch dimension: matmul checks the inner dimension and keeps B
const hidden = <B extends number>(input: Tensor<[B, 784]>, w: Tensor<[784, 128]>): Tensor<[B, 128]> =>
  matmul(input, w)
// @ts-expect-error inner dimensions differ even with a generic batch dimension
const wrongInner = <B extends number>(input: Tensor<[B, 784]>, w: Tensor<[100, 128]>) => matmul(input, w)

describe('matmul with a generic batch dimension', () => {
  it('keeps the batch type parameter and still checks the inner dimension', () => {
    const out = hidden(zeros([5, 784]), zeros([784, 128]))
    expectTypeOf(out).toEqualTypeOf<Tensor<[5, 128]>>()
    expect(out.shape).toEqual([5, 128])
    expect(() => wrongInner(zeros([5, 784]), zeros([100, 128]))).toThrow(ShapeError)
  })
})
