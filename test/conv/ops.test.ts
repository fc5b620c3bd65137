/**
 * The convolution and pooling ops: option resolution ('same' padding, strides, pairs), the
 * documented conventions (max-pool ties share the gradient equally, average pooling counts
 * padding), and the errors a user sees for bad shapes and options.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  avgPool2d,
  conv2d,
  grad,
  maxPool2d,
  ones,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  toFlat,
  zeros,
} from '../../src/index.js'

describe('conv2d', () => {
  it("gives ⌈size / stride⌉ positions with 'same' padding, for any kernel, stride and dilation", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        (h, w, k, stride, dilation) => {
          const y = conv2d(zeros([1, 2, h, w]), zeros([3, 2, k, k]), { padding: 'same', stride, dilation })
          expect(y.shape).toEqual([1, 3, Math.ceil(h / stride), Math.ceil(w / stride)])
        },
      ),
      { seed: 1206, numRuns: 60 },
    )
  })

  it("with 'same' padding, stride 1 and an odd kernel, equals explicit padding (k − 1) / 2 on each side", () => {
    const x = tensor([
      [
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
      ],
    ])
    const w = tensor([
      [
        [
          [0, 1, 0],
          [1, -4, 1],
          [0, 1, 0],
        ],
      ],
    ])
    const same = conv2d(x, w, { padding: 'same' })
    expect(toFlat(same)).toEqual(toFlat(conv2d(x, w, { padding: 1 })))
    // the Laplacian of the 3×3 ramp, zero outside: centre 4+6+2+8−20 = 0, corner 2+4−4 = 2
    expect(toFlat(same)).toEqual([2, 1, -4, -3, 0, -7, -16, -11, -22])
  })

  it('takes strides, dilations and padding per axis, and groups', () => {
    const y = conv2d(ones([2, 4, 9, 7]), ones([6, 2, 3, 2]), {
      stride: [2, 1],
      dilation: [1, 2],
      padding: [
        [1, 0],
        [0, 2],
      ],
      groups: 2,
    })
    // height ⌊(9 + 1 − 3) / 2⌋ + 1 = 4; width 7 + 2 − (2·1 + 1) + 1 = 7
    expect(y.shape).toEqual([2, 6, 4, 7])
  })

  it('names both shapes when they do not fit, and the option when it is bad', () => {
    expect(() => conv2d(ones([1, 3, 8, 8]) as AnyTensor, ones([4, 2, 3, 3]) as AnyTensor)).toThrow(ShapeError)
    expect(() => conv2d(ones([1, 3, 8, 8]) as AnyTensor, ones([4, 2, 3, 3]) as AnyTensor)).toThrow(
      /conv2d: .*x is \[1,3,8,8\], w is \[4,2,3,3\]/,
    )
    expect(() => conv2d(ones([1, 1, 2, 2]), ones([1, 1, 3, 3]))).toThrow(
      /does not fit .*x is \[1,1,2,2\], w is \[1,1,3,3\]/,
    )
    expect(() => conv2d(ones([1, 4, 8, 8]), ones([3, 2, 3, 3]), { groups: 2 })).toThrow(
      /2 groups must divide/,
    )
    expect(() => conv2d(ones([3, 8, 8]) as AnyTensor, ones([1, 3, 3, 3]) as AnyTensor)).toThrow(
      /x must have rank 4/,
    )
    expect(() => conv2d(ones([1, 1, 8, 8]), ones([1, 1, 3, 3]), { stride: 0 })).toThrow(ArgumentError)
    expect(() => conv2d(ones([1, 1, 8, 8]), ones([1, 1, 3, 3]), { padding: -1 })).toThrow(
      /non-negative integer/,
    )
    expect(() => conv2d(ones([1, 1, 8, 8]), ones([1, 1, 3, 3]), { padding: 'full' as 'same' })).toThrow(
      /padding must be 'valid', 'same'/,
    )
    expect(() => conv2d(ones([1, 1, 8, 8]), ones([1, 1, 3, 3], { dtype: 'float64' }) as AnyTensor)).toThrow(
      /float32.*float64|float64.*float32/,
    )
  })
})

describe('pooling', () => {
  it('max pooling splits a window’s gradient equally among its ties, as max does', () => {
    const x = tensor([
      [
        [
          [1, 1, 0, 2],
          [0, 1, 2, 2],
        ],
      ],
    ])
    const g = grad((t: Tensor<[1, 1, 2, 4], 'float32'>) => sum(maxPool2d(t, { window: 2 })))(x)
    expect(toFlat(g)).toEqual([1 / 3, 1 / 3, 0, 1 / 3, 0, 1 / 3, 1 / 3, 1 / 3].map(Math.fround))
  })

  it('average pooling counts padding as zeros', () => {
    const x = tensor([
      [
        [
          [4, 8],
          [12, 16],
        ],
      ],
    ])
    expect(
      toFlat(
        avgPool2d(x, {
          window: 2,
          stride: 1,
          padding: [
            [0, 1],
            [0, 0],
          ],
        }),
      ),
    ).toEqual([10, 7])
    const g = grad((t: Tensor<[1, 1, 2, 2], 'float32'>) => sum(avgPool2d(t, { window: 2, padding: 'same' })))(
      x,
    )
    expect(toFlat(g)).toEqual([0.25, 0.25, 0.25, 0.25])
  })

  it('defaults the stride to the window and checks padding against the window', () => {
    expect(maxPool2d(ones([2, 3, 7, 9]), { window: [2, 3] }).shape).toEqual([2, 3, 3, 3])
    expect(maxPool2d(ones([2, 3, 7, 9]), { window: 3, stride: 1, padding: 1 }).shape).toEqual([2, 3, 7, 9])
    expect(() => maxPool2d(ones([1, 1, 4, 4]), { window: 2, padding: 2 })).toThrow(/smaller than the window/)
    expect(() => avgPool2d(ones([1, 1, 4, 4]), { window: 0 })).toThrow(ArgumentError)
    expect(() => maxPool2d(ones([4, 4]) as AnyTensor, { window: 2 })).toThrow(/rank 4/)
    expect(() => maxPool2d(ones([1, 1, 1, 4]), { window: 2 })).toThrow(/does not fit x of shape \[1,1,1,4\]/)
  })
})
