import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { broadcastLoop, extremumLoop, transposeLoop, whereLoop } from '../../../src/tensor/kernels/loops.js'
import { referenceKernels } from '../../../src/tensor/kernels/reference.js'
import { broadcastShapes } from '../../../src/tensor/shape.js'
import { arbBroadcastPair, arbShape } from '../../../src/testing/arbitraries.js'
import { arbFloats, firstDifference, precisions, zerosLike } from './wasm/helpers.js'

const size = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1)

describe('whereLoop', () => {
  for (const dtype of precisions)
    it(`agrees with the reference for full and one-value operands, NaN and -0 conditions included (${dtype})`, () => {
      const operand = (full: boolean, n: number) => arbFloats(dtype, full ? n : 1, true)
      fc.assert(
        fc.property(
          fc
            .tuple(arbShape({ maxRank: 3, maxDim: 5 }), fc.boolean(), fc.boolean(), fc.boolean())
            .chain(([shape, fullC, fullA, fullB]) =>
              fc.tuple(
                fc.constant(shape),
                operand(fullC, size(shape)).map((c) => c.map((v) => (v > 1 ? 0 : v))),
                operand(fullA, size(shape)),
                operand(fullB, size(shape)),
              ),
            ),
          ([shape, condition, a, b]) => {
            const shapeOf = (x: ArrayLike<number>) => (x.length === size(shape) ? shape : [])
            const actual = zerosLike(a, size(shape))
            const expected = zerosLike(a, size(shape))
            referenceKernels.where(
              condition,
              shapeOf(condition),
              a,
              shapeOf(a),
              b,
              shapeOf(b),
              expected,
              shape,
            )
            expect(whereLoop(condition, a, b, actual)).toBe(true)
            expect(firstDifference(actual, expected)).toBe(-1)
          },
        ),
        { seed: 590, numRuns: 300 },
      )
    })
  it('declines an operand that needs real broadcasting', () => {
    expect(
      whereLoop(new Float32Array(6), new Float32Array(3), new Float32Array(1), new Float32Array(6)),
    ).toBe(false)
  })
})

describe('broadcastLoop', () => {
  for (const dtype of precisions)
    it(`agrees with the reference wherever it applies, and applies to rows and columns (${dtype})`, () => {
      let applied = 0
      fc.assert(
        fc.property(
          arbBroadcastPair({ maxRank: 4, maxDim: 5 }).chain(([shape, other]) =>
            fc.tuple(
              fc.constant(shape),
              fc.constant(broadcastShapes('test', shape, other)),
              arbFloats(dtype, size(shape), true),
            ),
          ),
          ([shape, outShape, x]) => {
            const actual = zerosLike(x, size(outShape))
            const expected = zerosLike(x, size(outShape))
            referenceKernels.broadcastTo(x, shape, expected, outShape)
            if (broadcastLoop(x, shape, actual, outShape)) {
              applied++
              expect(firstDifference(actual, expected)).toBe(-1)
            }
          },
        ),
        { seed: 591, numRuns: 300 },
      )
      expect(applied).toBeGreaterThan(150)
    })
  it('handles the softmax and bias gradient layouts', () => {
    expect(broadcastLoop(new Float32Array(128), [128, 1], new Float32Array(1280), [128, 10])).toBe(true)
    expect(broadcastLoop(new Float32Array(10), [10], new Float32Array(1280), [128, 10])).toBe(true)
    expect(broadcastLoop(new Float32Array(3), [1, 3], new Float32Array(12), [2, 2, 3])).toBe(true)
    expect(broadcastLoop(new Float32Array(6), [2, 1, 3], new Float32Array(24), [2, 4, 3])).toBe(false)
  })
})

describe('extremumLoop', () => {
  for (const dtype of precisions)
    it(`computes max and min bit for bit as the reference over contiguous axes, NaN and ±0 included (${dtype})`, () => {
      fc.assert(
        fc.property(
          arbShape({ maxRank: 4, minDim: 1, maxDim: 6 }).chain((shape) =>
            fc.tuple(
              fc.constant(shape),
              arbFloats(dtype, size(shape), true),
              fc.integer({ min: 0, max: shape.length }),
              fc.integer({ min: 0, max: shape.length }),
              fc.constantFrom('max', 'min') as fc.Arbitrary<'max' | 'min'>,
            ),
          ),
          ([shape, x, i, j, kind]) => {
            const axes = Array.from({ length: Math.abs(i - j) }, (_, t) => Math.min(i, j) + t)
            const outSize = size(shape.filter((_, d) => !axes.includes(d)))
            const actual = zerosLike(x, outSize)
            const expected = zerosLike(x, outSize)
            referenceKernels.reduce(kind, x, shape, axes, expected)
            expect(extremumLoop(kind, x, shape, axes, actual)).toBe(axes.length > 0)
            if (axes.length > 0) expect(firstDifference(actual, expected)).toBe(-1)
          },
        ),
        { seed: 592, numRuns: 300 },
      )
    })
  it('declines axes that are not contiguous', () => {
    expect(extremumLoop('max', new Float32Array(8), [2, 2, 2], [0, 2], new Float32Array(2))).toBe(false)
  })
})

describe('transposeLoop', () => {
  // dims mostly small (size-1 axes and merges common), now and then long enough to cross a tile
  // edge (tiles of 32) on one or two axes
  const arbTransposeCase = (dtype: 'float32' | 'float64') =>
    fc
      .array(
        fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) }, fc.integer({ min: 30, max: 70 })),
        {
          maxLength: 5,
        },
      )
      .filter((shape) => size(shape) <= 20000)
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }),
          arbFloats(dtype, size(shape), true),
        ),
      )

  for (const dtype of precisions)
    it(`equals the reference for every permutation, special values included (${dtype})`, () => {
      fc.assert(
        fc.property(arbTransposeCase(dtype), ([shape, perm, x]) => {
          const actual = zerosLike(x, x.length)
          const expected = zerosLike(x, x.length)
          expect(transposeLoop(x, shape, perm, actual)).toBe(true)
          referenceKernels.transpose(x, shape, perm, expected)
          expect(firstDifference(actual, expected)).toBe(-1)
        }),
        { seed: 4242, numRuns: 300 },
      )
    })

  it('transposes a matrix across tile edges (worked: element (i, j) lands at (j, i))', () => {
    const [rows, columns] = [45, 70]
    const x = Float64Array.from({ length: rows * columns }, (_, i) => i)
    const out = new Float64Array(x.length)
    transposeLoop(x, [rows, columns], [1, 0], out)
    for (let j = 0; j < columns; j++)
      for (let i = 0; i < rows; i++) if (out[j * rows + i] !== i * columns + j) expect.fail(`at (${j}, ${i})`)
  })
})
