import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Heap } from '../../../../src/tensor/kernels/wasm/heap.js'
import { type MatmulTarget, wasmMatmul } from '../../../../src/tensor/kernels/wasm/matmul.js'
import { compileKernels, createMemory, instantiate } from '../../../../src/tensor/kernels/wasm/module.js'
import { arbProduct, matchesReference, precisions, zerosLike } from './helpers.js'

const memory = createMemory(false)
const target: MatmulTarget = {
  instance: instantiate(compileKernels({ shared: false, fma: false }), memory, false),
  heap: new Heap(memory),
  base: 0,
  threads: undefined,
  threadThreshold: 0,
}

const product = (p: Parameters<typeof matchesReference>[0]) => {
  const out = zerosLike(
    p.a,
    p.outShape.reduce((x, y) => x * y, 1),
  ).fill(Number.NaN)
  expect(wasmMatmul(target, { ...p, out })).toBe(true)
  return out
}

describe('wasmMatmul', () => {
  for (const dtype of precisions)
    it(`agrees with the reference: batches that broadcast, transposes, sizes 0, 1 and across blocks (${dtype})`, () => {
      fc.assert(
        fc.property(arbProduct(dtype), (p) => matchesReference(p, product(p))),
        { seed: 550, numRuns: 150 },
      )
    })

  it('writes zeros for an empty inner dimension', () => {
    const out = product({
      a: new Float32Array(0),
      aShape: [2, 3, 0],
      b: new Float32Array(0),
      bShape: [0, 4],
      transposeA: false,
      transposeB: false,
      outShape: [2, 3, 4],
    })
    expect(Array.from(out)).toEqual(new Array(24).fill(0))
  })

  it('agrees on a product crossing every block: 300 × 270 · 270ᵀ-stored × 150', () => {
    const [m, k, n] = [300, 270, 150]
    const p = {
      a: Float32Array.from({ length: m * k }, (_, i) => Math.sin(i)),
      aShape: [k, m],
      b: Float32Array.from({ length: k * n }, (_, i) => Math.cos(i)),
      bShape: [n, k],
      transposeA: true,
      transposeB: true,
      outShape: [m, n],
    }
    expect(matchesReference(p, product(p))).toBe(true)
  })
})
