/**
 * Type-level tests of the dtype default: `Tensor<S>` is float32, `AnyTensor` holds either dtype,
 * gradients have exactly the parameters' type, and float32 mixed with float64 does not compile
 * wherever both are known (each such call also throws `DTypeError` at run time).
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  type AnyTensor,
  add,
  DTypeError,
  grad,
  matmul,
  mul,
  sub,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
  zeros,
} from '../../src/index.js'

const f64 = { dtype: 'float64' } as const

describe('the dtype in the types', () => {
  it('defaults to float32; AnyTensor is either', () => {
    expectTypeOf<Tensor<[2]>>().toEqualTypeOf<Tensor<[2], 'float32'>>()
    expectTypeOf(zeros([2])).toEqualTypeOf<Tensor<[2]>>()
    const either: AnyTensor[] = [zeros([2]), zeros([2], f64)]
    expect(either.map((t) => t.dtype)).toEqual(['float32', 'float64'])
    // @ts-expect-error: a float64 tensor is not a Tensor<[2]> (float32)
    const wrong: Tensor<[2]> = zeros([2], f64)
    expect(wrong.dtype).toBe('float64')
  })

  it('gradients have exactly the parameters type, and assign back to float32 params', () => {
    type Params = { readonly w: Tensor<[2]>; readonly b: Tensor<[]> }
    let params: Params = { w: tensor([1, 2]), b: tensor(0) }
    const loss = (p: Params) => sum(add(mul(p.w, p.w), p.b))
    const g = grad(loss)(params)
    expectTypeOf(g).toEqualTypeOf<Params>()
    expectTypeOf(valueAndGrad(loss)(params)).toEqualTypeOf<[Tensor<[]>, Params]>()
    params = { w: sub(params.w, mul(g.w, 0.1)), b: sub(params.b, mul(g.b, 0.1)) }
    expect(params.w.dtype).toBe('float32')
  })

  it('does not compile float32 mixed with float64, and throws at run time', () => {
    const a: Tensor<[2]> = zeros([2])
    // @ts-expect-error: dtypes differ: float32 and float64; cast one explicitly
    expect(() => add(a, zeros([2], f64))).toThrow(DTypeError)
    // @ts-expect-error: dtypes differ: float64 and float32; cast one explicitly
    expect(() => mul(zeros([2], f64), a)).toThrow(DTypeError)
    // @ts-expect-error: dtypes differ: float32 and float64; cast one explicitly
    expect(() => matmul(zeros([2, 3]), zeros([3, 4], f64))).toThrow(DTypeError)
    // a number takes the tensor's dtype
    expectTypeOf(add(zeros([2], f64), 1)).toEqualTypeOf<Tensor<[2], 'float64'>>()
  })
})
