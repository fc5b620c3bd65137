import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { webAssembly } from '../../../../src/tensor/kernels/wasm/api.js'
import { buildModule } from '../../../../src/tensor/kernels/wasm/encoder.js'
import {
  emitGemm,
  emitMacro,
  type GemmShape,
  scratchLayout,
  tileColumns,
} from '../../../../src/tensor/kernels/wasm/gemm.js'
import { f32Lanes, f64Lanes } from '../../../../src/tensor/kernels/wasm/lanes.js'
import { gemmShapeOf, supportsRelaxedSimd } from '../../../../src/tensor/kernels/wasm/module.js'
import { emitPack } from '../../../../src/tensor/kernels/wasm/pack.js'
import { arbFloats } from './helpers.js'

type Gemm = (...args: number[]) => void

/** Compiles one gemm with the given blocking over a fresh memory. */
const compile = (shape: GemmShape) => {
  const bytes = buildModule({ initial: 1, maximum: 65536, shared: false }, [
    { name: 'gemm', body: emitGemm(shape, { packRows: 1, packColumns: 2, macro: 3 }) },
    { name: 'packRows', body: emitPack(shape.lanes, shape.mr) },
    { name: 'packColumns', body: emitPack(shape.lanes, tileColumns(shape)) },
    { name: 'macro', body: emitMacro(shape) },
  ])
  const memory = new webAssembly!.Memory({ initial: 64, maximum: 65536 })
  const { exports } = new webAssembly!.Instance(new webAssembly!.Module(bytes), { env: { memory } })
  return { gemm: exports.gemm as Gemm, memory }
}

/** Runs the emitted gemm on row-major or transposed operands; C is surrounded by NaN guards. */
const run = (
  compiled: ReturnType<typeof compile>,
  shape: GemmShape,
  a: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
  m: number,
  n: number,
  k: number,
  transposeA: boolean,
  transposeB: boolean,
) => {
  const e = shape.lanes.bytes
  const aAt = 0
  const bAt = aAt + a.length + 4
  const cAt = bAt + b.length + 4
  const scratch = Math.ceil(((cAt + m * n + 8) * e) / 16) * 16
  const need = scratch + scratchLayout(shape).total - compiled.memory.buffer.byteLength
  if (need > 0) compiled.memory.grow(Math.ceil(need / 65536))
  const buffer = compiled.memory.buffer
  const view = shape.lanes.precision === 'f32' ? new Float32Array(buffer) : new Float64Array(buffer)
  view.set(a, aAt)
  view.set(b, bAt)
  view.fill(Number.NaN, cAt - 4, cAt + m * n + 8)
  const [rsA, csA] = transposeA ? [1, m] : [k, 1]
  const [rsB, csB] = transposeB ? [1, k] : [n, 1]
  compiled.gemm(aAt * e, rsA, csA, bAt * e, rsB, csB, cAt * e, n, m, n, k, scratch)
  return {
    c: view.slice(cAt, cAt + m * n),
    guards: [...view.slice(cAt - 4, cAt), ...view.slice(cAt + m * n, cAt + m * n + 8)],
  }
}

const expected = (
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
) => {
  const c = new Float64Array(m * n)
  const magnitude = new Float64Array(m * n)
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++) {
        const term = a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!
        c[i * n + j]! += term
        magnitude[i * n + j]! += Math.abs(term)
      }
  return { c, magnitude }
}

