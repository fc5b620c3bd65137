/**
 * Keeping freed tensor memory inside the process on Linux. A large tensor's storage is an
 * `ArrayBuffer` the system allocator (glibc's `malloc`) hands out; glibc serves blocks above its
 * *mmap threshold* straight from the kernel and gives them back when the garbage collector frees
 * them, so every fresh result costs a page fault per 4 KiB page (about 2 ms for a 4 MB array here,
 * several times the add that fills it). glibc raises that threshold by itself, up to 32 MiB, each
 * time it frees such a block, and keeps up to twice the threshold of freed memory for reuse.
 * `primeSystemAllocator` takes it there at once: it allocates one untouched block just under
 * 32 MiB (no page is ever touched, so it costs no physical memory) and drops it. From the first
 * collection on, results up to 32 MiB reuse freed memory instead of faulting in new pages, in a
 * plain synchronous loop too (nothing else can learn that a tensor died before the event loop
 * turns). The cost: up to 64 MiB of freed memory stays in the process for reuse, as after any
 * program that once freed a 32 MiB block. Elsewhere (macOS, Windows, browsers, musl) it does
 * nothing useful and costs one unused reservation, so it runs on Linux only; the environment
 * variable `NABLA_PRIME_ALLOCATOR=0` turns it off.
 *
 * @module platform/systemAllocator
 */
import { environmentVariable, turnedOff } from './environment.js'

/** Allocations of at least this many bytes prime the system allocator first. */
export const largeAllocationBytes = 2 ** 18

/** Just under glibc's largest dynamic mmap threshold (32 MiB), leaving room for its header. */
export const primingBytes = 32 * 2 ** 20 - 64 * 2 ** 10

let checked = false
let primed = false

const platformOf = (): string | undefined => {
  try {
    return (globalThis as { process?: { platform?: string } }).process?.platform
  } catch {
    return undefined
  }
}

/**
 * Whether priming helps where nabla runs: on Linux (glibc), unless `setting` (the environment
 * variable `NABLA_PRIME_ALLOCATOR`) is `0`, `false` or `no`.
 * @example
 * import { primingHelps } from './systemAllocator.js'
 * primingHelps('darwin', undefined) // false: only glibc (Linux) gains from it
 */
export const primingHelps = (platform: string | undefined, setting: string | undefined): boolean =>
  platform === 'linux' && !turnedOff(setting)

/**
 * Primes the system allocator once per process (see the module comment) when it helps here;
 * returns whether this call did it.
 * @example
 * import { primeSystemAllocator } from './systemAllocator.js'
 * primeSystemAllocator() // true the first time on Linux, false afterwards
 */
export const primeSystemAllocator = (): boolean => {
  if (checked) return false
  checked = true
  if (!primingHelps(platformOf(), environmentVariable('NABLA_PRIME_ALLOCATOR'))) return false
  try {
    // allocated and dropped at once: its freeing is what raises glibc's threshold
    primed = new ArrayBuffer(primingBytes).byteLength === primingBytes
  } catch {
    // no address space for it: nothing to gain, nothing lost
  }
  return primed
}

/**
 * Primes the system allocator before an allocation of `bytes` when it is large (at least
 * `largeAllocationBytes`); every path that makes large storage calls it.
 * @example
 * import { primeBefore } from './systemAllocator.js'
 * primeBefore(4e6) // primes once per process on Linux
 */
export const primeBefore = (bytes: number): void => {
  if (bytes >= largeAllocationBytes && !checked) primeSystemAllocator()
}

/** Whether `primeSystemAllocator` has primed the allocator in this process. */
export const systemAllocatorPrimed = (): boolean => primed
