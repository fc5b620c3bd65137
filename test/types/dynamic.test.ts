/**
 * A dimension typed `number` (data loaded at run time) switches the static check off for that
 * dimension only; the run-time check then throws a ShapeError naming both shapes.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { add, matmul, type Shape, ShapeError, sum, type Tensor, zeros } from '../../src/index.js'

const batch = (n: number): Tensor<[number, 3], 'float32'> => zeros([n, 3])

describe('number dimensions', () => {
  it('compile against any value in that dimension, keeping the other dimensions checked', () => {
    const a = batch(2)
    expectTypeOf(matmul(a, zeros([3, 5]))).toEqualTypeOf<Tensor<[number, 5], 'float32'>>()
    expectTypeOf(() => add(a, zeros([4, 3]))).returns.toEqualTypeOf<Tensor<[4, 3], 'float32'>>()
    expect(add(batch(4), zeros([4, 3])).shape).toEqual([4, 3])
    expectTypeOf(sum(a, 0)).toEqualTypeOf<Tensor<[3], 'float32'>>()
    expect(matmul(a, zeros([3, 5])).shape).toEqual([2, 5])
    // @ts-expect-error: the literal inner dimension 3 still clashes with 4
    expect(() => matmul(a, zeros([4, 5]))).toThrow(ShapeError)
    // @ts-expect-error: the literal last dimension 3 still clashes with 4
    expect(() => add(a, zeros([2, 4]))).toThrow(ShapeError)
  })

  it('a number inner dimension compiles, and the run-time check names both shapes', () => {
    const k = 4 as number
    const a: Tensor<[2, number]> = zeros([2, k])
    expectTypeOf(() => matmul(a, zeros([3, 5]))).returns.toEqualTypeOf<Tensor<[2, 5], 'float32'>>()
    expect(() => matmul(a, zeros([3, 5]))).toThrow(
      new ShapeError('matmul', 'inner dimensions differ: a is [2,4], b is [3,5]'),
    )
    // the Done-when case: [2,3] × [4,5] with shapes known only at run time
    const three = 3 as number
    const x = zeros([2, three])
    const y = zeros([4, 5])
    expectTypeOf(x).toEqualTypeOf<Tensor<[2, number], 'float32'>>()
    expect(() => matmul(x, y)).toThrow(
      new ShapeError('matmul', 'inner dimensions differ: a is [2,3], b is [4,5]'),
    )
  })

  it('shapes of unknown rank switch every static check off; the run-time check still runs', () => {
    const s: number[] = [2, 3]
    const t: number[] = [4, 5]
    expectTypeOf(() => matmul(zeros(s), zeros(t))).returns.toEqualTypeOf<Tensor<Shape, 'float32'>>()
    expect(() => matmul(zeros(s), zeros(t))).toThrow(
      new ShapeError('matmul', 'inner dimensions differ: a is [2,3], b is [4,5]'),
    )
    expect(() => add(zeros(s), zeros([3, 4]))).toThrow(
      new ShapeError(
        'add',
        'cannot broadcast [2,3] with [3,4]: axis 0 (aligned from the right) is 2 vs 3; dimensions must be equal or 1',
      ),
    )
  })
})
