/**
 * Type-level tests of einsum: the result shape read from the spec string and the operand types,
 * and specs that do not compile, with the message naming the index (each wrong call also throws at
 * run time).
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  type CheckEinsum,
  DTypeError,
  type EinsumShape,
  einsum,
  ShapeError,
  type ShapeErrorType,
  type Tensor,
  zeros,
} from '../../src/index.js'

describe('einsum in the types', () => {
  it('infers the result shape from the spec: batched matmul, trace, outer product, implicit output', () => {
    const a = zeros([2, 3, 4])
    const b = zeros([2, 4, 5])
    const c = einsum('bij,bjk->bik', a, b)
    expectTypeOf(c).toEqualTypeOf<Tensor<[2, 3, 5], 'float32'>>()
    expect(c.shape).toEqual([2, 3, 5])
    expectTypeOf(einsum('ii->', zeros([3, 3]))).toEqualTypeOf<Tensor<[], 'float32'>>()
    expectTypeOf(einsum('ii->i', zeros([3, 3]))).toEqualTypeOf<Tensor<[3], 'float32'>>()
    expectTypeOf(einsum('i,j->ij', zeros([2]), zeros([7]))).toEqualTypeOf<Tensor<[2, 7], 'float32'>>()
    expectTypeOf(einsum('ij->ji', zeros([2, 7]))).toEqualTypeOf<Tensor<[7, 2], 'float32'>>()
    // implicit mode: indices used once, alphabetically (k before l)
    const implicit = einsum('lj,jk', zeros([6, 3]), zeros([3, 5]))
    expectTypeOf(implicit).toEqualTypeOf<Tensor<[5, 6], 'float32'>>()
    expect(implicit.shape).toEqual([5, 6])
    // spaces are allowed; float64 stays float64
    expectTypeOf(
      einsum('i j , j -> i', zeros([4, 2], { dtype: 'float64' }), zeros([2], { dtype: 'float64' })),
    ).toEqualTypeOf<Tensor<[4], 'float64'>>()
    // three operands
    expectTypeOf(einsum('ij,jk,kl->il', zeros([2, 3]), zeros([3, 4]), zeros([4, 5]))).toEqualTypeOf<
      Tensor<[2, 5], 'float32'>
    >()
    // '...' is checked at run time only
    expectTypeOf(einsum('...ij,...jk->...ik', zeros([5, 2, 3]), zeros([3, 4]))).toEqualTypeOf<
      Tensor<readonly number[], 'float32'>
    >()
  })

  it('names the index whose sizes differ in the compile error', () => {
    expectTypeOf<CheckEinsum<'ij,jk->ik', [Tensor<[2, 3]>, Tensor<[4, 5]>]>>().toEqualTypeOf<
      ShapeErrorType<'einsum: index j is 3 in operand 0 but 4 in operand 1'>
    >()
    expectTypeOf<CheckEinsum<'ii->i', [Tensor<[2, 3]>]>>().toEqualTypeOf<
      ShapeErrorType<'einsum: index i is 2 in operand 0 but 3 in operand 0'>
    >()
    expectTypeOf<CheckEinsum<'ijk->i', [Tensor<[2, 3]>]>>().toEqualTypeOf<
      ShapeErrorType<"einsum: operand 0 has rank 2 but its term 'ijk' names 3 indices">
    >()
    expectTypeOf<CheckEinsum<'ij->iz', [Tensor<[2, 3]>]>>().toEqualTypeOf<
      ShapeErrorType<'einsum: output index z appears in no input term'>
    >()
    expectTypeOf<CheckEinsum<'ij,jk->ik', [Tensor<[2, 3]>]>>().toEqualTypeOf<
      ShapeErrorType<'einsum: the spec has 2 input terms but 1 operands were given'>
    >()
    expectTypeOf<CheckEinsum<'ij,jk->ik', [Tensor<[2, 3]>, Tensor<[3, 5]>]>>().toEqualTypeOf<unknown>()
  })

  it('does not compile a mismatch, and throws a ShapeError naming the index and both sizes', () => {
    // @ts-expect-error: index j is 3 in operand 0 but 4 in operand 1
    expect(() => einsum('ij,jk->ik', zeros([2, 3]), zeros([4, 5]))).toThrow(
      new ShapeError('einsum', 'index j is 3 in operand 0 (shape [2,3]) but 4 in operand 1 (shape [4,5])'),
    )
    // @ts-expect-error: the batch index b is 2 and 3
    expect(() => einsum('bij,bjk->bik', zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow(/index b is 2/)
    // @ts-expect-error: a diagonal of a non-square matrix
    expect(() => einsum('ii->i', zeros([2, 3]))).toThrow(/index i is 2 and 3 in operand 0/)
    // @ts-expect-error: the term names 3 indices, the operand has rank 2
    expect(() => einsum('ijk->i', zeros([2, 3]))).toThrow(ShapeError)
    // @ts-expect-error: z appears in no input
    expect(() => einsum('ij->iz', zeros([2, 3]))).toThrow(ArgumentError)
    // @ts-expect-error: two terms, one operand
    expect(() => einsum('ij,jk->ik', zeros([2, 3]))).toThrow(ArgumentError)
    // @ts-expect-error: float32 with float64
    expect(() => einsum('i,i->', zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow(DTypeError)
  })

  it('keeps named (branded) dimensions and rejects two different names for one index', () => {
    type Batch = number & { readonly __dim: 'batch' }
    type Seq = number & { readonly __dim: 'seq' }
    expectTypeOf<CheckEinsum<'bi,bj->ij', [Tensor<[Batch, 3]>, Tensor<[Seq, 4]>]>>().toEqualTypeOf<
      ShapeErrorType<'einsum: index b has two different named sizes in operand 0 and operand 1'>
    >()
    expectTypeOf<EinsumShape<'bi,bj->bij', [Tensor<[Batch, 3]>, Tensor<[Batch, 4]>]>>().toEqualTypeOf<
      [Batch, 3, 4]
    >()
    expectTypeOf<
      CheckEinsum<'bi,bj->bij', [Tensor<[Batch, 3]>, Tensor<[Batch, 4]>]>
    >().toEqualTypeOf<unknown>()
  })

  it('keeps a generic dimension and checks the literal ones around it', () => {
    const scores = <B extends number, T extends number>(
      q: Tensor<[B, T, 8]>,
      k: Tensor<[B, T, 8]>,
    ): Tensor<[B, T, T]> => einsum('bqd,bkd->bqk', q, k)
    expect(scores(zeros([2, 5, 8]), zeros([2, 5, 8])).shape).toEqual([2, 5, 5])
    expectTypeOf<
      EinsumShape<'bqd,bkd->bqk', [Tensor<[number, 4, 8]>, Tensor<[number, 6, 8]>]>
    >().toEqualTypeOf<[number, 4, 6]>()
    expectTypeOf(einsum('ij->j', zeros([2, 3]) as AnyTensor)).toEqualTypeOf<
      Tensor<[number], 'float32' | 'float64'>
    >()
  })
})
