/**
 * Named dimensions: `Dim<'batch'>` and `Dim<'seq'>` do not mix, a named dimension flows through
 * ops and layers, messages show the name, and `withShape` checks the shape at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  add,
  type CheckBroadcast,
  type Dim,
  dense,
  dim,
  key,
  matmul,
  ShapeError,
  type ShapeErrorType,
  sum,
  type Tensor,
  withShape,
  zeros,
} from '../../src/index.js'

const batch = dim('batch', 3)
const seq = dim('seq', 3)

describe('named dimensions', () => {
  it('bind a run-time shape with a checked binder', () => {
    const loaded: Tensor<number[]> = zeros([3, 4])
    const x = withShape(loaded, [batch, 4])
    expectTypeOf(x).toEqualTypeOf<Tensor<[Dim<'batch'>, 4]>>()
    expect(x.shape).toEqual([3, 4])
    expect(() => withShape(loaded, [batch, 5])).toThrow(
      new ShapeError('withShape', 'the tensor has shape [3,4], not [3,5]'),
    )
    expect(() => dim('batch', -1)).toThrow(/non-negative integer/)
  })

  it('flow through ops and layers', () => {
    const x = withShape(zeros([3, 4]), [batch, 4])
    expectTypeOf(add(x, x)).toEqualTypeOf<Tensor<[Dim<'batch'>, 4]>>()
    expectTypeOf(matmul(x, zeros([4, 2]))).toEqualTypeOf<Tensor<[Dim<'batch'>, 2]>>()
    expectTypeOf(sum(x, 1)).toEqualTypeOf<Tensor<[Dim<'batch'>]>>()
    const layer = dense(4, 2)
    expectTypeOf(layer.apply(layer.init(key(0)), x)).toEqualTypeOf<Tensor<[Dim<'batch'>, 2]>>()
  })

  it('do not mix, and the message names them', () => {
    const x = withShape(zeros([3, 4]), [batch, 4])
    const y = withShape(zeros([3, 4]), [seq, 4])
    // @ts-expect-error: cannot broadcast [${Dim<"batch">},4] with [${Dim<"seq">},4]
    expect(add(x, y).shape).toEqual([3, 4]) // the sizes agree at run time; the names do not
    expectTypeOf<CheckBroadcast<[Dim<'batch'>, 4], [Dim<'seq'>, 4]>>().toEqualTypeOf<
      ShapeErrorType<`cannot broadcast [${Dim<'batch'>},4] with [${Dim<'seq'>},4]`>
    >()
  })
})
