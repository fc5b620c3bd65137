/** Unit tests of the type-level shape arithmetic in src/shapes/ (broadcast, matmul, reduce, reshape, …). */
import { describe, expectTypeOf, it } from 'vitest'
import type {
  Broadcast,
  CheckBroadcast,
  CheckMatmul,
  CheckReshape,
  MatmulShape,
  NestedShape,
  NormalizeAxis,
  Permute,
  Reduce,
  Shape,
  ShapeErrorType,
  ShapeString,
  SizeOf,
  SizeString,
} from '../../src/index.js'

describe('type-level shape arithmetic', () => {
  it('Broadcast and CheckBroadcast', () => {
    expectTypeOf<Broadcast<[3, 1], [1, 4]>>().toEqualTypeOf<[3, 4]>()
    expectTypeOf<Broadcast<[], [2]>>().toEqualTypeOf<[2]>()
    expectTypeOf<Broadcast<[number, 3], [5, 1]>>().toEqualTypeOf<[5, 3]>()
    expectTypeOf<Broadcast<number[], [2]>>().toEqualTypeOf<Shape>()
    expectTypeOf<CheckBroadcast<[2, 3], [3]>>().toEqualTypeOf<unknown>()
    expectTypeOf<CheckBroadcast<[2, 3], [3, 4]>>().toEqualTypeOf<
      ShapeErrorType<'cannot broadcast [2,3] with [3,4]'>
    >()
    expectTypeOf<CheckBroadcast<[number, 3], [7, 3]>>().toEqualTypeOf<unknown>()
  })

  it('matmul shapes and checks', () => {
    expectTypeOf<MatmulShape<[2, 3], [3, 4]>>().toEqualTypeOf<[2, 4]>()
    expectTypeOf<MatmulShape<[5, 1, 2, 3], [4, 3, 4]>>().toEqualTypeOf<[5, 4, 2, 4]>()
    expectTypeOf<CheckMatmul<[2, 3], [4, 5]>>().toEqualTypeOf<
      ShapeErrorType<'inner dimensions differ: a is [2,3], b is [4,5]'>
    >()
    expectTypeOf<CheckMatmul<[2, number], [4, 5]>>().toEqualTypeOf<unknown>()
  })

  it('axes, reductions and permutations', () => {
    expectTypeOf<NormalizeAxis<3, -1>>().toEqualTypeOf<2>()
    expectTypeOf<NormalizeAxis<3, 0 | -1>>().toEqualTypeOf<0 | 2>()
    expectTypeOf<NormalizeAxis<3, 3>>().toEqualTypeOf<never>()
    expectTypeOf<NormalizeAxis<3, -4>>().toEqualTypeOf<never>()
    expectTypeOf<Reduce<[2, 3, 4], 1, false>>().toEqualTypeOf<[2, 4]>()
    expectTypeOf<Reduce<[2, 3, 4], readonly [0, -1], true>>().toEqualTypeOf<[1, 3, 1]>()
    expectTypeOf<Reduce<[2, 3, 4], undefined, false>>().toEqualTypeOf<[]>()
    expectTypeOf<Permute<[2, 3, 4], readonly [1, 2, 0]>>().toEqualTypeOf<[3, 4, 2]>()
    expectTypeOf<Permute<[2, 3, 4], undefined>>().toEqualTypeOf<[4, 3, 2]>()
  })

  it('element counts by decimal multiplication, exact for large shapes', () => {
    expectTypeOf<SizeString<[784, 128]>>().toEqualTypeOf<'100352'>()
    expectTypeOf<SizeOf<[60000, 784]>>().toEqualTypeOf<47040000>()
    expectTypeOf<SizeOf<[]>>().toEqualTypeOf<1>()
    expectTypeOf<SizeOf<[3, 0, 5]>>().toEqualTypeOf<0>()
    expectTypeOf<SizeOf<[number, 5]>>().toEqualTypeOf<number>()
    expectTypeOf<SizeString<[99999, 99999, 99999]>>().toEqualTypeOf<'999970000299999'>()
    expectTypeOf<CheckReshape<[784, 128], [1000, 100]>>().toEqualTypeOf<
      ShapeErrorType<'cannot reshape [784,128] (100352 elements) to [1000,100] (100000 elements)'>
    >()
    expectTypeOf<CheckReshape<[784, 128], [-1, 64]>>().toEqualTypeOf<unknown>()
  })

  it('shape strings and nested-array shapes', () => {
    expectTypeOf<ShapeString<[2, number, 3]>>().toEqualTypeOf<`[2,${number},3]`>()
    expectTypeOf<ShapeString<[]>>().toEqualTypeOf<'[]'>()
    expectTypeOf<NestedShape<readonly [readonly [1, 2], readonly [3, 4]]>>().toEqualTypeOf<[2, 2]>()
    expectTypeOf<NestedShape<5>>().toEqualTypeOf<[]>()
  })
})
