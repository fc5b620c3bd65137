import { describe, expect, it } from 'vitest'
import { f32Lanes, f64Lanes } from '../../../../src/tensor/kernels/wasm/lanes.js'
import {
  compileKernels,
  createMemory,
  gemmShapeOf,
  instantiate,
  supportsRelaxedSimd,
  supportsSharedMemory,
  supportsSimd,
} from '../../../../src/tensor/kernels/wasm/module.js'

describe('kernel module', () => {
  it('finds SIMD and shared memory on Node 20', () => {
    expect(supportsSimd()).toBe(true)
    expect(supportsSharedMemory()).toBe(true)
  })
  it.runIf(process.env.NABLA_RELAXED_SIMD === undefined)(
    'has relaxed SIMD on Node 20, where nabla turns on the flag V8 11.3 keeps it behind',
    () => {
      // the fused multiply-add products, and their tests here, depend on it
      expect(supportsRelaxedSimd()).toBe(true)
    },
  )
  it('compiles and instantiates for shared and unshared memory, with every kernel exported', () => {
    for (const shared of [false, true]) {
      const instance = instantiate(compileKernels({ shared, fma: false }), createMemory(shared), false)
      for (const kernels of [instance.f32, instance.f64]) {
        expect(typeof kernels.gemm).toBe('function')
        expect(typeof kernels.sum).toBe('function')
        expect([...kernels.binary.values()].every((f) => typeof f === 'function')).toBe(true)
        expect([...kernels.unary.values()].every((f) => typeof f === 'function')).toBe(true)
      }
    }
  })
  it('compiles the fused multiply-add variant wherever the runtime validates relaxed SIMD', () => {
    if (supportsRelaxedSimd()) expect(() => compileKernels({ shared: false, fma: true })).not.toThrow()
    else expect(() => compileKernels({ shared: false, fma: true })).toThrow()
  })
  it('blocks for the caches: packed panels are whole register tiles', () => {
    for (const lanes of [f32Lanes, f64Lanes]) {
      const shape = gemmShapeOf(lanes, false)
      expect(shape.mc % shape.mr).toBe(0)
      expect(shape.nc % (shape.nrVectors * lanes.lanes)).toBe(0)
      expect(shape.kc * shape.nc * lanes.bytes).toBeLessThanOrEqual(2 * 2 ** 20)
    }
  })
})
