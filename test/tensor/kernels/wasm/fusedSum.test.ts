/**
 * Fused row sums: the row-summing kernel of a tree gives, bit for bit, what the tree's elementwise
 * kernel followed by the back end's row sum gives (random trees, layouts, row counts and lengths
 * across the blocks of eight and their tails, special values included), and each sum is within
 * rounding of a float64 sum of the same values.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createArena } from '../../../../src/tensor/internal.js'
import { webAssembly } from '../../../../src/tensor/kernels/wasm/api.js'
import { buildModule } from '../../../../src/tensor/kernels/wasm/encoder.js'
import type { OperandLayout } from '../../../../src/tensor/kernels/wasm/fused.js'
import { emitFusedRowSums } from '../../../../src/tensor/kernels/wasm/fusedSum.js'
import { arbFloats, arbFusedExpression } from './helpers.js'

const layouts: readonly OperandLayout[] = ['full', 'row', 'column', 'scalar']
// elements an operand of this layout holds over [outer, inner] values
const lengthOf = (layout: OperandLayout, outer: number, inner: number): number =>
  layout === 'full' ? outer * inner : layout === 'row' ? inner : layout === 'column' ? outer : 1

describe('fused row sums', () => {
  it('emit a module that validates in both precisions', () => {
    for (const precision of ['f32', 'f64'] as const) {
      const root = arbFusedExpression(2)
      const [expression] = fc.sample(root, { numRuns: 1, seed: 5 })
      const body = emitFusedRowSums({ precision, layouts: ['full', 'row'], root: expression!, sum: 'rows' })
      const bytes = buildModule({ initial: 1, maximum: 65536, shared: false }, [{ name: 'fused', body }])
      expect(webAssembly?.validate(bytes)).toBe(true)
    }
  })

  for (const precision of ['f32', 'f64'] as const)
    it(`equal the elementwise kernel then the row sum, bit for bit (${precision})`, () => {
      const arena = createArena()!
      const dtype = precision === 'f32' ? 'float32' : 'float64'
      const e = precision === 'f32' ? 4 : 8
      const sums = precision === 'f32' ? arena.kernels.f32 : arena.kernels.f64
      fc.assert(
        fc.property(
          arbFusedExpression(3),
          fc.tuple(fc.constantFrom(...layouts), fc.constantFrom(...layouts), fc.constantFrom(...layouts)),
          fc.integer({ min: 0, max: 4 }),
          fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 20, max: 70 })),
          fc.boolean(),
          fc.integer({ min: 0, max: 1000 }),
          (expression, operandLayouts, outer, inner, special, seed) => {
            const lengths = operandLayouts.map((l) => lengthOf(l, outer, inner))
            const [values] = fc.sample(
              arbFloats(
                dtype,
                lengths.reduce((a, b) => a + b, 0),
                special,
              ),
              {
                numRuns: 1,
                seed,
              },
            )
            // operands, then the elementwise values, the two-step sums and the fused sums, 16-aligned
            const block = 4096
            arena.ensure(block * 6)
            const memory = arena.views()[precision]
            const addresses = lengths.map((_, j) => j * block)
            let from = 0
            lengths.forEach((n, j) => {
              memory.set(values!.subarray(from, from + n), addresses[j]! / e)
              from += n
            })
            const [valuesAt, twoStepAt, fusedAt] = [3 * block, 4 * block, 5 * block]
            const spec = { precision, layouts: operandLayouts, root: expression }
            arena.fused(spec)(...addresses, valuesAt, outer, inner)
            sums.sum(valuesAt, twoStepAt, outer, inner, 1)
            memory.fill(7, fusedAt / e, fusedAt / e + outer + 1)
            arena.fused({ ...spec, sum: 'rows' })(...addresses, fusedAt, outer, inner)
            const view = (at: number, n: number) => memory.subarray(at / e, at / e + n)
            const [twoStep, fused] = [view(twoStepAt, outer), view(fusedAt, outer + 1)]
            for (let o = 0; o < outer; o++) expect(Object.is(fused[o], twoStep[o])).toBe(true)
            // nothing written past the last sum
            expect(fused[outer]).toBe(7)
            // and within rounding of a float64 sum of the same values
            const elementwise = view(valuesAt, outer * inner)
            for (let o = 0; o < outer; o++) {
              const row = Array.from(elementwise.subarray(o * inner, (o + 1) * inner))
              const exact = row.reduce((a, b) => a + b, 0)
              const magnitude = row.reduce((a, b) => a + Math.abs(b), 0)
              // (special values, or sums past the storage type's range, have no rounding bound)
              const stored = precision === 'f32' ? Math.fround(magnitude) : magnitude
              if (!Number.isFinite(stored)) continue
              const rounding = precision === 'f32' ? 2 ** -24 * Math.abs(exact) : 0
              expect(Math.abs(fused[o]! - exact)).toBeLessThanOrEqual(
                rounding + 2 * inner * 2 ** -53 * magnitude + 1e-300,
              )
            }
          },
        ),
        { seed: 11, numRuns: 150 },
      )
    })

  for (const precision of ['f32', 'f64'] as const)
    it(`sum columns as the elementwise kernel then the column sum do, bit for bit (${precision})`, () => {
      const arena = createArena()!
      const dtype = precision === 'f32' ? 'float32' : 'float64'
      const e = precision === 'f32' ? 4 : 8
      const sums = precision === 'f32' ? arena.kernels.f32 : arena.kernels.f64
      const columnLayouts: readonly OperandLayout[] = ['full', 'row', 'scalar']
      fc.assert(
        fc.property(
          arbFusedExpression(3),
          fc.tuple(
            fc.constantFrom(...columnLayouts),
            fc.constantFrom(...columnLayouts),
            fc.constantFrom(...columnLayouts),
          ),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 0, max: 9 }),
          fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 10, max: 40 })),
          fc.boolean(),
          fc.integer({ min: 0, max: 1000 }),
          (expression, operandLayouts, outer, middle, inner, special, seed) => {
            const lengths = operandLayouts.map((l) => lengthOf(l, outer * middle, inner))
            const total = lengths.reduce((a, b) => a + b, 0)
            const [values] = fc.sample(arbFloats(dtype, total, special), { numRuns: 1, seed })
            const block = 16384
            arena.ensure(block * 6)
            const memory = arena.views()[precision]
            const addresses = lengths.map((_, j) => j * block)
            let from = 0
            lengths.forEach((n, j) => {
              memory.set(values!.subarray(from, from + n), addresses[j]! / e)
              from += n
            })
            const [valuesAt, twoStepAt, fusedAt] = [3 * block, 4 * block, 5 * block]
            const spec = { precision, layouts: operandLayouts, root: expression }
            // the elementwise kernel sees [outer · middle, inner]: rows repeat for every pair
            arena.fused(spec)(...addresses, valuesAt, outer * middle, inner)
            sums.sum(valuesAt, twoStepAt, outer, middle, inner)
            const n = outer * inner
            memory.fill(7, fusedAt / e, fusedAt / e + n + 1)
            arena.fused({ ...spec, sum: 'columns' })(...addresses, fusedAt, outer, middle, inner)
            const view = (at: number, count: number) => memory.subarray(at / e, at / e + count)
            const [twoStep, fused] = [view(twoStepAt, n), view(fusedAt, n + 1)]
            for (let j = 0; j < n; j++) expect(Object.is(fused[j], twoStep[j])).toBe(true)
            expect(fused[n]).toBe(7)
            // and within rounding of a float64 sum down each column
            const elementwise = view(valuesAt, outer * middle * inner)
            for (let o = 0; o < outer; o++)
              for (let c = 0; c < inner; c++) {
                const column = Array.from(
                  { length: middle },
                  (_, r) => elementwise[(o * middle + r) * inner + c]!,
                )
                const exact = column.reduce((a, b) => a + b, 0)
                const magnitude = column.reduce((a, b) => a + Math.abs(b), 0)
                const stored = precision === 'f32' ? Math.fround(magnitude) : magnitude
                if (!Number.isFinite(stored)) continue
                const rounding = precision === 'f32' ? 2 ** -24 * Math.abs(exact) : 0
                expect(Math.abs(fused[o * inner + c]! - exact)).toBeLessThanOrEqual(
                  rounding + 2 * middle * 2 ** -53 * magnitude + 1e-300,
                )
              }
          },
        ),
        { seed: 13, numRuns: 150 },
      )
    })
})
