import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.resetModules()
})

describe('kernel selection', () => {
  it('makes the WebAssembly back end active where the runtime supports it', async () => {
    vi.stubEnv('NABLA_KERNELS', '')
    const { kernels, defaultKernels } = await import('../../../src/tensor/kernels/index.js')
    expect(kernels()).toBe(defaultKernels)
    expect(kernels().name).toMatch(/^wasm-simd/)
  })
  it('keeps the reference kernels when NABLA_KERNELS=reference', async () => {
    vi.stubEnv('NABLA_KERNELS', 'reference')
    const { kernels, referenceKernels } = await import('../../../src/tensor/kernels/index.js')
    expect(kernels()).toBe(referenceKernels)
  })
  it('switches back ends with useKernels, returning the previous one', async () => {
    const { kernels, useKernels, referenceKernels, defaultKernels } = await import(
      '../../../src/tensor/kernels/index.js'
    )
    expect(useKernels(referenceKernels)).toBe(defaultKernels)
    expect(kernels()).toBe(referenceKernels)
    expect(useKernels(defaultKernels)).toBe(referenceKernels)
  })
})
