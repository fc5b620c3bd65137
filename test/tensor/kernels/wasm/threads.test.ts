import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tileColumns } from '../../../../src/tensor/kernels/wasm/gemm.js'
import { createWasmKernels } from '../../../../src/tensor/kernels/wasm/kernels.js'
import { f32Lanes, f64Lanes } from '../../../../src/tensor/kernels/wasm/lanes.js'
import { gemmShapeOf } from '../../../../src/tensor/kernels/wasm/module.js'
import { splitOf } from '../../../../src/tensor/kernels/wasm/splits.js'
import type { WorkerHost } from '../../../../src/tensor/kernels/wasm/workers.js'
import { arbProduct, firstDifference, matchesReference, precisions, zerosLike } from './helpers.js'

// every product big enough to split goes to the threads: once with the caller taking no task (so
// the workers' copy of the task loop runs every task), once with everyone taking tasks
const backends = [
  [
    'workers only',
    createWasmKernels({
      threads: 2,
      threadThreshold: 0,
      adaptiveSplit: false,
      smallMatmul: 0,
      callerWorks: false,
      threadStartMs: 60_000,
    })!,
    2,
  ],
  [
    'caller and worker',
    createWasmKernels({
      threads: 1,
      threadThreshold: 0,
      adaptiveSplit: false,
      smallMatmul: 0,
      threadStartMs: 60_000,
    })!,
    1,
  ],
] as const

const product = (m: number, k: number, n: number) => ({
  a: Float32Array.from({ length: m * k }, (_, i) => Math.sin(i)),
  aShape: [m, k],
  b: Float32Array.from({ length: k * n }, (_, i) => Math.cos(i)),
  bShape: [k, n],
  transposeA: false,
  transposeB: false,
  outShape: [m, n],
})

