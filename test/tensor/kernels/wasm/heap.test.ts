import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { align16, Heap, maximumBytes } from '../../../../src/tensor/kernels/wasm/heap.js'
import { createMemory } from '../../../../src/tensor/kernels/wasm/module.js'

describe('Heap', () => {
  for (const shared of [false, true])
    it(`grows on demand and keeps its views current (${shared ? 'shared' : 'unshared'} memory)`, () => {
      const heap = new Heap(createMemory(shared))
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 8 * 2 ** 20 }), (bytes) => {
          expect(heap.ensure(bytes)).toBe(true)
          const f32 = heap.viewFor(new Float32Array(0))
          const f64 = heap.viewFor(new Float64Array(0))
          expect(f32.byteLength).toBeGreaterThanOrEqual(bytes)
          expect(f64.byteLength).toBe(f32.byteLength)
          expect(f32.buffer).toBe(heap.memory.buffer)
        }),
        { seed: 560, numRuns: 30 },
      )
    })
  it('refuses sizes beyond what 32-bit addresses reach', () => {
    const heap = new Heap(createMemory(false))
    expect(heap.ensure(maximumBytes + 1)).toBe(false)
  })
  it('aligns to 16 bytes', () => {
    fc.assert(
      fc.property(fc.nat(1e9), (n) => align16(n) % 16 === 0 && align16(n) >= n && align16(n) - n < 16),
      { seed: 561, numRuns: 200 },
    )
  })
})
