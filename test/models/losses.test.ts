/**
 * Losses: values against their textbook formulas written with Math (float64, property-based),
 * gradients against finite differences and against hand derivations, stability at ±1000 logits,
 * exact shape matching ([n,1] against [n] is a ShapeError), and label domains.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  add,
  fromArrayOrThrow,
  grad,
  item,
  jit,
  matmul,
  reshape,
  ShapeError,
  tensor,
  toFlat,
  vmap,
} from '../../src/index.js'
import {
  binaryCrossEntropy,
  binaryCrossEntropyFromProbabilities,
  isBiasPath,
  l2,
  mse,
  regularizedLogisticCost,
  softmaxCrossEntropy,
} from '../../src/models/losses.js'
import { checkGrads } from '../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const
const t64 = (xs: readonly number[], shape: readonly number[]): AnyTensor => fromArrayOrThrow(xs, shape, f64)
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))
const relClose = (a: number, b: number, tol = 1e-10) => {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * (1 + Math.abs(b)))
}

/** n rows × c columns of moderate values. */
const matrix = (n: number, c: number, min = -8, max = 8) =>
  fc.array(fc.double({ min, max, noNaN: true }), { minLength: n * c, maxLength: n * c })
const sizes = fc.record({ n: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 4 }) })

describe('mse', () => {
  it('is the mean of squared differences', () => {
    fc.assert(
      fc.property(
        sizes.chain(({ n, c }) => fc.tuple(fc.constant([n, c]), matrix(n, c), matrix(n, c))),
        ([shape, p, t]) => {
          const expected = p.reduce((s, v, i) => s + (v - t[i]!) ** 2, 0) / p.length
          relClose(item(mse(t64(p, shape), t64(t, shape))), expected)
        },
      ),
      { seed: 1, numRuns: 50 },
    )
  })
  it('has gradient 2(p − t)/n', () => {
    const p = t64([1, 2, 3, 4], [4])
    const t = t64([0, 2, 5, 4], [4])
    expect(toFlat(grad((x: AnyTensor) => mse(x, t))(p))).toEqual([0.5, 0, -1, 0])
  })
  it('rejects [n,1] against [n] instead of broadcasting to [n,n]', () => {
    expect(() => mse(tensor([[1], [2]]) as AnyTensor, tensor([1, 2]) as AnyTensor)).toThrow(ShapeError)
    expect(() => mse(tensor([[1], [2]]) as AnyTensor, tensor([1, 2]) as AnyTensor)).toThrow(/\[2\].*\[2,1\]/)
  })
})

describe('binaryCrossEntropy (logits)', () => {
  it('equals −mean(y log σ(z) + (1−y) log(1−σ(z)))', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((n) =>
            fc.tuple(
              matrix(n, 1),
              fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
            ),
          ),
        ([z, y]) => {
          const expected =
            -z.reduce(
              (s, v, i) => s + y[i]! * Math.log(sigmoid(v)) + (1 - y[i]!) * Math.log(1 - sigmoid(v)),
              0,
            ) / z.length
          relClose(item(binaryCrossEntropy(t64(z, [z.length]), t64(y, [y.length]))), expected, 1e-9)
        },
      ),
      { seed: 2, numRuns: 50 },
    )
  })
  it('is exact and finite at ±1000, with gradient (σ(z) − y)/n', () => {
    const z = t64([1000, -1000, 1000, -1000], [4])
    const y = t64([1, 1, 0, 0], [4])
    expect(item(binaryCrossEntropy(z, y))).toBe((0 + 1000 + 1000 + 0) / 4)
    expect(toFlat(grad((x: AnyTensor) => binaryCrossEntropy(x, y))(z))).toEqual([0, -0.25, 0.25, 0])
    const z32 = tensor([1000, -1000])
    expect(item(binaryCrossEntropy(z32, tensor([1, 1])))).toBe(500)
  })
  it('matches finite differences', () => {
    const y = t64([1, 0, 0.3], [3])
    expect(checkGrads((x: AnyTensor) => binaryCrossEntropy(x, y), t64([0.5, -2, 3], [3])).ok).toBe(true)
  })
  it('rejects labels outside [0, 1] and mismatched shapes', () => {
    expect(() => binaryCrossEntropy(tensor([0, 0]), tensor([1, 2]))).toThrow(ArgumentError)
    expect(() => binaryCrossEntropy(tensor([0, 0]), tensor([1, 2]))).toThrow(/labels\[1\] is 2/)
    expect(() => binaryCrossEntropy(tensor([[0], [0]]) as AnyTensor, tensor([1, 0]) as AnyTensor)).toThrow(
      ShapeError,
    )
  })
})

