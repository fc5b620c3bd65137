import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { referenceKernels } from '../../../../src/tensor/kernels/reference.js'
import { binaryExpressions, unaryExpressions } from '../../../../src/tensor/kernels/wasm/elementwise.js'
import { Heap } from '../../../../src/tensor/kernels/wasm/heap.js'
import { compileKernels, createMemory, instantiate } from '../../../../src/tensor/kernels/wasm/module.js'
import { planBinary, runBinary, runUnary, runWhere } from '../../../../src/tensor/kernels/wasm/pointwise.js'
import { arbFloats, firstDifference, precisions, zerosLike } from './helpers.js'

const memory = createMemory(false)
const instance = instantiate(compileKernels({ shared: false, fma: false }), memory, false)
const heap = new Heap(memory)
const kernelsOf = (dtype: (typeof precisions)[number]) => (dtype === 'float32' ? instance.f32 : instance.f64)

// lengths around the two-vector body (8 float32 or 4 float64 per pass) and its one-lane tail
const length = fc.integer({ min: 0, max: 37 })

describe('vector expressions', () => {
  for (const dtype of precisions) {
    for (const expr of Object.keys(binaryExpressions))
      it(`${expr} matches the reference bit for bit, NaN, ±0, ±Infinity and subnormals included (${dtype})`, () => {
        const kernel = kernelsOf(dtype).binary.get(expr)!
        fc.assert(
          fc.property(
            length.chain((n) => fc.tuple(arbFloats(dtype, n, true), arbFloats(dtype, n, true))),
            ([a, b]) => {
              const shape = [a.length]
              const actual = zerosLike(a, a.length)
              const expected = zerosLike(a, a.length)
              expect(runBinary(heap, kernel, planBinary(shape, shape, shape)!, a, b, actual)).toBe(true)
              referenceKernels.binary({ name: expr, expr }, a, shape, b, shape, expected, shape)
              expect(firstDifference(actual, expected)).toBe(-1)
            },
          ),
          { seed: 520, numRuns: 80 },
        )
      })
    for (const expr of Object.keys(unaryExpressions))
      it(`${expr} matches the reference bit for bit (${dtype})`, () => {
        const kernel = kernelsOf(dtype).unary.get(expr)!
        fc.assert(
          fc.property(
            length.chain((n) => arbFloats(dtype, n, true)),
            (x) => {
              const actual = zerosLike(x, x.length)
              const expected = zerosLike(x, x.length)
              expect(runUnary(heap, kernel, x, actual)).toBe(true)
              referenceKernels.unary({ name: expr, expr }, x, expected)
              expect(firstDifference(actual, expected)).toBe(-1)
            },
          ),
          { seed: 521, numRuns: 80 },
        )
      })
  }
  for (const dtype of precisions)
    it(`where selects bit for bit as the reference, for full and one-value branches (${dtype})`, () => {
      const kernel = kernelsOf(dtype).where
      fc.assert(
        fc.property(
          fc.tuple(fc.integer({ min: 0, max: 37 }), fc.boolean(), fc.boolean()).chain(([n, aFull, bFull]) =>
            fc.tuple(
              arbFloats(dtype, n, true).map((c) => c.map((v, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? -0 : v))),
              arbFloats(dtype, aFull ? n : 1, true),
              arbFloats(dtype, bFull ? n : 1, true),
            ),
          ),
          ([condition, a, b]) => {
            const n = condition.length
            const actual = zerosLike(condition, n)
            const expected = zerosLike(condition, n)
            const shapeOf = (x: ArrayLike<number>) => (x.length === n ? [n] : [])
            expect(runWhere(heap, kernel, condition, a, b, actual)).toBe(true)
            referenceKernels.where(condition, [n], a, shapeOf(a), b, shapeOf(b), expected, [n])
            if (n > 0) expect(firstDifference(actual, expected)).toBe(-1)
          },
        ),
        { seed: 522, numRuns: 120 },
      )
    })
  it('covers the elementwise primitives it claims: arithmetic, max/min, comparisons, neg, abs, sqrt, relu, sign', () => {
    expect(Object.keys(binaryExpressions)).toHaveLength(12)
    expect(Object.keys(unaryExpressions)).toHaveLength(5)
  })
})
