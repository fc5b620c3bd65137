/**
 * Type-level tests of the constructors and readers: `tsc --noEmit` checks the `expectTypeOf` lines
 * (npm test runs it over test/), and vitest runs the same file so the values are checked too.
 */
import type * as E from 'fp-ts/lib/Either.js'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  eye,
  fromArray,
  fromArrayOrThrow,
  full,
  linspace,
  type NablaError,
  ones,
  scalar,
  type Tensor,
  tensor,
  toArray,
  zeros,
} from '../../src/index.js'

describe('constructors infer literal shapes', () => {
  it('tensor infers the shape of a nested array literal, float32 by default', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expectTypeOf(x).toEqualTypeOf<Tensor<[2, 3], 'float32'>>()
    expect(x.shape).toEqual([2, 3])
    expectTypeOf(tensor(5)).toEqualTypeOf<Tensor<[], 'float32'>>()
    expectTypeOf(tensor([])).toEqualTypeOf<Tensor<[0], 'float32'>>()
    expectTypeOf(tensor([[[1]], [[2]]], { dtype: 'float64' })).toEqualTypeOf<Tensor<[2, 1, 1], 'float64'>>()
    const rank6 = tensor([[[[[[1, 2]]]]]])
    expectTypeOf(rank6).toEqualTypeOf<Tensor<[1, 1, 1, 1, 1, 2], 'float32'>>()
    expect(rank6.shape).toEqual([1, 1, 1, 1, 1, 2])
    // @ts-expect-error: only float32 and float64 exist
    expect(() => tensor([1], { dtype: 'int32' })).toThrow('tensor: dtype must be')
  })

  it('zeros, ones, full take the literal shape and the dtype option', () => {
    expectTypeOf(zeros([3, 4], { dtype: 'float64' })).toEqualTypeOf<Tensor<[3, 4], 'float64'>>()
    expectTypeOf(zeros([3, 4])).toEqualTypeOf<Tensor<[3, 4], 'float32'>>()
    expectTypeOf(ones([2])).toEqualTypeOf<Tensor<[2], 'float32'>>()
    expectTypeOf(full([], 7)).toEqualTypeOf<Tensor<[], 'float32'>>()
    expectTypeOf(scalar(1, { dtype: 'float64' })).toEqualTypeOf<Tensor<[], 'float64'>>()
    expectTypeOf(eye(3)).toEqualTypeOf<Tensor<[3, 3], 'float32'>>()
    expectTypeOf(eye(2, 5)).toEqualTypeOf<Tensor<[2, 5], 'float32'>>()
    expectTypeOf(linspace(0, 1, 5)).toEqualTypeOf<Tensor<[5], 'float32'>>()
    const n = 3 as number
    expectTypeOf(zeros([n, 4])).toEqualTypeOf<Tensor<[number, 4], 'float32'>>()
    const dims: number[] = [2, 2]
    expectTypeOf(zeros(dims)).toEqualTypeOf<Tensor<number[], 'float32'>>()
  })

  it('fromArray returns an Either of a tensor with the literal shape, typed arrays fixing the dtype', () => {
    expectTypeOf(fromArray([1, 2, 3, 4, 5, 6], [2, 3])).toEqualTypeOf<
      E.Either<NablaError, Tensor<[2, 3], 'float32'>>
    >()
    expectTypeOf(fromArray([1, 2], [2], { dtype: 'float64' })).toEqualTypeOf<
      E.Either<NablaError, Tensor<[2], 'float64'>>
    >()
    const f64 = fromArrayOrThrow(new Float64Array(4), [2, 2])
    expectTypeOf(f64).toEqualTypeOf<Tensor<[2, 2], 'float64'>>()
    expect(f64.dtype).toBe('float64')
    expectTypeOf(fromArrayOrThrow(new Float32Array(4), [4])).toEqualTypeOf<Tensor<[4], 'float32'>>()
  })

  it('toArray returns nested number arrays of the rank; t.shape is the literal shape', () => {
    const x = zeros([2, 3])
    expectTypeOf(toArray(x)).toEqualTypeOf<number[][]>()
    expectTypeOf(toArray(scalar(1))).toEqualTypeOf<number>()
    expectTypeOf(x.shape).toEqualTypeOf<[2, 3]>()
    expectTypeOf(x.dtype).toEqualTypeOf<'float32'>()
  })
})
