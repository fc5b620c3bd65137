/**
 * src/platform: what nabla asks of the JavaScript platform it runs on, in one place beneath
 * src/tensor: reading its settings from environment variables (nothing in a browser or without
 * Deno's `--allow-env`), the memory available to the process, and priming the system allocator on
 * Linux so that fresh results reuse freed memory. Imports nothing from the rest of src/ but the shape types.
 *
 * @module platform
 */
export { environmentVariable } from './environment.js'
export { type AvailableMemory, formatBytes, parseBytes, platformAvailableMemory } from './memory.js'
export {
  largeAllocationBytes,
  primeBefore,
  primeSystemAllocator,
  primingBytes,
  primingHelps,
  systemAllocatorPrimed,
} from './systemAllocator.js'