describe('binaryCrossEntropyFromProbabilities', () => {
  it('equals the formula inside the clamp band', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((n) =>
            fc.tuple(
              fc.array(fc.double({ min: 1e-3, max: 1 - 1e-3, noNaN: true }), { minLength: n, maxLength: n }),
              fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
            ),
          ),
        ([p, y]) => {
          const expected =
            -p.reduce((s, v, i) => s + y[i]! * Math.log(v) + (1 - y[i]!) * Math.log(1 - v), 0) / p.length
          relClose(
            item(binaryCrossEntropyFromProbabilities(t64(p, [p.length]), t64(y, [y.length]))),
            expected,
            1e-9,
          )
        },
      ),
      { seed: 3, numRuns: 50 },
    )
  })
  it('clamps p = 0 and p = 1 to [ε, 1 − ε]: a large finite loss, not Infinity', () => {
    const loss = item(binaryCrossEntropyFromProbabilities(t64([0, 1], [2]), t64([1, 0], [2])))
    relClose(loss, -Math.log(1e-7), 1e-9)
    const custom = item(binaryCrossEntropyFromProbabilities(t64([0], [1]), t64([1], [1]), { epsilon: 1e-3 }))
    relClose(custom, -Math.log(1e-3), 1e-9)
  })
  it('has the exact gradient inside the band: (p − y) / (p(1 − p) n)', () => {
    const p = t64([0.2, 0.9], [2])
    const y = t64([1, 0], [2])
    const g = toFlat(grad((x: AnyTensor) => binaryCrossEntropyFromProbabilities(x, y))(p))
    relClose(g[0]!, (0.2 - 1) / (0.2 * 0.8 * 2))
    relClose(g[1]!, (0.9 - 0) / (0.9 * 0.1 * 2))
  })
  it('rejects probabilities outside [0, 1] or NaN', () => {
    expect(() => binaryCrossEntropyFromProbabilities(tensor([1.5]), tensor([1]))).toThrow(ArgumentError)
    expect(() => binaryCrossEntropyFromProbabilities(tensor([-0.1]), tensor([1]))).toThrow(
      /probabilities\[0\]/,
    )
    expect(() => binaryCrossEntropyFromProbabilities(tensor([Number.NaN]), tensor([1]))).toThrow(/NaN/)
    expect(() => binaryCrossEntropyFromProbabilities(tensor([0.5]), tensor([1]), { epsilon: 0 })).toThrow(
      /epsilon/,
    )
  })
})

