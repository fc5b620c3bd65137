import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createWasmKernels } from '../../../../src/tensor/kernels/wasm/kernels.js'
import { arbProduct, matchesReference, precisions, zerosLike } from './helpers.js'

// every product goes to the helper thread, split by rows or by columns
const wasm = createWasmKernels({ threads: 1, threadThreshold: 0, smallMatmul: 0 })!

describe('helper threads', () => {
  it('start and report ready', async () => {
    expect(await wasm.startThreads()).toBe(1)
  })
  for (const dtype of precisions)
    it(`split products between the threads with the same result as the reference (${dtype})`, async () => {
      await wasm.startThreads()
      fc.assert(
        fc.property(arbProduct(dtype, { maxDim: 70 }), (p) => {
          const out = zerosLike(
            p.a,
            p.outShape.reduce((x, y) => x * y, 1),
          ).fill(Number.NaN)
          wasm.matmul({ ...p, out })
          return matchesReference(p, out)
        }),
        { seed: 570, numRuns: 120 },
      )
    })
  it('split tall and wide products along their longer side', async () => {
    await wasm.startThreads()
    for (const [m, n] of [
      [301, 9],
      [9, 301],
    ] as const) {
      const k = 37
      const p = {
        a: Float32Array.from({ length: m * k }, (_, i) => Math.sin(i)),
        aShape: [m, k],
        b: Float32Array.from({ length: k * n }, (_, i) => Math.cos(i)),
        bShape: [k, n],
        transposeA: false,
        transposeB: false,
        outShape: [m, n],
      }
      const out = new Float32Array(m * n).fill(Number.NaN)
      wasm.matmul({ ...p, out })
      expect(matchesReference(p, out)).toBe(true)
    }
  })
})