const blockings: readonly [string, GemmShape][] = [
  ['float32 as shipped', gemmShapeOf(f32Lanes, false)],
  ['float64 as shipped', gemmShapeOf(f64Lanes, false)],
  // tiny blocks so small matrices cross every block boundary: kc, mc and nc loops all turn over
  [
    'float32 tiny blocks',
    { lanes: f32Lanes, mr: 4, nrVectors: 2, kc: 3, mc: 8, nc: 16, unroll: 1, fma: false },
  ],
  [
    'float32 shipped tile (2 × 16), tiny blocks',
    { lanes: f32Lanes, mr: 2, nrVectors: 4, kc: 3, mc: 6, nc: 32, unroll: 1, fma: false },
  ],
  [
    'float32 odd tile, unrolled',
    { lanes: f32Lanes, mr: 3, nrVectors: 1, kc: 5, mc: 6, nc: 8, unroll: 2, fma: false },
  ],
  [
    'float64 tiny blocks, unrolled',
    { lanes: f64Lanes, mr: 2, nrVectors: 3, kc: 4, mc: 4, nc: 12, unroll: 3, fma: false },
  ],
]

// every blocking again with the fused multiply-add where the runtime has relaxed SIMD (Node 20
// too: nabla turns it on; module.test.ts checks that it did)
const fused: readonly [string, GemmShape][] = supportsRelaxedSimd()
  ? blockings.map(([label, shape]) => [`${label}, fused multiply-add`, { ...shape, fma: true }])
  : []

describe('emitted gemm', () => {
  for (const [label, shape] of [...blockings, ...fused])
    it(`agrees with the float64 product for every transpose (${label})`, () => {
      const compiled = compile(shape)
      const dtype = shape.lanes.precision === 'f32' ? 'float32' : 'float64'
      const eps = dtype === 'float32' ? 2 ** -23 : 2 ** -52
      const dim = fc.integer({ min: 1, max: 37 })
      fc.assert(
        fc.property(
          fc
            .record({ m: dim, n: dim, k: dim, transposeA: fc.boolean(), transposeB: fc.boolean() })
            .chain((d) => fc.tuple(fc.constant(d), arbFloats(dtype, d.m * d.k), arbFloats(dtype, d.k * d.n))),
          ([{ m, n, k, transposeA, transposeB }, a, b]) => {
            const { c, guards } = run(compiled, shape, a, b, m, n, k, transposeA, transposeB)
            const want = expected(a, b, m, n, k, transposeA, transposeB)
            expect(guards.every(Number.isNaN)).toBe(true)
            for (let i = 0; i < m * n; i++)
              expect(Math.abs(c[i]! - want.c[i]!)).toBeLessThanOrEqual(
                2 * (k + 2) * eps * want.magnitude[i]! + 1e-30,
              )
          },
        ),
        { seed: 510, numRuns: 60 },
      )
    })

  it.each(supportsRelaxedSimd() ? [false, true] : [false])(
    'handles a product larger than every shipped block (130 × 300 · 300 × 2100, fused: %s)',
    (fma) => {
      const shape = gemmShapeOf(f32Lanes, fma)
      const compiled = compile(shape)
      const [m, k, n] = [130, 300, 2100]
      expect(n).toBeGreaterThan(shape.nc)
      const a = Float32Array.from({ length: m * k }, (_, i) => ((i * 7) % 13) - 6)
      const b = Float32Array.from({ length: k * n }, (_, i) => ((i * 5) % 11) - 5)
      const { c, guards } = run(compiled, shape, a, b, m, n, k, false, true)
      const want = expected(a, b, m, n, k, false, true)
      expect(guards.every(Number.isNaN)).toBe(true)
      // small integers: every partial sum is exact in float32 (compare by index: a diff of 273,000
      // values would take vitest minutes)
      expect(c.findIndex((v, i) => v !== want.c[i])).toBe(-1)
    },
  )

  it('needs scratch for exactly one packed A block, one packed B block and one tile', () => {
    const shape = gemmShapeOf(f32Lanes, false)
    const layout = scratchLayout(shape)
    expect(layout.packB).toBeGreaterThanOrEqual(shape.mc * shape.kc * 4)
    expect(layout.edge - layout.packB).toBeGreaterThanOrEqual(shape.kc * shape.nc * 4)
    expect(layout.total - layout.edge).toBeGreaterThanOrEqual(shape.mr * tileColumns(shape) * 4)
  })
})
