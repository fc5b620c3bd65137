import { describe, expect, it } from 'vitest'
import { webAssembly } from '../../../../src/tensor/kernels/wasm/api.js'

describe('webAssembly', () => {
  it('is the runtime global, with what the kernels use', () => {
    expect(webAssembly).toBe((globalThis as { WebAssembly?: unknown }).WebAssembly)
    for (const member of ['Module', 'Instance', 'Memory', 'validate'] as const)
      expect(typeof webAssembly![member]).toBe('function')
  })
})
