/**
 * Tuning V8's collector (src/platform/garbageCollector.ts): when it applies, that the first large
 * allocation does it, and — in child processes, counted, never timed — that tuned, a young
 * collection frees the dead results' memory before it returns (the count V8 checks for a full
 * collection right after it then no longer holds them), where untuned it is still held.
 */
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { garbageCollectorTuned, tuningHelps } from '../../src/platform/garbageCollector.js'
import { largeAllocationBytes } from '../../src/platform/systemAllocator.js'
import { allocate } from '../../src/tensor/dtype.js'
import { bundledScript } from '../support/childScripts.js'

const here = path.dirname(fileURLToPath(import.meta.url))

describe('tuning the garbage collector', () => {
  it('applies where the runtime is V8 unless NABLA_TUNE_GC turns it off', () => {
    expect(tuningHelps('11.3.244.8-node.33', undefined)).toBe(true)
    expect(tuningHelps('11.3.244.8-node.33', '1')).toBe(true)
    expect(tuningHelps('11.3.244.8-node.33', '0')).toBe(false)
    expect(tuningHelps('11.3.244.8-node.33', 'no')).toBe(false)
    expect(tuningHelps(undefined, undefined)).toBe(false)
  })

  it.runIf(process.env.NABLA_TUNE_GC === undefined)('is done by the first large allocation', () => {
    allocate('float32', largeAllocationBytes / 4)
    expect(garbageCollectorTuned()).toBe(true)
  })

  it('frees dead results during the young collection', () => {
    const tuned = child('1')
    const control = child('0')
    expect(tuned.tuned).toBe(true)
    expect(control.tuned).toBe(false)
    // untuned, a background thread frees them after the collection returns: 13-44 of 100 rounds
    // here still held 5 MB or more right after it (up to all 20 MB), with every core busy too;
    // tuned, every round had freed them all within it
    expect(control.held.filter((megabytes) => megabytes >= 5).length).toBeGreaterThanOrEqual(3)
    expect(Math.max(...tuned.held)).toBeLessThan(1)
  }, 60_000)
})

/** Runs test/platform/garbageCollector/young-collections.ts (bundled once) with `--expose-gc`. */
const child = (setting: string): { held: number[]; tuned: boolean } => {
  const script = bundledScript(path.join(here, 'garbageCollector', 'young-collections.ts'))
  const r = spawnSync(process.execPath, ['--expose-gc', script], {
    encoding: 'utf8',
    env: { ...process.env, NABLA_TUNE_GC: setting },
  })
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}
