/**
 * The system allocator priming (src/platform/systemAllocator.ts): when it applies, that allocating a
 * large array primes it, and — in child processes, counted in page faults, never timed — that a
 * synchronous loop of fresh 4 MB results faults in far fewer pages with it than without it.
 */
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  largeAllocationBytes,
  primingHelps,
  systemAllocatorPrimed,
} from '../../src/platform/systemAllocator.js'
import { allocate } from '../../src/tensor/dtype.js'
import { bundledScript } from '../support/childScripts.js'

const here = path.dirname(fileURLToPath(import.meta.url))

describe('priming the system allocator', () => {
  it('applies on Linux unless NABLA_PRIME_ALLOCATOR turns it off', () => {
    expect(primingHelps('linux', undefined)).toBe(true)
    expect(primingHelps('linux', '1')).toBe(true)
    expect(primingHelps('linux', '0')).toBe(false)
    expect(primingHelps('linux', 'false')).toBe(false)
    expect(primingHelps('darwin', undefined)).toBe(false)
    expect(primingHelps('win32', undefined)).toBe(false)
    expect(primingHelps(undefined, undefined)).toBe(false)
  })

  it.runIf(process.platform === 'linux' && process.env.NABLA_PRIME_ALLOCATOR === undefined)(
    'is done by the first large allocation',
    () => {
      allocate('float32', largeAllocationBytes / 4)
      expect(systemAllocatorPrimed()).toBe(true)
    },
  )

  it.runIf(process.platform === 'linux')(
    'saves most page faults of fresh results in a synchronous loop',
    () => {
      const primed = child(['faults'], '1') as { faultsPerAdd: number }
      // the control: no priming, and glibc's mmap threshold held at its 128 KiB default (setting it
      // turns off glibc's own rise, which otherwise happens or not depending on when collections
      // fall: unprimed runs measured 0-720 faults per add, so they cannot be the control)
      const pinned = child(['faults'], '0', { MALLOC_MMAP_THRESHOLD_: '131072' }) as { faultsPerAdd: number }
      // a 4 MB result is 977 pages: pinned, every add maps them fresh from the kernel; primed, the
      // median add maps none (the mean, 16-24 here, counted the bursts of a heap that grows when
      // the collector falls behind: 65 once on a loaded machine, which failed a mean-based check)
      expect(pinned.faultsPerAdd).toBeGreaterThan(500)
      expect(primed.faultsPerAdd).toBeLessThan(50)
    },
    60_000,
  )

  it.runIf(process.platform === 'linux')(
    'keeps the resident set flat over a long loop of fresh results (and the measurement sees a leak)',
    () => {
      // the most resident memory of a quarter of the run's samples
      const most = (rss: readonly number[], quarter: number) =>
        Math.max(...rss.slice((quarter * rss.length) / 4, ((quarter + 1) * rss.length) / 4))
      const growth = (rss: readonly number[]) => most(rss, 3) - most(rss, 1)
      const flat = child(['rss'], '1') as { rss: number[] }
      const leaking = child(['rss', 'leak'], '1') as { rss: number[]; kept: number }
      // 1,600 adds churn 6.4 GB; glibc keeps at most ~64 MiB of it for reuse (measured growth from
      // the second quarter to the last: 4-23 MiB)
      expect(growth(flat.rss)).toBeLessThan(48 * 2 ** 20)
      // keeping every 25th result holds 16 more 4 MB arrays from the second quarter to the last
      // (measured: 111-119 MiB)
      expect(growth(leaking.rss)).toBeGreaterThan(80 * 2 ** 20)
    },
    120_000,
  )
})

/** Runs test/platform/systemAllocator/fresh-results.ts (bundled once) and parses what it prints. */
const child = (args: readonly string[], setting: string, env: Record<string, string> = {}): unknown => {
  const script = bundledScript(path.join(here, 'systemAllocator', 'fresh-results.ts'))
  const r = spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env, NABLA_PRIME_ALLOCATOR: setting },
  })
  expect(r.status).toBe(0)
  return JSON.parse(r.stdout)
}
