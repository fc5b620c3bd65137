import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { FloatArray } from '../../../../src/tensor/kernels/types.js'
import { Heap } from '../../../../src/tensor/kernels/wasm/heap.js'
import {
  keptOperandMinBytes,
  type MatmulTarget,
  wasmMatmul,
} from '../../../../src/tensor/kernels/wasm/matmul.js'
import { compileKernels, createMemory, instantiate } from '../../../../src/tensor/kernels/wasm/module.js'
import { OperandSlots } from '../../../../src/tensor/kernels/wasm/operandSlots.js'
import { arbProduct, firstDifference, matchesReference, precisions, zerosLike } from './helpers.js'

const memory = createMemory(false)
const target: MatmulTarget = {
  instance: instantiate(compileKernels({ shared: false, fma: false }), memory, false),
  heap: new Heap(memory),
  base: 0,
  threads: undefined,
  threadThreshold: 0,
}

// a target keeping operands in three slots of 256 KiB below its working area
const slottedMemory = createMemory(false)
const slots = new OperandSlots(3, 0, 2 ** 18)
const slotted: MatmulTarget = {
  instance: instantiate(compileKernels({ shared: false, fma: false }), slottedMemory, false),
  heap: new Heap(slottedMemory),
  base: slots.address(2 * slots.count),
  threads: undefined,
  threadThreshold: 0,
  operands: slots,
}

const product = (p: Parameters<typeof matchesReference>[0], on = target) => {
  const out = zerosLike(
    p.a,
    p.outShape.reduce((x, y) => x * y, 1),
  ).fill(Number.NaN)
  expect(wasmMatmul(on, { ...p, out })).toBe(true)
  return out
}

const square = (x: FloatArray, y: FloatArray, d: number, transposeA = false, transposeB = false) => ({
  a: x,
  aShape: [d, d],
  b: y,
  bShape: [d, d],
  transposeA,
  transposeB,
  outShape: [d, d],
})

const filled = (x: FloatArray, seed: number): FloatArray => x.map((_, i) => Math.sin(seed * 7919 + i * 0.37))

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

  for (const dtype of precisions)
    it(`keeps operands in slots between products: any sequence agrees bit for bit with copying every time (${dtype})`, () => {
      const make = (n: number): FloatArray =>
        dtype === 'float32' ? new Float32Array(n) : new Float64Array(n)
      const bytes = dtype === 'float32' ? 4 : 8
      // sides whose matrices are kept (from the smallest kept size to a whole slot) or not (smaller, larger)
      const kept = Math.ceil(Math.sqrt(keptOperandMinBytes / bytes))
      const sides = [
        kept,
        kept + 9,
        Math.floor(Math.sqrt(2 ** 18 / bytes)),
        kept - 3,
        Math.floor(Math.sqrt(2 ** 18 / bytes)) + 2,
      ]
      fc.assert(
        fc.property(
          fc.constantFrom(...sides),
          fc.integer({ min: 2, max: 6 }),
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean(), fc.boolean()), { minLength: 3, maxLength: 10 }),
          (d, size, steps) => {
            // the pool's last array views a larger buffer: never kept
            const pool = Array.from({ length: size }, (_, i) => filled(make(d * d), i + 1))
            const view = (
              dtype === 'float32' ? new Float32Array(d * d + 4) : new Float64Array(d * d + 4)
            ).subarray(4)
            view.set(filled(make(d * d), 99))
            pool.push(view)
            for (const [i, j, ta, tb] of steps) {
              const p = square(pool[i % pool.length]!, pool[j % pool.length]!, d, ta, tb)
              if (firstDifference(product(p, slotted), product(p)) !== -1) return false
            }
            return true
          },
        ),
        { seed: 553, numRuns: 40 },
      )
    })

  it('does not copy a kept operand in again, and copies an array it cannot keep every time', () => {
    const d = 160
    const [a, b] = [filled(new Float32Array(d * d), 1), filled(new Float32Array(d * d), 2)]
    const view = new Float32Array(d * d + 4).subarray(4)
    view.set(filled(new Float32Array(d * d), 3))
    const first = product(square(a, b, d), slotted)
    const firstView = product(square(view, b, d), slotted)
    // nabla never writes an array it was given; written here, a kept copy shows it was not re-read
    a[0] = a[0]! + 1
    view[0] = view[0]! + 1
    const again = product(square(a, b, d), slotted)
    expect(firstDifference(again, first)).toBe(-1)
    expect(firstDifference(product(square(a, b, d)), first)).not.toBe(-1)
    const againView = product(square(view, b, d), slotted)
    expect(firstDifference(againView, firstView)).not.toBe(-1)
    expect(firstDifference(againView, product(square(view, b, d)))).toBe(-1)
  })

  it('packs a kept op(B) once for the products on one thread that multiply by it the same way', () => {
    const countedMemory = createMemory(false)
    const countedSlots = new OperandSlots(2, 0, 2 ** 18)
    const instance = instantiate(compileKernels({ shared: false, fma: false }), countedMemory, false)
    const counted: MatmulTarget = {
      instance,
      heap: new Heap(countedMemory),
      base: countedSlots.address(2 * countedSlots.count),
      threads: undefined,
      threadThreshold: 0,
      operands: countedSlots,
    }
    const kernels = instance.f32
    const packAll = kernels.packAll
    let packs = 0
    ;(kernels as { packAll: typeof packAll }).packAll = (...args) => {
      packs++
      packAll(...args)
    }
    const [m, d] = [8, 128] // op(B) of 64 KiB: kept; op(A) of 4 KiB: not
    const b = filled(new Float32Array(d * d), 1)
    const other = filled(new Float32Array(d * d), 2)
    const calls: [FloatArray, boolean][] = [
      [b, false],
      [b, false],
      [b, true], // the same op(B) read transposed: another packing
      [b, true],
      [b, false],
      [other, false],
      [b, false], // still in its own slot, with that packing beside it
    ]
    const counts = calls.map(([weights, transposeB], i) => {
      const a = filled(new Float32Array(m * d), 10 + i)
      const p = {
        a,
        aShape: [m, d],
        b: weights,
        bShape: [d, d],
        transposeA: false,
        transposeB,
        outShape: [m, d],
      }
      packs = 0
      const out = product(p, counted)
      expect(firstDifference(out, product(p))).toBe(-1)
      return packs
    })
    expect(counts).toEqual([1, 0, 1, 0, 1, 1, 0])
  })
})
