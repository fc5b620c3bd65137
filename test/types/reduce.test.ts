/** Type-level tests of reductions: literal axes drop (or keep) exactly those axes; bad axes do not compile. */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  ArgumentError,
  logsumexp,
  max,
  mean,
  min,
  type Shape,
  softmax,
  sum,
  type Tensor,
  tensor,
  zeros,
} from '../../src/index.js'

describe('reductions in the types', () => {
  const x = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ])

  it('remove the reduced axes, or keep them as 1 with keepdims', () => {
    expectTypeOf(sum(x)).toEqualTypeOf<Tensor<[], 'float32'>>()
    expectTypeOf(sum(x, 1)).toEqualTypeOf<Tensor<[2], 'float32'>>()
    expectTypeOf(sum(x, 0)).toEqualTypeOf<Tensor<[3], 'float32'>>()
    expectTypeOf(sum(x, 1, { keepdims: true })).toEqualTypeOf<Tensor<[2, 1], 'float32'>>()
    expectTypeOf(sum(x, undefined, { keepdims: true })).toEqualTypeOf<Tensor<[1, 1], 'float32'>>()
    expectTypeOf(sum(x, -1)).toEqualTypeOf<Tensor<[2], 'float32'>>()
    expectTypeOf(sum(x, -2, { keepdims: true })).toEqualTypeOf<Tensor<[1, 3], 'float32'>>()
    expectTypeOf(sum(x, [0, 1])).toEqualTypeOf<Tensor<[], 'float32'>>()
    expectTypeOf(mean(zeros([2, 3, 4]), [0, -1])).toEqualTypeOf<Tensor<[3], 'float32'>>()
    expectTypeOf(max(zeros([2, 3, 4]), [-1, 1], { keepdims: true })).toEqualTypeOf<
      Tensor<[2, 1, 1], 'float32'>
    >()
    expectTypeOf(min(zeros([5, 6], { dtype: 'float64' }), 0)).toEqualTypeOf<Tensor<[6], 'float64'>>()
    expectTypeOf(logsumexp(zeros([5, 6]), 1)).toEqualTypeOf<Tensor<[5], 'float32'>>()
    expectTypeOf(softmax(zeros([5, 6]))).toEqualTypeOf<Tensor<[5, 6], 'float32'>>()
    expect(mean(zeros([2, 3, 4]), [0, -1]).shape).toEqual([3])
  })

  it('fall back to Shape (unknown rank) for axes that are not literal', () => {
    const axis = 1 as number
    expectTypeOf(sum(x, axis)).toEqualTypeOf<Tensor<Shape, 'float32'>>()
    expectTypeOf(sum(x, [axis])).toEqualTypeOf<Tensor<Shape, 'float32'>>()
    const axes: number[] = [0]
    expectTypeOf(sum(x, axes)).toEqualTypeOf<Tensor<Shape, 'float32'>>()
  })

  it('do not compile an axis out of range, and throw at run time', () => {
    sum(x, 1)
    // @ts-expect-error: axis 2 is out of range for shape [2,3]
    expect(() => sum(x, 2)).toThrow(ArgumentError)
    // @ts-expect-error: axis -3 is out of range for shape [2,3]
    expect(() => mean(x, -3)).toThrow(ArgumentError)
    // @ts-expect-error: axis 5 in a list
    expect(() => max(x, [0, 5])).toThrow(ArgumentError)
    // @ts-expect-error: a rank-0 tensor has no axis 0
    expect(() => min(tensor(1), 0)).toThrow(ArgumentError)
    // @ts-expect-error: logsumexp checks its axis too
    expect(() => logsumexp(x, 2)).toThrow(ArgumentError)
  })
})
