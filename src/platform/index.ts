/**
 * src/platform: what nabla asks of the JavaScript platform it runs on, in one place beneath
 * src/tensor: reading its settings from environment variables (nothing in a browser or without
 * Deno's `--allow-env`), the memory available to the process, and what makes a loop of fresh large
 * results cheap: the system allocator primed on Linux so that they reuse freed memory, and V8's
 * collector kept from a full collection after every young one; and relaxed SIMD turned on where
 * V8 has it behind a flag. Imports nothing from the rest of
 * src/ but the shape types.
 *
 * @module platform
 */
export { environmentVariable, turnedOff } from './environment.js'
export { garbageCollectorFlag, garbageCollectorTuned, tuneGarbageCollector } from './garbageCollector.js'
export { beforeLargeStorage } from './largeStorage.js'
export { type AvailableMemory, formatBytes, parseBytes, platformAvailableMemory } from './memory.js'
export { enableRelaxedSimd, relaxedSimdFlag } from './relaxedSimd.js'
export {
  largeAllocationBytes,
  primeBefore,
  primeSystemAllocator,
  primingBytes,
  primingHelps,
  systemAllocatorPrimed,
} from './systemAllocator.js'
export { flagApplies, type ProcessFlag, processFlag, setV8Flags, v8Version } from './v8Flags.js'
