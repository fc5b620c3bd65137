import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { webAssembly } from '../../../../src/tensor/kernels/wasm/api.js'
import { buildModule } from '../../../../src/tensor/kernels/wasm/encoder.js'
import { emitMacro, type GemmShape, tileColumns } from '../../../../src/tensor/kernels/wasm/gemm.js'
import { f32Lanes, f64Lanes } from '../../../../src/tensor/kernels/wasm/lanes.js'
import { gemmShapeOf } from '../../../../src/tensor/kernels/wasm/module.js'
import { emitPack } from '../../../../src/tensor/kernels/wasm/pack.js'
import {
  emitGemmRows,
  emitPackAll,
  packedBlocks,
  packedSize,
  rowsScratchBytes,
} from '../../../../src/tensor/kernels/wasm/shared.js'
import { arbFloats } from './helpers.js'

type Kernel = (...args: number[]) => void

const compile = (shape: GemmShape) => {
  const bytes = buildModule({ initial: 1, maximum: 65536, shared: false }, [
    { name: 'packAll', body: emitPackAll(shape, 2) },
    { name: 'gemmRows', body: emitGemmRows(shape, { packRows: 3, macro: 4 }) },
    { name: 'packColumns', body: emitPack(shape.lanes, tileColumns(shape)) },
    { name: 'packRows', body: emitPack(shape.lanes, shape.mr) },
    { name: 'macro', body: emitMacro(shape) },
  ])
  const memory = new webAssembly!.Memory({ initial: 256, maximum: 65536 })
  const { exports } = new webAssembly!.Instance(new webAssembly!.Module(bytes), { env: { memory } })
  return { packAll: exports.packAll as Kernel, gemmRows: exports.gemmRows as Kernel, memory }
}

const blockings: readonly [string, GemmShape][] = [
  ['float32 as shipped', gemmShapeOf(f32Lanes, false)],
  [
    'float32 tiny blocks',
    { lanes: f32Lanes, mr: 4, nrVectors: 2, kc: 3, mc: 8, nc: 16, unroll: 1, fma: false },
  ],
  [
    'float32 shipped tile (2 × 16), tiny blocks',
    { lanes: f32Lanes, mr: 2, nrVectors: 4, kc: 3, mc: 6, nc: 32, unroll: 1, fma: false },
  ],
  [
    'float64 tiny blocks',
    { lanes: f64Lanes, mr: 2, nrVectors: 3, kc: 4, mc: 4, nc: 12, unroll: 2, fma: false },
  ],
]

describe('packedBlocks', () => {
  for (const [label, shape] of blockings)
    it(`counts the blocks packAll packs (${label})`, () => {
      const kernels = compile(shape)
      const e = shape.lanes.bytes
      const view = new Uint8Array(kernels.memory.buffer)
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 80 }), (k, n) => {
          const blocks = packedBlocks(shape, k, n)
          const packedAt = k * n * e
          const bytes = packedSize(shape, k, n) * e
          // the last block writes (zeros from op(B)), one past it writes nothing
          view.fill(0, 0, packedAt)
          view.fill(0xff, packedAt, packedAt + bytes)
          kernels.packAll(0, n, 1, n, k, packedAt, blocks, 1)
          expect(view.subarray(packedAt, packedAt + bytes).every((x) => x === 0xff)).toBe(true)
          kernels.packAll(0, n, 1, n, k, packedAt, blocks - 1, 1)
          expect(view.subarray(packedAt, packedAt + bytes).some((x) => x !== 0xff)).toBe(true)
        }),
        { seed: 576, numRuns: 100 },
      )
    })
})

describe('packAll and gemmRows', () => {
  for (const [label, shape] of blockings)
    it(`compute op(A)·op(B) row block by row block, in any order (${label})`, () => {
      const kernels = compile(shape)
      const dtype = shape.lanes.precision === 'f32' ? 'float32' : 'float64'
      const e = shape.lanes.bytes
      const eps = dtype === 'float32' ? 2 ** -23 : 2 ** -52
      const dim = fc.integer({ min: 1, max: 40 })
      fc.assert(
        fc.property(
          fc
            .record({
              m: dim,
              n: dim,
              k: dim,
              ta: fc.boolean(),
              tb: fc.boolean(),
              rows: fc.integer({ min: 1, max: 12 }),
              step: fc.integer({ min: 1, max: 6 }),
            })
            .chain((d) => fc.tuple(fc.constant(d), arbFloats(dtype, d.m * d.k), arbFloats(dtype, d.k * d.n))),
          ([{ m, n, k, ta, tb, rows, step }, a, b]) => {
            const view =
              dtype === 'float32'
                ? new Float32Array(kernels.memory.buffer)
                : new Float64Array(kernels.memory.buffer)
            const [aAt, bAt] = [0, m * k]
            const cAt = bAt + k * n
            const packedAt = Math.ceil((cAt + m * n) / 4) * 4 + 4
            const scratch = (packedAt + packedSize(shape, k, n)) * e + 64
            view.set(a, aAt)
            view.set(b, bAt)
            view.fill(Number.NaN, cAt, cAt + m * n)
            const [rsA, csA] = ta ? [1, m] : [k, 1]
            const [rsB, csB] = tb ? [1, k] : [n, 1]
            // packed by `step` threads' shares, last share first, over memory that is not zero
            view.fill(Number.NaN, packedAt, packedAt + packedSize(shape, k, n))
            for (let first = step - 1; first >= 0; first--)
              kernels.packAll(bAt * e, rsB, csB, n, k, packedAt * e, first, step)
            // row blocks in reverse order, each with its own scratch
            const blocks = Math.ceil(m / rows)
            for (let t = blocks - 1; t >= 0; t--) {
              const first = t * rows
              kernels.gemmRows(
                (aAt + first * rsA) * e,
                rsA,
                csA,
                packedAt * e,
                (cAt + first * n) * e,
                n,
                Math.min(rows, m - first),
                n,
                k,
                scratch + (t % 2) * rowsScratchBytes(shape),
              )
            }
            for (let i = 0; i < m; i++)
              for (let j = 0; j < n; j++) {
                let sum = 0
                let magnitude = 0
                for (let p = 0; p < k; p++) {
                  const term = a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!
                  sum += term
                  magnitude += Math.abs(term)
                }
                expect(Math.abs(view[cAt + i * n + j]! - sum)).toBeLessThanOrEqual(
                  2 * (k + 2) * eps * magnitude + 1e-30,
                )
              }
          },
        ),
        { seed: 575, numRuns: 60 },
      )
    })
})
