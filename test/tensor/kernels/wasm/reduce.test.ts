import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { referenceKernels } from '../../../../src/tensor/kernels/reference.js'
import { Heap } from '../../../../src/tensor/kernels/wasm/heap.js'
import { compileKernels, createMemory, instantiate } from '../../../../src/tensor/kernels/wasm/module.js'
import { arbFloats, firstDifference, precisions, zerosLike } from './helpers.js'

const memory = createMemory(false)
const instance = instantiate(compileKernels({ shared: false, fma: false }), memory, false)
const heap = new Heap(memory)

/** Sums `x` viewed as [outer, middle, inner] over the middle axis with the emitted kernel. */
const emittedSum = (x: Float32Array | Float64Array, outer: number, middle: number, inner: number) => {
  const e = x.BYTES_PER_ELEMENT
  const outAt = Math.ceil((x.length * e) / 16) * 16
  heap.ensure(outAt + outer * inner * e + 64)
  const view = heap.viewFor(x)
  view.set(x, 0)
  view.fill(Number.NaN, outAt / e, outAt / e + outer * inner + 4)
  ;(x instanceof Float32Array ? instance.f32 : instance.f64).sum(0, outAt, outer, middle, inner)
  return {
    sums: view.slice(outAt / e, outAt / e + outer * inner),
    guard: view.slice(outAt / e + outer * inner, outAt / e + outer * inner + 4),
  }
}

const referenceSum = (x: Float32Array | Float64Array, outer: number, middle: number, inner: number) => {
  const out = zerosLike(x, outer * inner)
  referenceKernels.reduce('sum', x, [outer, middle, inner], [1], out)
  return out
}

const dims = fc.record({
  outer: fc.integer({ min: 0, max: 5 }),
  middle: fc.integer({ min: 0, max: 21 }),
  inner: fc.integer({ min: 1, max: 19 }),
})

describe('emitted sum', () => {
  for (const dtype of precisions) {
    it(`sums columns (inner > 1) bit for bit as the reference does, specials included (${dtype})`, () => {
      fc.assert(
        fc.property(
          dims
            .filter((d) => d.inner > 1)
            .chain((d) => fc.tuple(fc.constant(d), arbFloats(dtype, d.outer * d.middle * d.inner, true))),
          ([{ outer, middle, inner }, x]) => {
            const { sums, guard } = emittedSum(x, outer, middle, inner)
            expect(firstDifference(sums, referenceSum(x, outer, middle, inner))).toBe(-1)
            expect(Array.from(guard).every(Number.isNaN)).toBe(true)
          },
        ),
        { seed: 540, numRuns: 150 },
      )
    })
    it(`sums contiguous rows (inner = 1) to within rounding of the sum of magnitudes (${dtype})`, () => {
      fc.assert(
        fc.property(
          dims.chain((d) => fc.tuple(fc.constant(d), arbFloats(dtype, d.outer * d.middle))),
          ([{ outer, middle }, x]) => {
            const { sums, guard } = emittedSum(x, outer, middle, 1)
            const expected = referenceSum(x, outer, middle, 1)
            const magnitude = referenceSum(x.map(Math.abs), outer, middle, 1)
            const eps = dtype === 'float32' ? 2 ** -24 : 2 ** -52
            for (let o = 0; o < outer; o++)
              expect(Math.abs(sums[o]! - expected[o]!)).toBeLessThanOrEqual(
                (middle + 2) * 2 ** -52 * magnitude[o]! + 2 * eps * Math.abs(expected[o]!),
              )
            expect(Array.from(guard).every(Number.isNaN)).toBe(true)
          },
        ),
        { seed: 541, numRuns: 150 },
      )
    })
  }
})
