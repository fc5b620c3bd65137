/**
 * What runs before nabla makes large storage (a tensor's, a decoded file's): the platform's
 * preparations for a program that makes many large results, each once per process — the system
 * allocator primed (systemAllocator.ts) and V8's collector tuned (garbageCollector.ts).
 *
 * @module platform/largeStorage
 */
import { tuneGarbageCollector } from './garbageCollector.js'
import { largeAllocationBytes, primeBefore } from './systemAllocator.js'

/**
 * Prepares the platform before an allocation of `bytes` when it is large (at least
 * `largeAllocationBytes`); every path that makes large storage calls it.
 * @example
 * import { beforeLargeStorage } from './largeStorage.js'
 * beforeLargeStorage(4e6) // primes the allocator (Linux) and tunes the collector (Node), once
 */
export const beforeLargeStorage = (bytes: number): void => {
  if (bytes < largeAllocationBytes) return
  primeBefore(bytes)
  tuneGarbageCollector()
}
