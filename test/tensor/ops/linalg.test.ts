import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  DTypeError,
  matmul,
  matmulTransposed,
  ShapeError,
  tensor,
  toFlat,
  transpose,
  zeros,
} from '../../../src/index.js'
import { arbDType, arbNaive, arbSmallInt, toNaive, toTensor } from '../../support/arbitraries.js'
import { firstMismatch, naiveMatmul, roundTo } from '../../support/naive.js'

type Untyped = (a: AnyTensor, b: AnyTensor) => AnyTensor
const mm = matmul as unknown as Untyped

/** Batch shapes for a and b that broadcast (each dim equal, or one of them 1, or missing). */
const arbBatches = fc
  .array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 })
  .chain((out) =>
    fc.tuple(
      ...[0, 1].map(() =>
        fc
          .tuple(
            fc.integer({ min: 0, max: out.length }),
            fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
          )
          .map(([drop, ones]) => out.map((d, i) => (ones[i] ? 1 : d)).slice(drop)),
      ),
    ),
  )

const arbMatmulCase = (values: fc.Arbitrary<number>) =>
  fc
    .record({
      batches: arbBatches,
      m: fc.integer({ min: 0, max: 5 }),
      k: fc.integer({ min: 0, max: 5 }),
      n: fc.integer({ min: 0, max: 5 }),
    })
    .chain(({ batches: [ba, bb], m, k, n }) =>
      fc.tuple(arbNaive([...ba!, m, k], values), arbNaive([...bb!, k, n], values), arbDType),
    )

describe('matmul', () => {
  it('equals a naive triple loop exactly on small integers (2-D, batched, broadcast batch dims)', () => {
    fc.assert(
      fc.property(arbMatmulCase(arbSmallInt), ([na, nb, dtype]) => {
        const out = mm(toTensor(na, dtype), toTensor(nb, dtype))
        const expected = naiveMatmul(na, nb)
        expect(out.shape).toEqual(expected.shape)
        expect(out.dtype).toBe(dtype)
        expect(toFlat(out)).toEqual(expected.data)
      }),
      { seed: 0x3a7301, numRuns: 200 },
    )
  })

  it('equals a naive triple loop in float64 on real values, within the rounding bound of a dot product', () => {
    const values = fc.double({ min: -10, max: 10, noNaN: true })
    fc.assert(
      fc.property(arbMatmulCase(values), ([na, nb]) => {
        const a = toTensor(na, 'float64')
        const b = toTensor(nb, 'float64')
        const out = mm(a, b)
        const expected = naiveMatmul(na, nb)
        // |error| ≤ k·eps·Σ|a||b| for any summation order; here that is computed with |a| and |b|
        const k = na.shape.at(-1)!
        const bound = naiveMatmul(
          { shape: na.shape, data: na.data.map(Math.abs) },
          { shape: nb.shape, data: nb.data.map(Math.abs) },
        )
        const tolerance = (i: number) => k * 2 ** -52 * bound.data[i]!
        expect(out.shape).toEqual(expected.shape)
        expect(firstMismatch(toFlat(out), expected.data, tolerance)).toBe(undefined)
      }),
      { seed: 0x3a7302, numRuns: 150 },
    )
  })

  it('propagates NaN and Infinity like IEEE arithmetic (0 · Infinity is NaN)', () => {
    const special = fc.constantFrom(0, 1, -2, NaN, Infinity, -Infinity)
    fc.assert(
      fc.property(arbMatmulCase(special), ([na, nb, dtype]) => {
        const out = mm(toTensor(na, dtype), toTensor(nb, dtype))
        expect(toFlat(out)).toEqual(roundTo(dtype, naiveMatmul(na, nb).data))
      }),
      { seed: 0x3a7303, numRuns: 150 },
    )
    expect(toFlat(matmul(tensor([[0, 1]]), tensor([[Infinity], [2]])))).toEqual([NaN])
  })

  it('gives zeros for an inner dimension of 0 and empty results for outer dimensions of 0', () => {
    expect(toFlat(matmul(zeros([2, 0]), zeros([0, 3])))).toEqual([0, 0, 0, 0, 0, 0])
    expect(matmul(zeros([0, 4]), zeros([4, 3])).shape).toEqual([0, 3])
    expect(mm(zeros([0, 2, 4]), zeros([4, 3])).shape).toEqual([0, 2, 3])
  })

  it('throws a ShapeError naming both shapes when inner dimensions differ', () => {
    expect(() => mm(zeros([2, 3]), zeros([4, 5]))).toThrow(
      new ShapeError('matmul', 'inner dimensions differ: a is [2,3], b is [4,5]'),
    )
    expect(() => mm(zeros([2, 3]), zeros([4, 5]))).toThrow(
      'matmul: inner dimensions differ: a is [2,3], b is [4,5]',
    )
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }),
        (sa, sb) => {
          fc.pre(sa.at(-1) !== sb.at(-2))
          expect(() => mm(zeros(sa), zeros(sb))).toThrow(
            `matmul: inner dimensions differ: a is [${sa.join(',')}], b is [${sb.join(',')}]`,
          )
        },
      ),
      { seed: 0x3a7304, numRuns: 50 },
    )
  })

  it('throws a ShapeError for rank below 2, batch dims that do not broadcast, and a DTypeError for mixed dtypes', () => {
    expect(() => mm(zeros([3]), zeros([3, 2]))).toThrow(
      new ShapeError('matmul', 'a must have rank 2 or more, got [3]'),
    )
    expect(() => mm(zeros([3, 2]), zeros([]))).toThrow(
      new ShapeError('matmul', 'b must have rank 2 or more, got []'),
    )
    expect(() => mm(zeros([2, 2, 3]), zeros([3, 3, 4]))).toThrow(
      new ShapeError(
        'matmul',
        'cannot broadcast the batch dimensions [2] of a [2,2,3] with [3] of b [3,3,4]: batch axis 0 (aligned from the right) is 2 vs 3; dimensions must be equal or 1',
      ),
    )
    expect(() => mm(zeros([2, 3]), zeros([3, 4], { dtype: 'float64' }))).toThrow(DTypeError)
  })
})

