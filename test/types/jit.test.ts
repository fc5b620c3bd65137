/** Type-level tests of jit: the jitted function keeps f's type, so wrong shapes still do not compile. */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { grad, type Jitted, jit, matmul, sum, type Tensor, tanh, zeros } from '../../src/index.js'

describe('jit in the types', () => {
  it('keeps the signature of f (and of grad(f))', () => {
    const f = (x: Tensor<[2, 3], 'float32'>, w: Tensor<[3, 4], 'float32'>) => tanh(matmul(x, w))
    const g = jit(f)
    expectTypeOf(g).toEqualTypeOf<typeof f & Jitted>()
    expectTypeOf(g(zeros([2, 3]), zeros([3, 4]))).toEqualTypeOf<Tensor<[2, 4], 'float32'>>()
    // @ts-expect-error a [4, 4] weight does not fit: the jitted function checks shapes like f does
    expect(() => g(zeros([2, 3]), zeros([4, 4]))).toThrow()
    const dp = jit(grad((p: { w: Tensor<[3]> }) => sum(tanh(p.w))))
    expectTypeOf(dp({ w: zeros([3]) })).toEqualTypeOf<{ w: Tensor<[3]> }>()
  })
})
