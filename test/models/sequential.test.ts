/**
 * sequential: the composition of its layers (values and gradients), keys split per layer, and a
 * pair of layers that do not fit is a compile error naming the positions and a ShapeError with
 * the same words at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  ArgumentError,
  dense,
  key,
  mlp,
  normal,
  ShapeError,
  type ShapeErrorType,
  split,
  square,
  sum,
  type Tensor,
  toFlat,
} from '../../src/index.js'
import { type CheckSequence, sequential } from '../../src/models/sequential.js'
import { checkGrads } from '../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const

describe('sequential', () => {
  it('applies its layers in turn, each with its own parameters from its own split key', () => {
    const l1 = dense(3, 5, { activation: 'tanh', ...f64 })
    const l2 = dense(5, 2, f64)
    const net = sequential(l1, l2)
    const params = net.init(key(1))
    const [k1, k2] = split(key(1), 2)
    expect(toFlat(params[0].w)).toEqual(toFlat(l1.init(k1!).w))
    expect(toFlat(params[1].w)).toEqual(toFlat(l2.init(k2!).w))
    const x = normal(key(2), [4, 3], f64)
    expect(toFlat(net.apply(params, x))).toEqual(toFlat(l2.apply(params[1], l1.apply(params[0], x))))
    expectTypeOf(net.apply(params, x)).toEqualTypeOf<Tensor<[4, 2], 'float64'>>()
    expect(net.config).toEqual({ kind: 'sequential', layers: [l1.config, l2.config] })
    expect(net.inputShape).toEqual([3])
    expect(net.outputShape).toEqual([2])
  })

  it('nests an mlp, and its gradients match finite differences', () => {
    const net = sequential(mlp([3, 4, 4], { activation: 'tanh', ...f64 }), dense(4, 1, f64))
    const params = net.init(key(3))
    const x = normal(key(4), [5, 3], f64)
    const r = checkGrads((p: typeof params) => sum(square(net.apply(p, x))), params)
    expect(r.ok, JSON.stringify(r.worst)).toBe(true)
  })

  it('does not compile layers that do not fit, and throws the same message at run time', () => {
    expectTypeOf<
      CheckSequence<[ReturnType<typeof dense<4, 128>>, ReturnType<typeof dense<64, 10>>]>
    >().toEqualTypeOf<ShapeErrorType<'layer 2 expects [B,64] but layer 1 gives [B,128]'>>()
    // @ts-expect-error: layer 2 expects [B,64] but layer 1 gives [B,128]
    expect(() => sequential(dense(4, 128), dense(64, 10))).toThrow(
      new ShapeError('sequential', 'layer 2 expects [B,64] but layer 1 gives [B,128]'),
    )
    // @ts-expect-error: layer 3 expects [B,32] but layer 2 gives [B,64]
    expect(() => sequential(dense(4, 128), dense(128, 64), dense(32, 10))).toThrow(/layer 3 expects \[B,32\]/)
    expect(() => sequential(dense(4, 8), dense(8, 2, f64))).toThrow(ArgumentError)
    const net = sequential(dense(2, 2))
    expect(() => net.apply([] as never, normal(key(0), [1, 2]))).toThrow(ShapeError)
  })
})
