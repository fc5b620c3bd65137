/**
 * Operands kept in kernel memory between elementwise ops (src/tensor/kernels/wasm/resident.ts):
 * random chains of ops over a pool of large arrays, each result fed back into the pool, agree with
 * the reference kernels bit for bit whatever is kept, hit or evicted; an operand kept is not copied
 * in again; an array that does not own its buffer, or views a kernel memory, is copied in every
 * time, so changing its values between ops is seen.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { referenceKernels } from '../../../../src/tensor/kernels/reference.js'
import type { FloatArray } from '../../../../src/tensor/kernels/types.js'
import { createMemory, supportsSimd } from '../../../../src/tensor/kernels/wasm/module.js'
import {
  ResidentOperands,
  residentMinBytes,
  residentSlotBytes,
} from '../../../../src/tensor/kernels/wasm/resident.js'
import { binaryOps, firstDifference } from './helpers.js'

const ops = binaryOps
type OpName = keyof typeof ops

const filled = (make: (n: number) => FloatArray, n: number, seed: number): FloatArray => {
  const x = make(n)
  for (let i = 0; i < n; i++) x[i] = Math.sin(seed * 7919 + i * 0.61) * (1 + (i % 7))
  return x
}

const reference = (op: OpName, a: FloatArray, b: FloatArray): FloatArray => {
  const out = a instanceof Float32Array ? new Float32Array(a.length) : new Float64Array(a.length)
  referenceKernels.binary(ops[op], a, [a.length], b, [b.length], out, [out.length])
  return out
}

const fresh = (like: FloatArray): FloatArray =>
  like instanceof Float32Array ? new Float32Array(like.length) : new Float64Array(like.length)

describe.runIf(supportsSimd())('resident operands', () => {
  for (const dtype of ['float32', 'float64'] as const)
    it(`chains of ops over a pool agree with the reference bit for bit (${dtype})`, () => {
      const make = (n: number): FloatArray =>
        dtype === 'float32' ? new Float32Array(n) : new Float64Array(n)
      const bytes = dtype === 'float32' ? 4 : 8
      const n = residentMinBytes / bytes + 96
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 6 }),
          fc.array(
            fc.tuple(fc.constantFrom<OpName>('add', 'sub', 'mul', 'div', 'maximum'), fc.nat(), fc.nat()),
            { minLength: 4, maxLength: 14 },
          ),
          (start, steps) => {
            const resident = new ResidentOperands()
            const pool = Array.from({ length: start }, (_, i) => filled(make, n, i + 1))
            for (const [op, i, j] of steps) {
              const a = pool[i % pool.length]!
              const b = pool[j % pool.length]!
              const out = fresh(a)
              expect(resident.run(op, a, b, out)).toBe(true)
              expect(firstDifference(out, reference(op, a, b))).toBe(-1)
              pool.push(out)
            }
          },
        ),
        { numRuns: 12 },
      )
    })

  it('copies a kept operand in once, and a result it made not at all', () => {
    const resident = new ResidentOperands()
    const n = residentMinBytes / 4
    const a = filled((k) => new Float32Array(k), n, 1)
    const b = filled((k) => new Float32Array(k), n, 2)
    const c = new Float32Array(n)
    expect(resident.run('add', a, b, c)).toBe(true)
    expect(resident.copiedIn).toBe(2)
    const d = new Float32Array(n)
    expect(resident.run('mul', c, b, d)).toBe(true)
    expect(resident.copiedIn).toBe(2)
    expect(firstDifference(d, reference('mul', reference('add', a, b), b))).toBe(-1)
    // a fifth array pushes the least recently used (a) out: a is copied in again when it returns
    const e = filled((k) => new Float32Array(k), n, 3)
    expect(resident.run('sub', e, d, new Float32Array(n))).toBe(true)
    expect(resident.copiedIn).toBe(3)
    expect(resident.run('sub', a, d, new Float32Array(n))).toBe(true)
    expect(resident.copiedIn).toBe(4)
  })

  it('copies an array that does not own its buffer, or views a kernel memory, every time', () => {
    const n = residentMinBytes / 4
    const view = new Float32Array(new ArrayBuffer(residentMinBytes + 64), 16, n)
    const memory = createMemory(false)
    const wholeMemory = new Float32Array(memory.buffer)
    expect(wholeMemory.length).toBe(n)
    for (const x of [view, wholeMemory]) {
      const resident = new ResidentOperands()
      const b = filled((k) => new Float32Array(k), n, 4)
      x.set(filled((k) => new Float32Array(k), n, 5))
      const first = new Float32Array(n)
      expect(resident.run('add', x, b, first)).toBe(true)
      x.set(filled((k) => new Float32Array(k), n, 6))
      const second = new Float32Array(n)
      expect(resident.run('add', x, b, second)).toBe(true)
      expect(firstDifference(second, reference('add', x, b))).toBe(-1)
      expect(resident.copiedIn).toBe(3)
    }
  })

  it('declines arrays outside the sizes it keeps and mixed precisions', () => {
    const resident = new ResidentOperands()
    const small = new Float32Array(residentMinBytes / 4 - 4)
    expect(resident.run('add', small, small, new Float32Array(small.length))).toBe(false)
    const large = new Float32Array(residentSlotBytes / 4 + 4)
    expect(resident.run('add', large, large, new Float32Array(large.length))).toBe(false)
    const f32 = new Float32Array(residentMinBytes / 4)
    expect(resident.run('add', f32, new Float64Array(f32.length), new Float32Array(f32.length))).toBe(false)
    expect(resident.copiedIn).toBe(0)
  })
})