describe('softmaxCrossEntropy', () => {
  const naive = (z: readonly number[], label: number) => {
    const m = Math.max(...z)
    return -(z[label]! - m - Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)))
  }
  it('with integer labels equals −mean log softmax(z)[label], and one-hot rows give the same', () => {
    fc.assert(
      fc.property(
        sizes.chain(({ n, c }) =>
          fc.tuple(
            fc.constant([n, c]),
            matrix(n, c),
            fc.array(fc.nat(c - 1), { minLength: n, maxLength: n }),
          ),
        ),
        ([[n, c], z, labels]) => {
          const expected = labels.reduce((s, l, r) => s + naive(z.slice(r * c, (r + 1) * c), l), 0) / n
          const logits = t64(z, [n!, c!])
          relClose(item(softmaxCrossEntropy(logits, t64(labels, [n!]))), expected)
          const oneHot = labels.flatMap((l) => Array.from({ length: c! }, (_, j) => (j === l ? 1 : 0)))
          relClose(item(softmaxCrossEntropy(logits, t64(oneHot, [n!, c!]))), expected)
        },
      ),
      { seed: 4, numRuns: 50 },
    )
  })
  it('with soft targets equals −mean Σ t log softmax(z)', () => {
    const z = [0.5, -1, 2]
    const t = [0.2, 0.3, 0.5]
    const expected = t.reduce((s, ti, j) => s + ti * naive(z, j), 0)
    relClose(item(softmaxCrossEntropy(t64(z, [1, 3]), t64(t, [1, 3]))), expected)
  })
  it('is exact and finite at ±1000 logits, gradient included', () => {
    const z = t64([1000, -1000, 1000, 1000, -1000, 1000], [3, 2])
    const labels = t64([0, 0, 0], [3])
    expect(item(softmaxCrossEntropy(z, labels))).toBeCloseTo((0 + Math.log(2) + 2000) / 3, 12)
    const g = toFlat(grad((x: AnyTensor) => softmaxCrossEntropy(x, labels))(z))
    // (softmax − onehot) / n
    expect(g).toEqual([0, 0, -0.5 / 3, 0.5 / 3, -1 / 3, 1 / 3])
    const f32 = item(softmaxCrossEntropy(tensor([[1000, -1000]]), tensor([1])))
    expect(f32).toBe(2000)
  })
  it('has gradient (softmax(z) − onehot)/n, and matches finite differences', () => {
    const zs = [0.3, -1.2, 2, 0.7, 0.1, -0.4]
    const z = t64(zs, [2, 3])
    const labels = t64([2, 0], [2])
    const g = toFlat(grad((x: AnyTensor) => softmaxCrossEntropy(x, labels))(z))
    ;[0, 1].forEach((r) => {
      const row = zs.slice(3 * r, 3 * r + 3)
      const total = row.reduce((s, v) => s + Math.exp(v), 0)
      row.forEach((v, j) => {
        relClose(g[3 * r + j]!, (Math.exp(v) / total - (j === [2, 0][r] ? 1 : 0)) / 2, 1e-12)
      })
    })
    expect(checkGrads((x: AnyTensor) => softmaxCrossEntropy(x, labels), z, { order: 2 }).ok).toBe(true)
    const soft = t64([0.1, 0.6, 0.3, 1, 0, 0], [2, 3])
    expect(checkGrads((x: AnyTensor) => softmaxCrossEntropy(x, soft), z).ok).toBe(true)
  })
  it('rejects labels that are not class indices, and shapes that fit neither form', () => {
    const z = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(() => softmaxCrossEntropy(z, tensor([0, 3]))).toThrow(ArgumentError)
    expect(() => softmaxCrossEntropy(z, tensor([0, 3]))).toThrow(/labels\[1\] is 3/)
    expect(() => softmaxCrossEntropy(z, tensor([0, 1.5]))).toThrow(/1.5/)
    expect(() => softmaxCrossEntropy(z, tensor([-1, 0]))).toThrow(ArgumentError)
    expect(() => softmaxCrossEntropy(z, tensor([[0], [1]]) as never)).toThrow(ShapeError)
    expect(() => softmaxCrossEntropy(z, tensor([0, 1, 2]) as never)).toThrow(ShapeError)
  })
})

