/** Type-level tests of convolution and pooling shapes (checked by `tsc`; the calls also run). */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  avgPool2d,
  type CheckConv2d,
  type Conv2dShape,
  conv2d,
  maxPool2d,
  type Pool2dShape,
  type ShapeErrorType,
  type Tensor,
  zeros,
} from '../../src/index.js'

describe('convolution and pooling types', () => {
  it('computes conv2d result shapes from literal shapes and options', () => {
    expectTypeOf<Conv2dShape<[8, 1, 28, 28], [16, 1, 5, 5], {}>>().toEqualTypeOf<[8, 16, 24, 24]>()
    expectTypeOf<Conv2dShape<[8, 1, 28, 28], [16, 1, 5, 5], { padding: 'same' }>>().toEqualTypeOf<
      [8, 16, 28, 28]
    >()
    expectTypeOf<Conv2dShape<[8, 1, 28, 28], [16, 1, 5, 5], { padding: 'same'; stride: 2 }>>().toEqualTypeOf<
      [8, 16, 14, 14]
    >()
    expectTypeOf<Conv2dShape<[8, 1, 28, 28], [16, 1, 5, 5], { stride: [2, 1]; padding: 2 }>>().toEqualTypeOf<
      [8, 16, 14, 28]
    >()
    expectTypeOf<Conv2dShape<[8, 1, 28, 28], [16, 1, 5, 5], { dilation: 2 }>>().toEqualTypeOf<
      [8, 16, number, number]
    >()
    expectTypeOf<Conv2dShape<[number, 1, number, 28], [16, 1, 5, 5], {}>>().toEqualTypeOf<
      [number, 16, number, 24]
    >()
  })

  it('computes pooling shapes (the stride defaults to the window)', () => {
    expectTypeOf<Pool2dShape<[8, 16, 24, 24], { window: 2 }>>().toEqualTypeOf<[8, 16, 12, 12]>()
    expectTypeOf<Pool2dShape<[8, 16, 7, 7], { window: 3; stride: 2; padding: 1 }>>().toEqualTypeOf<
      [8, 16, 4, 4]
    >()
    expectTypeOf<Pool2dShape<[8, 16, 7, 9], { window: [2, 3] }>>().toEqualTypeOf<[8, 16, 3, 3]>()
  })

  it('rejects a channel mismatch, naming both shapes', () => {
    expectTypeOf<CheckConv2d<[8, 3, 28, 28], [16, 1, 5, 5], {}>>().toEqualTypeOf<
      ShapeErrorType<'conv2d: x has 3 channels but w expects 1: x is [8,3,28,28], w is [16,1,5,5]'>
    >()
    expectTypeOf<CheckConv2d<[8, 3, 28, 28], [6, 1, 5, 5], { groups: 3 }>>().toEqualTypeOf<unknown>()
  })

  it('types the ops with a generic batch dimension, and a wrong call does not compile', () => {
    const lenet = <B extends number>(x: Tensor<[B, 1, 28, 28], 'float32'>) => {
      const h = conv2d(x, zeros([6, 1, 5, 5]), { padding: 'same' })
      const p = maxPool2d(h, { window: 2 })
      const q = avgPool2d(conv2d(p, zeros([16, 6, 5, 5])), { window: 2 })
      return q
    }
    const y = lenet(zeros([3, 1, 28, 28]))
    expectTypeOf(y).toEqualTypeOf<Tensor<[3, 16, 5, 5], 'float32'>>()
    expect(y.shape).toEqual([3, 16, 5, 5])
    // @ts-expect-error x has 1 channel, the filters expect 3
    expect(() => conv2d(zeros([1, 1, 8, 8]), zeros([4, 3, 3, 3]))).toThrow(
      /x is \[1,1,8,8\], w is \[4,3,3,3\]/,
    )
  })
})
