/**
 * embedding and positionEmbedding: lookups equal the table's rows (property over tokens), the
 * table's gradient adds up over repeated tokens and agrees with finite differences at first and
 * second order (float64), and bad tokens or shapes are errors naming them.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  embedding,
  mul,
  positionEmbedding,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  toArray,
  toFlat,
  zeros,
} from '../../../src/index.js'
import { key } from '../../../src/models/random/index.js'
import { checkGrads } from '../../../src/testing/index.js'

const f64 = { dtype: 'float64' } as const

describe('embedding', () => {
  it("looks each token's row up in the table", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((vocab) =>
          fc.record({
            vocab: fc.constant(vocab),
            tokens: fc.array(
              fc.array(fc.integer({ min: 0, max: vocab - 1 }), { minLength: 3, maxLength: 3 }),
              {
                minLength: 1,
                maxLength: 4,
              },
            ),
            seed: fc.nat(),
          }),
        ),
        ({ vocab, tokens, seed }) => {
          const embed = embedding({ vocab, dim: 2, length: 3 })
          const params = embed.init(key(seed))
          const rows = toArray(params.table) as number[][]
          const out = toArray(
            embed.apply(params, tensor(tokens) as Tensor<[number, 3], 'float32'>),
          ) as number[][][]
          expect(out).toEqual(tokens.map((seq) => seq.map((t) => rows[t])))
        },
      ),
      { seed: 5, numRuns: 50 },
    )
  })

  it('has a table gradient that adds up over repeated tokens and agrees with finite differences', () => {
    const embed = embedding({ vocab: 4, dim: 3, length: 3, dtype: 'float64' })
    const tokens = tensor(
      [
        [1, 1, 3],
        [0, 1, 2],
      ],
      f64,
    )
    const weights = tensor([0.5, -1, 2], f64)
    const loss = (p: { table: Tensor<[4, 3], 'float64'> }) => sum(mul(embed.apply(p, tokens), weights))
    const table = tensor(
      [
        [0.1, 0.2, 0.3],
        [-0.4, 0.5, 0.6],
        [0.7, -0.8, 0.9],
        [1.0, 1.1, -1.2],
      ],
      f64,
    )
    const result = checkGrads(loss, { table }, { order: 2, modes: ['full', 'random'] })
    expect(result.failures).toEqual([])
  })

  it('rejects tokens outside the vocabulary and inputs of the wrong length', () => {
    const embed = embedding({ vocab: 4, dim: 3, length: 2 })
    const p = embed.init(key(0))
    expect(() => embed.apply(p, tensor([[0, 4]]))).toThrow(/4/)
    expect(() => embed.apply(p, tensor([[0, 1.5]]))).toThrow(/1.5/)
    expect(() => embed.apply(p, zeros([2, 3]) as never)).toThrow(
      new ShapeError('embedding', 'x has shape [2,3] but the layer expects [batch,2]'),
    )
    expect(() => embedding({ vocab: 0, dim: 3, length: 2 })).toThrow(ArgumentError)
  })
})

describe('positionEmbedding', () => {
  it('adds row i of its table to position i of every example; its gradient agrees with finite differences', () => {
    const positions = positionEmbedding({ length: 2, dim: 3, dtype: 'float64' })
    const p = positions.init(key(1))
    const x = tensor(
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [
          [0, 0, 0],
          [1, 1, 1],
        ],
      ],
      f64,
    )
    const y = toFlat(positions.apply(p, x))
    const t = toFlat(p.table)
    const xs = toFlat(x)
    y.forEach((v, i) => {
      expect(v).toBe(xs[i]! + t[i % 6]!)
    })
    const weights = tensor([0.5, -1, 2], f64)
    const loss = (q: { table: Tensor<[2, 3], 'float64'>; x: typeof x }) =>
      sum(mul(positions.apply({ table: q.table }, q.x), weights))
    expect(checkGrads(loss, { table: p.table, x }, { order: 2 }).failures).toEqual([])
  })
})
