/**
 * Fused sums: the summing kernels of a tree give, bit for bit, what the tree's elementwise kernel
 * followed by the back end's sum kernel gives — rows and columns, random trees, layouts, sizes
 * across the blocks of eight and their tails, special values included — and each sum is within
 * rounding of a float64 sum of the same values.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Arena, createArena } from '../../../../src/tensor/internal.js'
import { webAssembly } from '../../../../src/tensor/kernels/wasm/api.js'
import { buildModule } from '../../../../src/tensor/kernels/wasm/encoder.js'
import type { FusedExpression, OperandLayout } from '../../../../src/tensor/kernels/wasm/fused.js'
import { emitFusedColumnSums, emitFusedRowSums } from '../../../../src/tensor/kernels/wasm/fusedSum.js'
import { arbFloats, arbFusedExpression } from './helpers.js'

type Precision = 'f32' | 'f64'

// elements an operand of this layout holds over [rows, inner] values
const lengthOf = (layout: OperandLayout, rows: number, inner: number): number =>
  layout === 'full' ? rows * inner : layout === 'row' ? inner : layout === 'column' ? rows : 1

/** What a case computes: a tree over operands of these layouts, summed as `[outer, middle, inner]`. */
interface SumCase {
  readonly expression: FusedExpression
  readonly layouts: readonly OperandLayout[]
  readonly outer: number
  readonly middle: number
  readonly inner: number
  readonly special: boolean
  readonly seed: number
}

/**
 * Runs a case both ways in `arena`: the elementwise kernel over `[outer · middle, inner]` values
 * then the sum kernel, and the summing kernel (`rows`: middle is 1 and each row of `inner` is
 * summed; `columns`: the middle axis is summed). Checks they agree bit for bit, that nothing is
 * written past the sums, and that each sum is within rounding of a float64 sum of the values.
 */
const checkCase = (arena: Arena, precision: Precision, kind: 'rows' | 'columns', c: SumCase): void => {
  const e = precision === 'f32' ? 4 : 8
  const rows = c.outer * c.middle
  const lengths = c.layouts.map((l) => lengthOf(l, rows, c.inner))
  const dtype = precision === 'f32' ? 'float32' : 'float64'
  const total = lengths.reduce((a, b) => a + b, 0)
  const [values] = fc.sample(arbFloats(dtype, total, c.special), { numRuns: 1, seed: c.seed })
  // operands, then the elementwise values, the two-step sums and the fused sums, 16-aligned
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
  const spec = { precision, layouts: c.layouts, root: c.expression }
  arena.fused(spec)(...addresses, valuesAt, rows, c.inner)
  const sums = precision === 'f32' ? arena.kernels.f32 : arena.kernels.f64
  const count = kind === 'rows' ? c.outer : c.outer * c.inner
  memory.fill(7, fusedAt / e, fusedAt / e + count + 1)
  if (kind === 'rows') {
    sums.sum(valuesAt, twoStepAt, c.outer, c.inner, 1)
    arena.fused({ ...spec, sum: 'rows' })(...addresses, fusedAt, c.outer, c.inner)
  } else {
    sums.sum(valuesAt, twoStepAt, c.outer, c.middle, c.inner)
    arena.fused({ ...spec, sum: 'columns' })(...addresses, fusedAt, c.outer, c.middle, c.inner)
  }
  const view = (at: number, n: number) => memory.subarray(at / e, at / e + n)
  const [twoStep, fused] = [view(twoStepAt, count), view(fusedAt, count + 1)]
  for (let j = 0; j < count; j++) expect(Object.is(fused[j], twoStep[j])).toBe(true)
  expect(fused[count]).toBe(7)
  // the values each sum adds: a row, or a column down the middle axis
  const elementwise = view(valuesAt, rows * c.inner)
  const termsOf = (j: number): number[] =>
    kind === 'rows'
      ? Array.from(elementwise.subarray(j * c.inner, (j + 1) * c.inner))
      : Array.from({ length: c.middle }, (_, m) => {
          const [o, i] = [Math.floor(j / c.inner), j % c.inner]
          return elementwise[(o * c.middle + m) * c.inner + i]!
        })
  for (let j = 0; j < count; j++) {
    const terms = termsOf(j)
    const exact = terms.reduce((a, b) => a + b, 0)
    const magnitude = terms.reduce((a, b) => a + Math.abs(b), 0)
    // (special values, or sums past the storage type's range, have no rounding bound)
    const stored = precision === 'f32' ? Math.fround(magnitude) : magnitude
    if (!Number.isFinite(stored)) continue
    const rounding = precision === 'f32' ? 2 ** -24 * Math.abs(exact) : 0
    expect(Math.abs(fused[j]! - exact)).toBeLessThanOrEqual(
      rounding + 2 * terms.length * 2 ** -53 * magnitude + 1e-300,
    )
  }
}

const arbLayouts = (choices: readonly OperandLayout[]) =>
  fc.tuple(fc.constantFrom(...choices), fc.constantFrom(...choices), fc.constantFrom(...choices))

describe('fused sums', () => {
  it('emit modules that validate in both precisions', () => {
    const [expression] = fc.sample(arbFusedExpression(2), { numRuns: 1, seed: 5 })
    for (const precision of ['f32', 'f64'] as const)
      for (const body of [
        emitFusedRowSums({ precision, layouts: ['full', 'row'], root: expression!, sum: 'rows' }),
        emitFusedColumnSums({ precision, layouts: ['full', 'row'], root: expression!, sum: 'columns' }),
      ]) {
        const bytes = buildModule({ initial: 1, maximum: 65536, shared: false }, [{ name: 'fused', body }])
        expect(webAssembly?.validate(bytes)).toBe(true)
      }
  })

  for (const precision of ['f32', 'f64'] as const)
    it(`sum rows as the elementwise kernel then the row sum do, bit for bit (${precision})`, () => {
      const arena = createArena()!
      fc.assert(
        fc.property(
          fc.record({
            expression: arbFusedExpression(3),
            layouts: arbLayouts(['full', 'row', 'column', 'scalar']),
            outer: fc.integer({ min: 0, max: 4 }),
            middle: fc.constant(1),
            inner: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 20, max: 70 })),
            special: fc.boolean(),
            seed: fc.integer({ min: 0, max: 1000 }),
          }),
          (c) => checkCase(arena, precision, 'rows', c),
        ),
        { seed: 11, numRuns: 150 },
      )
    })

  for (const precision of ['f32', 'f64'] as const)
    it(`sum columns as the elementwise kernel then the column sum do, bit for bit (${precision})`, () => {
      const arena = createArena()!
      fc.assert(
        fc.property(
          fc.record({
            expression: arbFusedExpression(3),
            // a row is inner values for every outer and middle index
            layouts: arbLayouts(['full', 'row', 'scalar']),
            outer: fc.integer({ min: 0, max: 3 }),
            middle: fc.integer({ min: 0, max: 9 }),
            inner: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 10, max: 40 })),
            special: fc.boolean(),
            seed: fc.integer({ min: 0, max: 1000 }),
          }),
          (c) => checkCase(arena, precision, 'columns', c),
        ),
        { seed: 13, numRuns: 150 },
      )
    })
})
