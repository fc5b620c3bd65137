import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { referenceKernels } from '../../../../src/tensor/kernels/reference.js'
import { Heap } from '../../../../src/tensor/kernels/wasm/heap.js'
import { compileKernels, createMemory, instantiate } from '../../../../src/tensor/kernels/wasm/module.js'
import { runSum } from '../../../../src/tensor/kernels/wasm/sums.js'
import { arbFloats, precisions, zerosLike } from './helpers.js'

const memory = createMemory(false)
const instance = instantiate(compileKernels({ shared: false, fma: false }), memory, false)
const heap = new Heap(memory)
const size = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1)

const wasmSum = (x: Float32Array | Float64Array, shape: readonly number[], axes: readonly number[]) => {
  const out = zerosLike(x, size(shape.filter((_, i) => !axes.includes(i))))
  const kernels = x instanceof Float32Array ? instance.f32 : instance.f64
  expect(runSum(heap, kernels, instance.f64, x, shape, axes, out)).toBe(true)
  return out
}

const referenceSum = (x: Float32Array | Float64Array, shape: readonly number[], axes: readonly number[]) => {
  const out = zerosLike(x, size(shape.filter((_, i) => !axes.includes(i))))
  referenceKernels.reduce('sum', x, shape, axes, out)
  return out
}

describe('runSum', () => {
  for (const dtype of precisions)
    it(`agrees with the reference over any axes, to within rounding of the sum of magnitudes (${dtype})`, () => {
      fc.assert(
        fc.property(
          fc
            .array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 })
            .chain((shape) =>
              fc.tuple(
                fc.constant(shape),
                arbFloats(dtype, size(shape)),
                fc.subarray(shape.map((_, i) => i)),
              ),
            ),
          ([shape, x, axes]) => {
            const actual = wasmSum(x, shape, axes)
            const expected = referenceSum(x, shape, axes)
            const magnitude = referenceSum(x.map(Math.abs), shape, axes)
            const eps = dtype === 'float32' ? 2 ** -24 : 2 ** -52
            for (let i = 0; i < expected.length; i++)
              expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(
                (size(shape) + 2) * 2 ** -52 * magnitude[i]! + 2 * eps * Math.abs(expected[i]!),
              )
          },
        ),
        { seed: 590, numRuns: 300 },
      )
    })

  it("sums a bias gradient's axes [0, 2, 3] with float64 partial sums, never rounded to float32 on the way", () => {
    // channel 0: batch entry 0 holds 1e8 and three ones, entry 1 holds -1e8: exactly 3 in all, while
    // float32 partial sums per entry (1e8 + 3 rounds to 1e8) would give 0
    const x = new Float32Array(2 * 2 * 2 * 2)
    x.set([1e8, 1, 1, 1], 0) // [0, 0, :, :]
    x.set([-1e8, 0, 0, 0], 8) // [1, 0, :, :]
    x.set([2, 2, 2, 2], 4) // [0, 1, :, :]
    x.set([0.5, 0.5, 0.5, 0.5], 12) // [1, 1, :, :]
    expect(Array.from(wasmSum(x, [2, 2, 2, 2], [0, 2, 3]))).toEqual([3, 10])
    expect(Array.from(referenceSum(x, [2, 2, 2, 2], [0, 2, 3]))).toEqual([3, 10])
  })

  it('leaves a sum over one run of axes as the single kernel pass computes it, bit for bit', () => {
    const x = Float32Array.from({ length: 5 * 6 * 7 }, (_, i) => Math.sin(i) * 10 ** (i % 5))
    const out = new Float32Array(5 * 7)
    const e = 4
    const at = Math.ceil((x.length * e) / 16) * 16
    heap.ensure(at + out.length * e)
    heap.viewFor(x).set(x, 0)
    instance.f32.sum(0, at, 5, 6, 7)
    const single = heap.viewFor(x).slice(at / e, at / e + out.length)
    expect(Array.from(wasmSum(x, [5, 1, 6, 7], [1, 2]))).toEqual(Array.from(single))
  })
})