describe('helper threads', () => {
  // a busy machine can take seconds to start a thread; the wait ends as soon as it is ready
  const patient = { threadThreshold: 0, adaptiveSplit: false, smallMatmul: 0, threadStartMs: 60_000 }

  it('start synchronously inside the first product big enough to use them', () => {
    const wasm = createWasmKernels({ threads: 1, ...patient })!
    expect(wasm.readyThreads()).toBe(0)
    const p = product(40, 30, 20)
    const out = new Float32Array(40 * 20)
    wasm.matmul({ ...p, out }) // no await anywhere: a synchronous program
    expect(wasm.readyThreads()).toBe(1)
    expect(matchesReference(p, out)).toBe(true)
  })

  it('leave products correct, on the calling thread, where threads are unavailable', () => {
    const failing: WorkerHost = {
      kind: 'node',
      cores: 4,
      spawn: () => {
        throw new Error('no threads here')
      },
    }
    for (const host of [undefined, failing]) {
      const wasm = createWasmKernels({ threads: 2, ...patient, host })!
      const p = product(33, 17, 25)
      const out = new Float32Array(33 * 25).fill(Number.NaN)
      wasm.matmul({ ...p, out })
      expect(wasm.readyThreads()).toBe(0)
      expect(matchesReference(p, out)).toBe(true)
    }
  })

  it('start and report ready', async () => {
    expect(await backends[0][1].startThreads()).toBe(2)
    expect(await backends[1][1].startThreads()).toBe(1)
  })
  // the same back end on one thread: a split product must give its result bit for bit
  const single = createWasmKernels({ threads: 0, smallMatmul: 0 })!
  for (const [label, wasm, threads] of backends)
    for (const dtype of precisions)
      it(`split products into row or column tasks with the single-thread result, bit for bit (${label}, ${dtype})`, async () => {
        await wasm.startThreads()
        const shape = gemmShapeOf(dtype === 'float32' ? f32Lanes : f64Lanes, wasm.fma)
        const kinds = new Set<string | undefined>()
        fc.assert(
          fc.property(arbProduct(dtype, { maxDim: 70 }), (p) => {
            const size = p.outShape.reduce((x, y) => x * y, 1)
            const [out, expected] = [zerosLike(p.a, size).fill(Number.NaN), zerosLike(p.a, size)]
            wasm.matmul({ ...p, out })
            single.matmul({ ...p, out: expected })
            const [m, n] = p.outShape.slice(-2) as [number, number]
            kinds.add(splitOf(m, n, shape.mr, tileColumns(shape), threads + 1)?.kind)
            return firstDifference(out, expected) === -1 && matchesReference(p, out)
          }),
          { seed: 570, numRuns: 80 },
        )
        expect(kinds).toEqual(new Set(['rows', 'columns', undefined]))
      })
  it('handle products crossing every block, many jobs in a row, bit for bit', async () => {
    const [, wasm] = backends[0]
    await wasm.startThreads()
    // by rows; by rows with op(B) packed as four depth slices, and as two column blocks of 2048
    // by two depth slices (the packing split into tasks); by columns with tasks spanning two
    // packed-B blocks and three depth slices; by columns with C a handful of rows and a depth of 80
    // slices (a convolution's filter gradient)
    for (const [m, k, n] of [
      [301, 37, 9],
      [200, 800, 150],
      [2100, 300, 2090],
      [130, 600, 2100],
      [16, 20_000, 25],
      [6, 25, 9000],
      [64, 64, 64],
      [64, 64, 64],
    ] as const) {
      const p = product(m, k, n)
      const [out, expected] = [new Float32Array(m * n).fill(Number.NaN), new Float32Array(m * n)]
      wasm.matmul({ ...p, out })
      single.matmul({ ...p, out: expected })
      expect(firstDifference(out, expected)).toBe(-1)
      expect(matchesReference(p, out)).toBe(true)
    }
  })

  it('keep operands between split products: a pool reused and evicted, bit for bit', async () => {
    const [, wasm] = backends[1]
    await wasm.startThreads()
    // six 128 × 128 float32 arrays (64 KiB each, kept) through four slots: hits, evictions, a·a
    const d = 128
    const pool = Array.from({ length: 6 }, (_, s) =>
      Float32Array.from({ length: d * d }, (_, i) => Math.sin(s * 31 + i)),
    )
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.boolean()), { minLength: 4, maxLength: 16 }),
        (steps) => {
          for (const [i, j, transposeB] of steps) {
            const p = { ...product(d, d, d), a: pool[i]!, b: pool[j]!, transposeB }
            const [out, expected] = [new Float32Array(d * d).fill(Number.NaN), new Float32Array(d * d)]
            wasm.matmul({ ...p, out })
            single.matmul({ ...p, out: expected })
            if (firstDifference(out, expected) !== -1) return false
          }
          return true
        },
      ),
      { seed: 571, numRuns: 30 },
    )
  })

  it('reuse a kept op(B) and its packing across products of other op(A)s, bit for bit', async () => {
    const [, wasm] = backends[1]
    await wasm.startThreads()
    // op(B) 128 × 96 (48 KiB: too small to keep) or 176 × 96 (66 KiB: kept, its packing reused)
    // against op(A)s of 40–300 rows: split by rows from 96 rows on, by columns below
    for (const k of [128, 176]) {
      const bs = Array.from({ length: 5 }, (_, s) =>
        Float32Array.from({ length: k * 96 }, (_, i) => Math.cos(s * 17 + i)),
      )
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 40, max: 300 }), fc.nat(4)), { minLength: 4, maxLength: 12 }),
          (steps) => {
            for (const [m, j] of steps) {
              const p = { ...product(m, k, 96), b: bs[j]! }
              const [out, expected] = [new Float32Array(m * 96).fill(Number.NaN), new Float32Array(m * 96)]
              wasm.matmul({ ...p, out })
              single.matmul({ ...p, out: expected })
              if (firstDifference(out, expected) !== -1) return false
            }
            return true
          },
        ),
        { seed: 572, numRuns: 20 },
      )
    }
  })
})
