/**
 * Dense layers and MLPs: outputs against naive loops (property-based over sizes and batches),
 * `mlp` against the same dense layers applied in turn and with `sequential`, gradients of a loss through an
 * MLP against finite differences (float64), the parameter tree holding only tensors, configuration
 * round trips, and errors for bad sizes and shapes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  flatten,
  fromArrayOrThrow,
  ShapeError,
  square,
  sum,
  toFlat,
  zeros,
} from '../../src/index.js'
import { type DenseParams, dense, mlp, mlpFromConfig } from '../../src/models/layers.js'
import { key, normal, split } from '../../src/models/random/index.js'
import { sequential } from '../../src/models/sequential.js'
import { checkGrads } from '../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const

/** activation(x·w + b) with plain loops. */
const naiveDense = (
  x: readonly number[],
  w: readonly number[],
  b: readonly number[],
  [batch, inputs, outputs]: readonly [number, number, number],
  act: (v: number) => number,
): number[] => {
  const out: number[] = []
  for (let r = 0; r < batch; r++)
    for (let o = 0; o < outputs; o++) {
      let s = b[o]!
      for (let i = 0; i < inputs; i++) s += x[r * inputs + i]! * w[i * outputs + o]!
      out.push(act(s))
    }
  return out
}

const close = (actual: readonly number[], expected: readonly number[]) => {
  expect(actual.length).toBe(expected.length)
  actual.forEach((v, i) => {
    expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected[i]!)))
  })
}

const dims = fc.integer({ min: 1, max: 6 })

describe('dense', () => {
  it('computes activation(x·w + b) like the naive loops, for any batch size', () => {
    fc.assert(
      fc.property(dims, dims, dims, fc.nat(10_000), (batch, inputs, outputs, seed) => {
        const [k1, k2, k3] = split(key(seed), 3)
        const layer = dense(inputs, outputs, { activation: 'tanh', ...f64 })
        const p = layer.init(k1)
        const params = { w: p.w, b: normal(k2, [outputs], f64) }
        const x = normal(k3, [batch, inputs], f64)
        const y = layer.apply(params, x)
        expect(y.shape).toEqual([batch, outputs])
        close(
          toFlat(y),
          naiveDense(toFlat(x), toFlat(params.w), toFlat(params.b), [batch, inputs, outputs], Math.tanh),
        )
      }),
      { seed: 1, numRuns: 30 },
    )
  })

  it('starts with zero biases and weights from the initialiser', () => {
    const p = dense(4, 3, { activation: 'relu' }).init(key(2))
    expect(toFlat(p.b)).toEqual([0, 0, 0])
    expect(p.w.shape).toEqual([4, 3])
    expect(p.w.dtype).toBe('float32')
    // relu layers default to He uniform: |w| < √(6/4)
    expect(Math.max(...toFlat(p.w).map(Math.abs))).toBeLessThan(Math.sqrt(6 / 4))
    expect(dense(4, 3, { activation: 'relu' }).initializer).toBe('heUniform')
    expect(dense(4, 3, { activation: 'tanh' }).initializer).toBe('glorotUniform')
  })

  it('rejects a batch of the wrong width, wrong parameter shapes and bad sizes', () => {
    const layer = dense(3, 2)
    const p = layer.init(key(0))
    expect(() => layer.apply(p, zeros([5, 4]) as never)).toThrow(ShapeError)
    expect(() => layer.apply(p, zeros([5, 4]) as never)).toThrow(/\[5,4\].*\[batch, 3\]/)
    expect(() => layer.apply(p, zeros([3]) as never)).toThrow(ShapeError)
    const wrong = { w: zeros([2, 2]), b: zeros([2]) } as unknown as DenseParams<3, 2, 'float32'>
    expect(() => layer.apply(wrong, zeros([1, 3]))).toThrow(/params.w/)
    expect(() => dense(0, 2)).toThrow(ArgumentError)
    expect(() => dense(2.5, 2)).toThrow(/positive integer/)
    expect(() => dense(2, 2, { activation: 'swish' as never })).toThrow(/swish/)
    expect(() => dense(2, 2, { initializer: 'orthogonal' as never })).toThrow(/orthogonal/)
  })
})

