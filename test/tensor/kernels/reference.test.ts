import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { referenceKernels, runsOf } from '../../../src/tensor/kernels/reference.js'
import { arbShape } from '../../../src/testing/arbitraries.js'
import { arbFloats, firstDifference, precisions, zerosLike } from './wasm/helpers.js'

const size = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1)

/** The definition: every element, in row-major order, folded into the output its kept indices name. */
const reduceByDefinition = (
  kind: 'sum' | 'max' | 'min',
  x: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
): Float64Array => {
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d))
  const acc = new Float64Array(size(kept.map((d) => shape[d]!))).fill(
    kind === 'sum' ? 0 : kind === 'max' ? -Infinity : Infinity,
  )
  for (let flat = 0; flat < x.length; flat++) {
    let rest = flat
    const index = shape.map(() => 0)
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = rest % shape[d]!
      rest = Math.floor(rest / shape[d]!)
    }
    const o = kept.reduce((at, d) => at * shape[d]! + index[d]!, 0)
    const v = x[flat]!
    const a = acc[o]!
    acc[o] =
      kind === 'sum'
        ? a + v
        : kind === 'max'
          ? v > a || Number.isNaN(v)
            ? v
            : a
          : v < a || Number.isNaN(v)
            ? v
            : a
  }
  return acc
}

describe('referenceKernels.reduce', () => {
  for (const dtype of precisions)
    it(`folds any set of axes, contiguous or not, exactly as the element-by-element definition (${dtype})`, () => {
      fc.assert(
        fc.property(
          arbShape({ minRank: 1, maxRank: 5, minDim: 1, maxDim: 5 }).chain((shape) =>
            fc.tuple(
              fc.constant(shape),
              arbFloats(dtype, size(shape), true),
              fc.subarray(
                shape.map((_, d) => d),
                { minLength: 1 },
              ),
              fc.constantFrom('sum', 'max', 'min') as fc.Arbitrary<'sum' | 'max' | 'min'>,
            ),
          ),
          ([shape, x, axes, kind]) => {
            const expected = zerosLike(x, size(shape.filter((_, d) => !axes.includes(d))))
            expected.set(reduceByDefinition(kind, x, shape, axes))
            const actual = zerosLike(x, expected.length)
            referenceKernels.reduce(kind, x, shape, axes, actual)
            expect(firstDifference(actual, expected)).toBe(-1)
          },
        ),
        { seed: 1207, numRuns: 400 },
      )
    })

  it('sums a bias gradient over [0, 2, 3] of [N, C, H, W] into one value per channel', () => {
    const [n, c, h, w] = [3, 4, 5, 6]
    const x = Float64Array.from({ length: n * c * h * w }, (_, i) => Math.floor(i / (h * w)) % c)
    const out = new Float64Array(c)
    referenceKernels.reduce('sum', x, [n, c, h, w], [0, 2, 3], out)
    expect(Array.from(out)).toEqual([0, 1, 2, 3].map((channel) => channel * n * h * w))
  })
})

describe('runsOf', () => {
  it('drops axes of size 1 and merges neighbours of the same kind', () => {
    expect(runsOf([64, 16, 24, 24], (i) => i !== 1)).toEqual({
      sizes: [64, 16, 576],
      reduced: [true, false, true],
    })
    expect(runsOf([2, 1, 3, 5], (i) => i === 0 || i === 2)).toEqual({ sizes: [6, 5], reduced: [true, false] })
    expect(runsOf([1, 1], () => true)).toEqual({ sizes: [], reduced: [] })
  })
})
