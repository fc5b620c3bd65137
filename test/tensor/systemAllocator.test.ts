/**
 * The system allocator priming (src/tensor/systemAllocator.ts): when it applies, that allocating a
 * large array primes it, and — in child processes, counted in page faults, never timed — that a
 * synchronous loop of fresh 4 MB results faults in far fewer pages with it than without it.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { allocate } from '../../src/tensor/dtype.js'
import {
  largeAllocationBytes,
  primingHelps,
  systemAllocatorPrimed,
} from '../../src/tensor/systemAllocator.js'

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
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-allocator-'))
      const outfile = path.join(dir, 'fresh-results.mjs')
      buildSync({
        entryPoints: [path.join(here, 'systemAllocator', 'fresh-results.ts')],
        bundle: true,
        format: 'esm',
        platform: 'node',
        outfile,
        logLevel: 'silent',
      })
      const faultsPerAdd = (setting: string): number => {
        const r = spawnSync(process.execPath, [outfile], {
          encoding: 'utf8',
          env: { ...process.env, NABLA_PRIME_ALLOCATOR: setting },
        })
        expect(r.status).toBe(0)
        return (JSON.parse(r.stdout) as { faultsPerAdd: number }).faultsPerAdd
      }
      const primed = faultsPerAdd('1')
      const unprimed = faultsPerAdd('0')
      // a 4 MB result is 977 pages: unprimed, glibc maps 150-720 of them fresh from the kernel per
      // add here (depending on when collections fall); primed, 0-16
      expect(primed).toBeLessThan(50)
      expect(primed * 3).toBeLessThan(unprimed)
      fs.rmSync(dir, { recursive: true, force: true })
    },
    60_000,
  )
})
