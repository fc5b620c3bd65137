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

// the sums in float64, element by element in order, as the reference accumulates them
const float64Sums = (x: Float32Array | Float64Array, outer: number, middle: number, inner: number) => {
  const out = new Float64Array(outer * inner)
  for (let o = 0; o < outer; o++)
    for (let m = 0; m < middle; m++)
      for (let i = 0; i < inner; i++) out[o * inner + i]! += x[(o * middle + m) * inner + i]!
  return out
}
const wideSum = (x: Float32Array | Float64Array, outer: number, middle: number, inner: number) => {
  const outAt = Math.ceil((x.length * x.BYTES_PER_ELEMENT) / 16) * 16
  heap.ensure(outAt + (outer * inner + 4) * 8)
  heap.viewFor(x).set(x, 0)
  const view = heap.viewFor(new Float64Array(0))
  view.fill(Number.NaN, outAt / 8, outAt / 8 + outer * inner + 4)
  ;(x instanceof Float32Array ? instance.f32 : instance.f64).sumWide(0, outAt, outer, middle, inner)
  return {
    sums: view.slice(outAt / 8, outAt / 8 + outer * inner),
    guard: view.slice(outAt / 8 + outer * inner, outAt / 8 + outer * inner + 4),
  }
}

describe('emitted sum', () => {
  for (const dtype of precisions) {
    // the storage-type sum against the reference, and the wide one (float64 sums, unrounded) against
    // an in-order float64 sum
    const columnCases = [
      { what: 'bit for bit as the reference does', run: emittedSum, expected: referenceSum, seed: 540 },
      {
        what: 'as unrounded float64 sums (sumWide), in order',
        run: wideSum,
        expected: float64Sums,
        seed: 542,
      },
    ]
    for (const { what, run, expected, seed } of columnCases)
      it(`sums columns (inner > 1) ${what}, specials included (${dtype})`, () => {
        fc.assert(
          fc.property(
            dims
              .filter((d) => d.inner > 1)
              .chain((d) => fc.tuple(fc.constant(d), arbFloats(dtype, d.outer * d.middle * d.inner, true))),
            ([{ outer, middle, inner }, x]) => {
              const { sums, guard } = run(x, outer, middle, inner)
              expect(firstDifference(sums, expected(x, outer, middle, inner))).toBe(-1)
              expect(Array.from(guard).every(Number.isNaN)).toBe(true)
            },
          ),
          { seed, numRuns: 150 },
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

describe('emitted wide sum (float64 sums of either storage type)', () => {
  it('keeps what a float32 result would round away (1e8 + 3 in float32 storage sums to 100000003)', () => {
    const { sums } = wideSum(Float32Array.from([1e8, 1, 1, 1]), 1, 4, 1)
    expect(sums[0]).toBe(100000003)
    expect(emittedSum(Float32Array.from([1e8, 1, 1, 1]), 1, 4, 1).sums[0]).toBe(1e8)
  })
})