describe('mlp', () => {
  it('is the composition of its dense layers (pipe), relu between, identity at the end', () => {
    fc.assert(
      fc.property(
        fc.array(dims, { minLength: 2, maxLength: 4 }),
        dims,
        fc.nat(10_000),
        (sizes, batch, seed) => {
          const net = mlp(sizes, f64)
          const [k1, k2] = split(key(seed))
          const params = net.init(k1)
          const x = normal(k2, [batch, sizes[0]!], f64)
          // by hand: each layer with the naive loops
          let h = toFlat(x)
          params.forEach((p, i) => {
            const last = i === params.length - 1
            h = naiveDense(h, toFlat(p.w), toFlat(p.b), [batch, sizes[i]!, sizes[i + 1]!], (v) =>
              last ? v : Math.max(v, 0),
            )
          })
          close(toFlat(net.apply(params, x)), h)
        },
      ),
      { seed: 2, numRuns: 30 },
    )
  })

  it('equals its dense layers applied in turn, and sequential of them', () => {
    const net = mlp([5, 4, 3], { activation: 'tanh', ...f64 })
    const params = net.init(key(3))
    const x = normal(key(4), [6, 5], f64)
    const l1 = dense(5, 4, { activation: 'tanh', ...f64 })
    const l2 = dense(4, 3, f64)
    const byHand = l2.apply(params[1], l1.apply(params[0], x))
    expect(toFlat(net.apply(params, x))).toEqual(toFlat(byHand))
    expect(toFlat(sequential(l1, l2).apply(params, x))).toEqual(toFlat(byHand))
  })

  it('has one { w, b } per layer with the literal shapes, and nothing but tensors in its tree', () => {
    const net = mlp([784, 128, 10])
    const params = net.init(key(0))
    expect(params.map((p) => [p.w.shape, p.b.shape])).toEqual([
      [[784, 128], [128]],
      [[128, 10], [10]],
    ])
    const [leaves] = flatten(params)
    expect(leaves.length).toBe(4)
    expect(net.config).toEqual({
      kind: 'mlp',
      sizes: [784, 128, 10],
      activation: 'relu',
      outputActivation: 'identity',
      initializer: 'heUniform',
      dtype: 'float32',
    })
  })

  it('initialises each layer from its own split key, deterministically', () => {
    const net = mlp([3, 4, 2])
    const a = net.init(key(5))
    const b = net.init(key(5))
    expect(toFlat(a[0].w)).toEqual(toFlat(b[0].w))
    const [k0] = split(key(5), 2)
    expect(toFlat(a[0].w)).toEqual(toFlat(dense(3, 4, { activation: 'relu' }).init(k0!).w))
  })

  it('gives gradients that match finite differences (float64)', () => {
    const net = mlp([3, 4, 2], { activation: 'tanh', ...f64 })
    const params = net.init(key(6))
    const x = normal(key(7), [5, 3], f64)
    const r = checkGrads((p: typeof params) => sum(square(net.apply(p, x))), params)
    expect(r.ok, JSON.stringify(r.worst)).toBe(true)
    expect(r.checked).toBeGreaterThan(20)
  })

  it('round-trips its configuration and rejects bad sizes or inputs', () => {
    const net = mlp([4, 8, 3], { activation: 'sigmoid', outputActivation: 'softplus', ...f64 })
    const again = mlpFromConfig(JSON.parse(JSON.stringify(net.config)), f64)
    expect(again.config).toEqual(net.config)
    const params = net.init(key(8))
    const x = fromArrayOrThrow(
      Array.from({ length: 8 }, (_, i) => i / 8),
      [2, 4],
      f64,
    )
    expect(toFlat(again.apply(params as never, x as never) as AnyTensor)).toEqual(
      toFlat(net.apply(params, x)),
    )
    expect(() => mlp([4])).toThrow(ArgumentError)
    expect(() => mlp([4, -1])).toThrow(/sizes\[1\]/)
    expect(() => net.apply(params, zeros([2, 5], f64) as never)).toThrow(ShapeError)
    expect(() => net.apply([params[0]] as never, x)).toThrow(/3 layer|2 layer/)
    expect(() => mlpFromConfig({ kind: 'cnn' } as never)).toThrow(ArgumentError)
  })
})
