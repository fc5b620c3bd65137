/**
 * sequential: the composition of its layers (values and gradients), keys split per layer, and a
 * pair of layers that do not fit is a compile error naming the positions and a ShapeError with
 * the same words at run time. In training it runs its dropping layers with their masks, in layer
 * order (each from its own split key), equal to composing the layers by hand, with gradients that
 * match finite differences; wrong masks are errors naming what was expected.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  ArgumentError,
  dense,
  dropout,
  isDropping,
  key,
  mlp,
  mul,
  normal,
  ShapeError,
  type ShapeErrorType,
  split,
  square,
  sum,
  type Tensor,
  toFlat,
  transformerBlock,
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

  it('trains with the masks of its dropping layers, in layer order, as the layers composed by hand', () => {
    const l1 = dense(3, 6, { activation: 'tanh', ...f64 })
    const d1 = dropout(0.5, [6], f64)
    const l2 = dense(6, 4, { activation: 'relu', ...f64 })
    const d2 = dropout(0.25, [4], f64)
    const l3 = dense(4, 2, f64)
    const net = sequential(l1, d1, l2, d2, l3)
    expect(isDropping(net)).toBe(true)
    expect(net.maskShapes).toEqual([[6], [4]])
    const params = net.init(key(3))
    const x = normal(key(4), [5, 3], f64)
    const masks = net.dropoutMasks(key(5), 5)
    // layer i's masks come from split(k, layers)[i]
    const keys = split(key(5), 5)
    const [m1, m2] = [d1.dropoutMasks(keys[1]!, 5)[0]!, d2.dropoutMasks(keys[3]!, 5)[0]!]
    expect(masks.map(toFlat)).toEqual([toFlat(m1), toFlat(m2)])
    expect(new Set(toFlat(masks[0]!))).toEqual(new Set([0, 2]))
    expect(new Set(toFlat(masks[1]!))).toEqual(new Set([0, 4 / 3]))
    const byHand = l3.apply(params[4], mul(l2.apply(params[2], mul(l1.apply(params[0], x), m1)), m2))
    expect(toFlat(net.applyMasked(params, x, masks))).toEqual(toFlat(byHand))
    expect(toFlat(net.applyTraining(params, x, key(5)))).toEqual(toFlat(byHand))
    expect(toFlat(net.applyMasked(params, x, masks))).not.toEqual(toFlat(net.apply(params, x)))
    const loss = (v: Tensor<[5, 3], 'float64'>) => sum(square(net.applyMasked(params, v, masks)))
    expect(checkGrads(loss, x).failures).toEqual([])
  })

  it('gathers the masks of nested stacks and transformer blocks; no dropping layer, no masks', () => {
    const block = transformerBlock({ length: 3, dim: 4, heads: 2, hidden: 8, dropout: 0.5, ...f64 })
    const drop = dropout(0.5, [3, 4], f64)
    const inner = sequential(drop, dropout(0, [3, 4], f64))
    const net = sequential(inner, sequential(block))
    expect(net.maskShapes).toEqual([
      [3, 4],
      [3, 4],
      [3, 4],
    ])
    const masks = net.dropoutMasks(key(0), 2)
    expect(masks.map((m) => m.shape)).toEqual([
      [2, 3, 4],
      [2, 3, 4],
      [2, 3, 4],
    ])
    const p = net.init(key(1))
    const x = normal(key(2), [2, 3, 4], f64)
    const [k0, k1] = split(key(0), 2)
    const blockMasks = block.dropoutMasks(split(k1!, 1)[0]!, 2)
    const innerMask = drop.dropoutMasks(split(k0!, 2)[0]!, 2)[0]!
    expect(masks.map(toFlat)).toEqual([innerMask, ...blockMasks].map(toFlat))
    const byHand = block.applyMasked(p[1][0], mul(x, innerMask), blockMasks)
    expect(toFlat(net.applyMasked(p, x, masks))).toEqual(toFlat(byHand))
    const plain = sequential(dense(2, 3), dropout(0, [3]), dense(3, 1))
    expect(plain.maskShapes).toEqual([])
    expect(plain.dropoutMasks(key(0), 4)).toEqual([])
    const q = plain.init(key(1))
    const y = normal(key(2), [4, 2])
    expect(toFlat(plain.applyMasked(q, y, []))).toEqual(toFlat(plain.apply(q, y)))
  })

  it('refuses masks of the wrong number or shape, naming what it expected', () => {
    const net = sequential(dense(2, 3), dropout(0.5, [3]), dense(3, 1))
    const p = net.init(key(0))
    const x = normal(key(1), [4, 2])
    expect(() => net.applyMasked(p, x, [])).toThrow(
      new ArgumentError('sequential', 'expected 1 dropout masks (from dropoutMasks), got 0'),
    )
    expect(() => net.applyMasked(p, x, net.dropoutMasks(key(2), 5))).toThrow(
      new ShapeError('sequential', 'mask 1 must be [4,3], got [5,3]'),
    )
  })
})
