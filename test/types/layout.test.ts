/** Type-level tests of reshape and transpose. */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { ArgumentError, reshape, ShapeError, type Tensor, transpose, zeros } from '../../src/index.js'

describe('reshape in the types', () => {
  it('gives the target shape; a -1 is computed from literal sizes', () => {
    const x = zeros([2, 3])
    expectTypeOf(reshape(x, [3, 2])).toEqualTypeOf<Tensor<[3, 2], 'float32'>>()
    expectTypeOf(reshape(x, [6])).toEqualTypeOf<Tensor<[6], 'float32'>>()
    expectTypeOf(reshape(x, [-1])).toEqualTypeOf<Tensor<[6], 'float32'>>()
    expectTypeOf(reshape(x, [-1, 2])).toEqualTypeOf<Tensor<[3, 2], 'float32'>>()
    expectTypeOf(reshape(zeros([1, 1]), [])).toEqualTypeOf<Tensor<[], 'float32'>>()
    expectTypeOf(reshape(zeros([784, 128]), [128, 784])).toEqualTypeOf<Tensor<[128, 784], 'float32'>>()
    // large shapes are checked as types only (the functions are never called, so nothing is allocated)
    expectTypeOf((t: Tensor<[60000, 784], 'float32'>) => reshape(t, [784, 60000])).returns.toEqualTypeOf<
      Tensor<[784, 60000], 'float32'>
    >()
    expectTypeOf((t: Tensor<[10, 20, 30, 40, 50, 60], 'float32'>) =>
      reshape(t, [720000, 1000]),
    ).returns.toEqualTypeOf<Tensor<[720000, 1000], 'float32'>>()
    expect(reshape(x, [-1, 2]).shape).toEqual([3, 2])
  })

  it('does not compile a different element count, for small and large literal shapes', () => {
    const x = zeros([2, 3])
    // @ts-expect-error: cannot reshape [2,3] (6 elements) to [4] (4 elements)
    expect(() => reshape(x, [4])).toThrow(ShapeError)
    // @ts-expect-error: 6 elements vs 7
    expect(() => reshape(x, [7, 1])).toThrow(ShapeError)
    const big = zeros([784, 128])
    reshape(big, [100352])
    // @ts-expect-error: cannot reshape [784,128] (100352 elements) to [1000,100] (100000 elements)
    expect(() => reshape(big, [1000, 100])).toThrow(
      new ShapeError('reshape', 'cannot reshape [784,128] (100352 elements) to [1000,100] (100000 elements)'),
    )
    // @ts-expect-error: one element short of 60000·784 (checked without allocating)
    const tooFew = (t: Tensor<[60000, 784]>) => reshape(t, [47039999])
    expect(tooFew).toBeTypeOf('function')
    // @ts-expect-error: at most one -1
    expect(() => reshape(x, [-1, -1])).toThrow(ShapeError)
  })

  it('checks the count at run time when a dimension is not literal', () => {
    const n = 4 as number
    const x = zeros([n, 3])
    expectTypeOf(reshape(x, [6, 2])).toEqualTypeOf<Tensor<[6, 2], 'float32'>>()
    expect(() => reshape(x, [5, 2])).toThrow(
      new ShapeError('reshape', 'cannot reshape [4,3] (12 elements) to [5,2] (10 elements)'),
    )
  })
})

describe('transpose in the types', () => {
  it('permutes the literal shape (reverses by default; negative perm entries count from the end)', () => {
    expectTypeOf(transpose(zeros([2, 3]))).toEqualTypeOf<Tensor<[3, 2], 'float32'>>()
    expectTypeOf(transpose(zeros([2, 3, 4]))).toEqualTypeOf<Tensor<[4, 3, 2], 'float32'>>()
    expectTypeOf(transpose(zeros([2, 3, 4]), [0, 2, 1])).toEqualTypeOf<Tensor<[2, 4, 3], 'float32'>>()
    expectTypeOf(transpose(zeros([2, 3, 4]), [2, 0, 1])).toEqualTypeOf<Tensor<[4, 2, 3], 'float32'>>()
    expectTypeOf(transpose(zeros([2, 3, 4]), [-1, 0, 1])).toEqualTypeOf<Tensor<[4, 2, 3], 'float32'>>()
    expectTypeOf(transpose(zeros([1, 2, 3, 4, 5, 6]), [5, 4, 3, 2, 1, 0])).toEqualTypeOf<
      Tensor<[6, 5, 4, 3, 2, 1], 'float32'>
    >()
    expect(transpose(zeros([2, 3, 4]), [-1, 0, 1]).shape).toEqual([4, 2, 3])
  })

  it('does not compile a perm that is not a permutation of the axes, and throws at run time', () => {
    const x = zeros([2, 3, 4])
    // @ts-expect-error: repeats axis 0
    expect(() => transpose(x, [0, 0, 1])).toThrow(ArgumentError)
    // @ts-expect-error: axis 3 does not exist
    expect(() => transpose(x, [0, 1, 3])).toThrow(ArgumentError)
    // @ts-expect-error: too few axes
    expect(() => transpose(x, [0, 1])).toThrow(ArgumentError)
    // @ts-expect-error: -1 and 2 are the same axis
    expect(() => transpose(x, [-1, 0, 2])).toThrow(ArgumentError)
  })
})
