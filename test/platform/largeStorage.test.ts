/**
 * What runs before large storage (src/platform/largeStorage.ts): a small allocation prepares
 * nothing, a large one primes the system allocator (Linux) and tunes the collector (V8), in a
 * fresh module instance so that the once-per-process flags start unset.
 */
import { describe, expect, it, vi } from 'vitest'

const fresh = async () => {
  vi.resetModules()
  const storage = await import('../../src/platform/largeStorage.js')
  const allocator = await import('../../src/platform/systemAllocator.js')
  const collector = await import('../../src/platform/garbageCollector.js')
  return { ...storage, ...allocator, ...collector }
}

describe('before large storage', () => {
  it('prepares nothing for a small allocation', async () => {
    const p = await fresh()
    p.beforeLargeStorage(p.largeAllocationBytes - 1)
    expect(p.systemAllocatorPrimed()).toBe(false)
    expect(p.garbageCollectorTuned()).toBe(false)
  })

  it.runIf(
    process.platform === 'linux' &&
      process.env.NABLA_PRIME_ALLOCATOR === undefined &&
      process.env.NABLA_TUNE_GC === undefined,
  )('primes the allocator and tunes the collector for a large one', async () => {
    const p = await fresh()
    p.beforeLargeStorage(p.largeAllocationBytes)
    expect(p.systemAllocatorPrimed()).toBe(true)
    expect(p.garbageCollectorTuned()).toBe(true)
  })
})
