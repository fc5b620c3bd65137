/**
 * Elementwise primitives allocate their outputs without zero-filling large arrays, so every kernel
 * path (same shape, scalar, general broadcast; reference and WebAssembly) must write every element.
 * Memory is polluted with NaN first, so an element left unwritten would show up.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { add, exp, fromArrayOrThrow, mul, toFlat } from '../../../src/index.js'
import { allocateUnfilled } from '../../../src/tensor/dtype.js'

const pollute = (): void => {
  for (let i = 0; i < 8; i++) Buffer.allocUnsafe(1 << 20).fill(0xff) // NaN bit patterns, then freed
}

describe('unfilled outputs of elementwise primitives', () => {
  it('allocateUnfilled returns arrays of the right type and length, aligned, above and below the threshold', () => {
    for (const size of [0, 1, 100, 16384, 100_000]) {
      const f32 = allocateUnfilled('float32', size)
      const f64 = allocateUnfilled('float64', size)
      expect(f32).toBeInstanceOf(Float32Array)
      expect(f64).toBeInstanceOf(Float64Array)
      expect([f32.length, f64.length]).toEqual([size, size])
      expect(f64.byteOffset % 8).toBe(0)
    }
  })

  it('every element of large unary and broadcast binary results is written', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 64, max: 200 }),
        fc.integer({ min: 128, max: 300 }),
        fc.constantFrom('float32', 'float64'),
        (rows, cols, dtype) => {
          pollute()
          const a = fromArrayOrThrow(
            Array.from({ length: rows * cols }, (_, i) => (i % 7) - 3),
            [rows, cols],
            { dtype },
          )
          const column = fromArrayOrThrow(
            Array.from({ length: rows }, (_, i) => i % 5),
            [rows, 1],
            { dtype },
          )
          const row = fromArrayOrThrow(
            Array.from({ length: cols }, (_, j) => j % 3),
            [cols],
            { dtype },
          )
          const sum = toFlat(add(a, column))
          const product = toFlat(mul(column, row)) // outer product: general broadcast
          const scaled = toFlat(mul(a, 2))
          const e = toFlat(exp(mul(a, 0)))
          // one assertion per result (per-element expects made this test take a minute under load)
          let wrong: string | undefined
          for (let i = 0; i < rows && wrong === undefined; i++)
            for (let j = 0; j < cols && wrong === undefined; j++) {
              const k = i * cols + j
              const v = (k % 7) - 3
              if (!Object.is(sum[k], v + (i % 5))) wrong = `add at ${k}: ${sum[k]}`
              else if (!Object.is(product[k], (i % 5) * (j % 3)))
                wrong = `outer product at ${k}: ${product[k]}`
              else if (!Object.is(scaled[k], 2 * v)) wrong = `scaled at ${k}: ${scaled[k]}`
              else if (!Object.is(e[k], 1)) wrong = `exp at ${k}: ${e[k]}`
            }
          expect(wrong).toBeUndefined()
        },
      ),
      { seed: 5, numRuns: 12 },
    )
  })
})