describe('matmulTransposed', () => {
  it('equals matmul of the explicitly transposed operands', () => {
    fc.assert(
      fc.property(
        arbMatmulCase(arbSmallInt),
        fc.boolean(),
        fc.boolean(),
        ([na, nb, dtype], transposeA, transposeB) => {
          const swap = (t: AnyTensor) => {
            const r = t.shape.length
            return transpose(
              t,
              t.shape.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i)),
            ) as AnyTensor
          }
          const a = toTensor(na, dtype)
          const b = toTensor(nb, dtype)
          // feed the transposes, so that op(transposed) gives back the original operands
          const out = matmulTransposed(transposeA ? swap(a) : a, transposeB ? swap(b) : b, {
            transposeA,
            transposeB,
          })
          const expected = naiveMatmul(toNaive(a), toNaive(b))
          expect(out.shape).toEqual(expected.shape)
          expect(toFlat(out)).toEqual(expected.data)
        },
      ),
      { seed: 0x3a7305, numRuns: 150 },
    )
  })

  it('names the flags in the error when the inner dimensions differ', () => {
    expect(() => matmulTransposed(zeros([2, 3]), zeros([2, 3]), { transposeA: false })).toThrow(
      'matmul: inner dimensions differ: a is [2,3], b is [2,3]',
    )
    expect(() =>
      matmulTransposed(zeros([2, 3]), zeros([4, 3]), { transposeA: true, transposeB: true }),
    ).toThrow('matmul: inner dimensions differ: a is [2,3], b is [4,3] (transposeA true, transposeB true)')
  })
})
