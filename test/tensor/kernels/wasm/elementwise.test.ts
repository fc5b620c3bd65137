import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluate, makeTensor, primitives, storage } from '../../../../src/tensor/internal.js'
import { referenceKernels, useKernels } from '../../../../src/tensor/kernels/index.js'
import type { FloatArray } from '../../../../src/tensor/kernels/types.js'
import { binaryVectorOps, unaryVectorOps } from '../../../../src/tensor/kernels/wasm/elementwise.js'
import { Heap } from '../../../../src/tensor/kernels/wasm/heap.js'
import { compileKernels, createMemory, instantiate } from '../../../../src/tensor/kernels/wasm/module.js'
import { planBinary, runBinary, runUnary, runWhere } from '../../../../src/tensor/kernels/wasm/pointwise.js'
import { arbFloats, firstDifference, precisions, zerosLike } from './helpers.js'

const memory = createMemory(false)
const instance = instantiate(compileKernels({ shared: false, fma: false }), memory, false)
const heap = new Heap(memory)
const kernelsOf = (dtype: (typeof precisions)[number]) => (dtype === 'float32' ? instance.f32 : instance.f64)

/** The primitive `name` computed by the reference kernels (its declared expression) on flat inputs. */
const reference = (name: string, inputs: readonly FloatArray[]): FloatArray => {
  const prim = primitives.find((p) => p.name === name)!
  const dtype = inputs[0] instanceof Float32Array ? 'float32' : 'float64'
  const previous = useKernels(referenceKernels)
  try {
    return storage(
      evaluate(
        prim,
        inputs.map((x) => makeTensor([x.length], dtype, x)),
        undefined,
      ),
    ) as FloatArray
  } finally {
    useKernels(previous)
  }
}

// lengths around the two-vector body (8 float32 or 4 float64 per pass) and its one-lane tail
const length = fc.integer({ min: 0, max: 37 })

describe('vector expressions', () => {
  for (const dtype of precisions) {
    for (const name of Object.keys(binaryVectorOps))
      it(`${name} matches the reference bit for bit, NaN, ±0, ±Infinity and subnormals included (${dtype})`, () => {
        const kernel = kernelsOf(dtype).binary.get(name)!
        fc.assert(
          fc.property(
            length.chain((n) => fc.tuple(arbFloats(dtype, n, true), arbFloats(dtype, n, true))),
            ([a, b]) => {
              const shape = [a.length]
              const actual = zerosLike(a, a.length)
              expect(runBinary(heap, kernel, planBinary(shape, shape, shape)!, a, b, actual)).toBe(true)
              expect(firstDifference(actual, reference(name, [a, b]))).toBe(-1)
            },
          ),
          { seed: 520, numRuns: 80 },
        )
      })
    for (const name of Object.keys(unaryVectorOps))
      it(`${name} matches the reference bit for bit (${dtype})`, () => {
        const kernel = kernelsOf(dtype).unary.get(name)!
        fc.assert(
          fc.property(
            length.chain((n) => arbFloats(dtype, n, true)),
            (x) => {
              const actual = zerosLike(x, x.length)
              expect(runUnary(heap, kernel, x, actual)).toBe(true)
              expect(firstDifference(actual, reference(name, [x]))).toBe(-1)
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
    expect(Object.keys(binaryVectorOps)).toEqual([
      'add',
      'sub',
      'mul',
      'div',
      'maximum',
      'minimum',
      'equal',
      'notEqual',
      'less',
      'greater',
      'lessEqual',
      'greaterEqual',
    ])
    expect(Object.keys(unaryVectorOps)).toEqual(['neg', 'abs', 'sqrt', 'relu', 'sign'])
  })
})
