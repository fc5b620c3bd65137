import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tileColumns } from '../../../../src/tensor/kernels/wasm/gemm.js'
import { packedSize } from '../../../../src/tensor/kernels/wasm/shared.js'
import { sharedArena } from '../../../../src/tensor/kernels/wasm/sharedArena.js'
import { splitOf } from '../../../../src/tensor/kernels/wasm/splits.js'
import { firstDifference } from './helpers.js'

// the machine running the suite has shared memory, worker threads and at least two cores
const arena = sharedArena()!

describe('the plans’ shared arena', () => {
  it('is one arena for the process', () => {
    expect(arena).toBeDefined()
    expect(sharedArena()).toBe(arena)
  })

  it('hands out disjoint regions, reuses released ones and merges released neighbours', () => {
    const [a, b, c] = [arena.reserve(100)!, arena.reserve(48)!, arena.reserve(16)!]
    const ranges = [
      [a, 112],
      [b, 48],
      [c, 16],
    ] as const
    for (const [x, xs] of ranges) {
      expect(x % 16).toBe(0)
      for (const [y, ys] of ranges) if (x !== y) expect(x + xs <= y || y + ys <= x).toBe(true)
    }
    arena.release(a)
    arena.release(b)
    // a's and b's regions are adjacent (b reserved right after a) and now one free block
    if (b === a + 112) expect(arena.reserve(160)).toBe(a)
    else arena.reserve(160)
    arena.release(c)
  })

  it('splits a product by rows or by columns across the helper threads with the single-threaded result, bit for bit', () => {
    const ready = arena.startThreads()
    expect(ready).toBeGreaterThan(0)
    const kinds = new Set<string | undefined>()
    fc.assert(
      fc.property(
        fc.constantFrom('f32' as const, 'f64' as const),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        (precision, m, n, k, transposeA, transposeB) => {
          const e = precision === 'f32' ? 4 : 8
          const kernels = precision === 'f32' ? arena.kernels.f32 : arena.kernels.f64
          const bytes = (count: number) => Math.ceil((count * e) / 16) * 16
          const scratchBytes = Math.max(arena.threadedScratch(precision, k, n), arena.gemmScratch(kernels))
          const at = arena.reserve(bytes(m * k) + bytes(k * n) + 2 * bytes(m * n) + scratchBytes)!
          const [aAt, bAt] = [at, at + bytes(m * k)]
          const [single, split] = [bAt + bytes(k * n), bAt + bytes(k * n) + bytes(m * n)]
          const scratch = split + bytes(m * n)
          const view = arena.views()[precision]
          for (let i = 0; i < m * k; i++) view[aAt / e + i] = Math.sin(i * 0.37)
          for (let i = 0; i < k * n; i++) view[bAt / e + i] = Math.cos(i * 0.11)
          const [rsA, csA] = transposeA ? [1, m] : [k, 1]
          const [rsB, csB] = transposeB ? [1, k] : [n, 1]
          kernels.gemm(aAt, rsA, csA, bAt, rsB, csB, single, n, m, n, k, scratch)
          view.fill(Number.NaN, split / e, split / e + m * n)
          const call = { precision, a: aAt, rowStrideA: rsA, colStrideA: csA, b: bAt, rowStrideB: rsB }
          const cut = splitOf(m, n, kernels.gemmShape.mr, tileColumns(kernels.gemmShape), ready + 1)
          kinds.add(cut?.kind)
          const ran = arena.threadedGemm({ ...call, colStrideB: csB, c: split, m, n, k, scratch })
          expect(ran).toBe(cut?.kind)
          // a product too small to cut is left to the caller (its output untouched)
          if (ran === undefined) kernels.gemm(aAt, rsA, csA, bAt, rsB, csB, split, n, m, n, k, scratch)
          const views = arena.views()[precision]
          const at16 = (address: number) => views.subarray(address / e, address / e + m * n)
          expect(firstDifference(at16(split), at16(single))).toBe(-1)
          arena.release(at)
        },
      ),
      { seed: 42, numRuns: 60 },
    )
    expect(kinds).toEqual(new Set(['rows', 'columns', undefined]))
  })

  it('packs a row split’s op(B) into a range the caller keeps, and packs nothing when told it is ready', () => {
    const arena = sharedArena()!
    const ready = arena.startThreads()
    expect(ready).toBeGreaterThan(0)
    fc.assert(
      fc.property(
        fc.constantFrom('f32' as const, 'f64' as const),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        (precision, m, n, k, transposeB) => {
          const e = precision === 'f32' ? 4 : 8
          const kernels = precision === 'f32' ? arena.kernels.f32 : arena.kernels.f64
          const cut = splitOf(m, n, kernels.gemmShape.mr, tileColumns(kernels.gemmShape), ready + 1)
          fc.pre(cut !== undefined)
          const bytes = (count: number) => Math.ceil((count * e) / 16) * 16
          const scratchBytes = Math.max(arena.threadedScratch(precision, k, n), arena.gemmScratch(kernels))
          const keptBytes = bytes(packedSize(kernels.gemmShape, k, n))
          const at = arena.reserve(
            bytes(m * k) + 2 * bytes(k * n) + 3 * bytes(m * n) + keptBytes + scratchBytes,
          )!
          const aAt = at
          const [b1, b2] = [aAt + bytes(m * k), aAt + bytes(m * k) + bytes(k * n)]
          const [one, two, c] = [0, 1, 2].map((i) => b2 + bytes(k * n) + i * bytes(m * n)) as [
            number,
            number,
            number,
          ]
          const kept = c + bytes(m * n)
          const scratch = kept + keptBytes
          const view = arena.views()[precision]
          for (let i = 0; i < m * k; i++) view[aAt / e + i] = Math.sin(i * 0.37)
          for (let i = 0; i < k * n; i++) view[b1 / e + i] = Math.cos(i * 0.11)
          for (let i = 0; i < k * n; i++) view[b2 / e + i] = Math.cos(i * 0.23 + 1)
          const [rsB, csB] = transposeB ? [1, k] : [n, 1]
          kernels.gemm(aAt, k, 1, b1, rsB, csB, one, n, m, n, k, scratch)
          kernels.gemm(aAt, k, 1, b2, rsB, csB, two, n, m, n, k, scratch)
          const product = {
            precision,
            a: aAt,
            rowStrideA: k,
            colStrideA: 1,
            rowStrideB: rsB,
            colStrideB: csB,
          }
          const gemm = (b: number, packedReady: boolean) => {
            view.fill(Number.NaN, c / e, c / e + m * n)
            const call = { ...product, b, c, m, n, k, scratch, packed: { at: kept, ready: packedReady } }
            const ran = arena.threadedGemm(call)
            expect(ran).toBe(cut?.kind)
            return arena.views()[precision].subarray(c / e, c / e + m * n)
          }
          const views = arena.views()[precision]
          const expected = (address: number) => views.subarray(address / e, address / e + m * n)
          // not ready: op(B) is packed (into the kept range, by a row split) and the product is right
          expect(firstDifference(gemm(b1, false), expected(one))).toBe(-1)
          // told ready with another op(B): a row split packs nothing and multiplies by what the range
          // holds (op(B) one); a column split packs its own panels of the op(B) it is given
          expect(firstDifference(gemm(b2, true), expected(cut!.kind === 'rows' ? one : two))).toBe(-1)
          arena.release(at)
        },
      ),
      { seed: 43, numRuns: 60 },
    )
  })
})
