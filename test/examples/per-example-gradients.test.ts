/**
 * examples/per-example-gradients.ts: vmap ∘ grad equals a loop of grad, each row is that example's
 * gradient by central differences (independent of both), changing one example changes only its
 * row, and main prints the difference it promises.
 */
import { describe, expect, it } from 'vitest'
import {
  gradientNorms,
  initParams,
  loss,
  main,
  makeBatch,
  maxDifference,
  type Params,
  perExampleByLoop,
  perExampleByVmap,
} from '../../examples/per-example-gradients.js'
import { add, item, mul, reshape, slice, tensor, toFlat } from '../../src/index.js'

describe('examples/per-example-gradients', () => {
  const params = initParams(3)
  const { xs, ys } = makeBatch(4, 9)

  it('vmap ∘ grad equals the loop of grad to 1e-12', () => {
    expect(
      maxDifference(perExampleByVmap(params, xs, ys), perExampleByLoop(params, xs, ys)),
    ).toBeLessThanOrEqual(1e-12)
  })

  it("each row is that example's gradient by central differences", () => {
    const g = perExampleByVmap(params, xs, ys)
    const h = 1e-6
    for (const i of [0, 4, 8])
      for (const k of ['b1', 'b2'] as const) {
        const x = reshape(slice(xs, [i, 0], [i + 1, 4]), [4])
        const y = reshape(slice(ys, [i, 0], [i + 1, 3]), [3])
        const n = params[k].shape[0]
        const row = toFlat(g[k]).slice(i * n, (i + 1) * n)
        for (let j = 0; j < n; j++) {
          const nudge = (d: number): Params => {
            const step = Array.from({ length: n }, (_, q) => (q === j ? d : 0))
            return { ...params, [k]: add(params[k], tensor(step, { dtype: 'float64' })) }
          }
          const numeric = (item(loss(nudge(h), x, y)) - item(loss(nudge(-h), x, y))) / (2 * h)
          expect(Math.abs(numeric - row[j]!), `${k}[${j}] of example ${i}`).toBeLessThanOrEqual(1e-7)
        }
      }
  })

  it('changing one example changes only its row of gradients', () => {
    const before = toFlat(perExampleByVmap(params, xs, ys).w2)
    const scale = tensor([[1], [1], [-2], [1], [1], [1], [1], [1], [1]], { dtype: 'float64' })
    const after = toFlat(perExampleByVmap(params, mul(xs, scale), ys).w2)
    const rowSize = 8 * 3
    before.forEach((v, q) => {
      if (Math.floor(q / rowSize) === 2) return
      expect(after[q]).toBe(v)
    })
    expect(after.slice(2 * rowSize, 3 * rowSize)).not.toEqual(before.slice(2 * rowSize, 3 * rowSize))
  })

  it('gradient norms are one per example and match the rows', () => {
    const g = perExampleByVmap(params, xs, ys)
    const norms = toFlat(gradientNorms(g))
    expect(norms).toHaveLength(9)
    const rowNorm = (i: number) =>
      Math.sqrt(
        (['w1', 'b1', 'w2', 'b2'] as const)
          .map((k) => {
            const per = g[k].size / 9
            return toFlat(g[k])
              .slice(i * per, (i + 1) * per)
              .reduce((s, v) => s + v * v, 0)
          })
          .reduce((a, b) => a + b),
      )
    norms.forEach((v, i) => {
      expect(Math.abs(v - rowNorm(i))).toBeLessThanOrEqual(1e-12)
    })
  })

  it('main prints the largest difference (≤ 1e-12) and that the mean is the full gradient', () => {
    const lines: string[] = []
    const { difference, meanDifference, norms } = main((l) => lines.push(l))
    expect(difference).toBeLessThanOrEqual(1e-12)
    expect(meanDifference).toBeLessThanOrEqual(1e-12)
    expect(norms).toHaveLength(64)
    expect(lines.join('\n')).toMatch(/largest difference between vmap and the loop: \d\.\d\de[+-]\d+/)
  })
})
