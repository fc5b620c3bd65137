import { describe, expect, it } from 'vitest'
import { memoryOps, plainOps } from '../../../../src/tensor/kernels/wasm/encoder.js'
import { f32Lanes, f64Lanes, lanesOf, type VectorOpName } from '../../../../src/tensor/kernels/wasm/lanes.js'

const names: VectorOpName[] = [
  'add',
  'sub',
  'mul',
  'div',
  'min',
  'max',
  'abs',
  'neg',
  'sqrt',
  'eq',
  'ne',
  'lt',
  'gt',
  'le',
  'ge',
  'relaxed_madd',
]

describe('lanes', () => {
  it('name real instructions for every lane-wise op of both precisions', () => {
    for (const lanes of [f32Lanes, f64Lanes]) {
      for (const name of names) expect(plainOps).toHaveProperty([lanes.vector(name)])
      expect(plainOps).toHaveProperty([lanes.splat])
      for (const op of [lanes.load, lanes.store, lanes.splatLoad]) expect(memoryOps).toHaveProperty([op])
    }
  })
  it('agree with the element sizes: bytes × lanes is one v128', () => {
    for (const lanes of [f32Lanes, f64Lanes]) {
      expect(lanes.bytes * lanes.lanes).toBe(16)
      expect(2 ** lanes.shift).toBe(lanes.bytes)
    }
    expect(lanesOf('f32')).toBe(f32Lanes)
    expect(lanesOf('f64')).toBe(f64Lanes)
  })
})