describe('l2 and the regularised logistic cost', () => {
  it('l2 sums the squares of weights and skips biases', () => {
    expect(item(l2({ w: tensor([1, 2]), b: tensor([10]) }))).toBe(5)
    expect(
      item(
        l2([
          { w: tensor([[3]]), b: tensor([1]) },
          { w: tensor([[4]]), bias: tensor([1]) },
        ]),
      ),
    ).toBe(25)
    expect(item(l2({ b: tensor([1]) }))).toBe(0)
    expect(item(l2({ w: tensor([1]), v: tensor([2]) }, { isWeight: (path) => path.endsWith('.v') }))).toBe(4)
    expect(isBiasPath('x.layers[0].bias')).toBe(true)
    expect(isBiasPath('x.bw')).toBe(false)
  })

  // logistic regression on 2 features: logits = x·w + b
  const x = t64([1, 2, -1, 0.5, 0.3, -2], [3, 2])
  const y = t64([1, 0, 1], [3, 1])
  const params = { w: t64([0.4, -0.3], [2, 1]), b: t64([0.1], [1]) }
  const cost = (p: typeof params, lambda: number) =>
    regularizedLogisticCost(add(matmul(x, p.w), p.b) as AnyTensor, y, p, lambda)
  const xs = toFlat(x)
  const ys = toFlat(y)
  const zs = [0, 1, 2].map((r) => xs[2 * r]! * 0.4 + xs[2 * r + 1]! * -0.3 + 0.1)

  it("equals Ng's J(θ) with the bias left out of the penalty", () => {
    const data =
      zs.reduce((s, z, r) => s - ys[r]! * Math.log(sigmoid(z)) - (1 - ys[r]!) * Math.log(1 - sigmoid(z)), 0) /
      3
    const penalty = (2 / (2 * 3)) * (0.4 ** 2 + 0.3 ** 2)
    relClose(item(cost(params, 2)), data + penalty, 1e-12)
    relClose(item(cost(params, 0)), data, 1e-12)
  })
  it('has gradient (1/m)Xᵀ(σ(z) − y) + (λ/m)w for w and no λ term for b', () => {
    const g = grad((p: typeof params) => cost(p, 2))(params)
    const residual = zs.map((z, r) => sigmoid(z) - ys[r]!)
    const gw = [0, 1].map(
      (j) => residual.reduce((s, e, r) => s + xs[2 * r + j]! * e, 0) / 3 + (2 / 3) * [0.4, -0.3][j]!,
    )
    const gb = residual.reduce((s, e) => s + e, 0) / 3
    toFlat(g.w).forEach((v, j) => {
      relClose(v, gw[j]!, 1e-12)
    })
    relClose(toFlat(g.b)[0]!, gb, 1e-12)
    expect(checkGrads((p: typeof params) => cost(p, 2), params).ok).toBe(true)
  })
  it('rejects a negative or non-finite λ and labels outside [0, 1]', () => {
    expect(() => cost(params, -1)).toThrow(ArgumentError)
    expect(() => cost(params, -1)).toThrow(/lambda/)
    expect(() => cost(params, Number.POSITIVE_INFINITY)).toThrow(/lambda/)
    expect(() => regularizedLogisticCost(tensor([[0]]), tensor([[2]]), {}, 1)).toThrow(/labels\[0\] is 2/)
    expect(() =>
      regularizedLogisticCost(tensor([[0], [1]]) as AnyTensor, tensor([0, 1]) as AnyTensor, {}, 1),
    ).toThrow(ShapeError)
  })
})

describe('softmaxCrossEntropy inside vmap', () => {
  it('integer labels give each example its own loss (the labels have no values to read there)', () => {
    const logits = tensor(
      [
        [1, 2, 3],
        [3, 1, 0],
        [0, 5, -1],
      ],
      { dtype: 'float64' },
    )
    const labels = tensor([2, 0, 1], { dtype: 'float64' })
    const batched = vmap((z: AnyTensor, y: AnyTensor) =>
      softmaxCrossEntropy(reshape(z, [1, 3]), reshape(y, [1])),
    )(logits, labels)
    const rows = [
      [1, 2, 3],
      [3, 1, 0],
      [0, 5, -1],
    ]
    const expected = rows.map((r, i) => {
      const total = Math.log(r.reduce((s, v) => s + Math.exp(v), 0))
      return total - r[[2, 0, 1][i]!]!
    })
    toFlat(batched).forEach((v, i) => {
      expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(1e-12)
    })
    expect(item(softmaxCrossEntropy(logits, labels))).toBeCloseTo(expected.reduce((a, b) => a + b) / 3, 12)
  })
})

describe('softmaxCrossEntropy inside jit', () => {
  it('class-index labels are inputs of the compiled loss: each call uses its own labels', () => {
    // before, the labels were read in JavaScript while tracing, so every later call reused the
    // first call's labels
    const logits = tensor(
      [
        [1, 2, 3],
        [3, 1, 0],
      ],
      { dtype: 'float64' },
    )
    const byHand = (labels: readonly number[]) =>
      [
        [1, 2, 3],
        [3, 1, 0],
      ]
        .map((r, i) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0)) - r[labels[i]!]!)
        .reduce((a, b) => a + b) / 2
    const loss = jit((z: AnyTensor, y: AnyTensor) => softmaxCrossEntropy(z, y))
    for (const labels of [
      [2, 0],
      [0, 1],
      [1, 2],
    ])
      expect(item(loss(logits, tensor(labels, { dtype: 'float64' })))).toBeCloseTo(byHand(labels), 12)
    expect(loss.traceCount()).toBe(1)
  })
})
