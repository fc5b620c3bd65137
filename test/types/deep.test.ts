/**
 * Depth: `mlp` with 100 layers and `sequential` of 100 dense layers type-check (no TS2589, the
 * "excessively deep" error the recursive types hit at 49 layers), keep their literal shapes, and
 * still reject a mismatch at layer 100.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { dense, key, mlp, ShapeError, sequential, type Tensor, zeros } from '../../src/index.js'

const deepMlp = mlp([
  784, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 10,
])
const deepSequential = sequential(
  dense(784, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 16),
  dense(16, 10),
)

describe('100-layer models in the types', () => {
  it('mlp: 100 layers of literal parameter types, applied to a batch', () => {
    const params = deepMlp.init(key(0))
    expectTypeOf(params[0].w).toEqualTypeOf<Tensor<[784, 16]>>()
    expectTypeOf(params[99].w).toEqualTypeOf<Tensor<[16, 10]>>()
    expect(params.length).toBe(100)
    expectTypeOf(deepMlp.apply(params, zeros([2, 784]))).toEqualTypeOf<Tensor<[2, 10]>>()
  })

  it('sequential: 100 dense layers checked pair by pair', () => {
    const params = deepSequential.init(key(0))
    expect(params.length).toBe(100)
    expectTypeOf(deepSequential.apply(params, zeros([2, 784]))).toEqualTypeOf<Tensor<[2, 10]>>()
    const layers = deepSequential.layers
    // @ts-expect-error: layer 101 expects [B,11] but layer 100 gives [B,10]
    expect(() => sequential(...layers, dense(11, 2))).toThrow(ShapeError)
  })
})
