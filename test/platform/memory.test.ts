/** What the platform says about memory (src/platform/memory.ts): the memory available, and byte counts. */
import * as os from 'node:os'
import { describe, expect, it } from 'vitest'
import { formatBytes, parseBytes, platformAvailableMemory } from '../../src/platform/memory.js'

describe('platform memory', () => {
  it('reads the memory available in Node: positive, and no more than the machine has', () => {
    const bytes = platformAvailableMemory()
    expect(bytes).toBeGreaterThan(0)
    expect(bytes).toBeLessThanOrEqual(os.totalmem())
  })

  it('parses byte counts with and without units, and refuses anything else', () => {
    expect(parseBytes('1024')).toBe(1024)
    expect(parseBytes('1.5GiB')).toBe(1.5 * 2 ** 30)
    expect(parseBytes('8 GB')).toBe(8e9)
    expect(parseBytes('512mib')).toBe(512 * 2 ** 20)
    for (const bad of ['', 'lots', '-1', '2 parsecs', '0']) expect(parseBytes(bad)).toBeUndefined()
  })

  it('formats byte counts for messages, with the exact count beside a rounded one', () => {
    expect(formatBytes(17179869176)).toBe('16 GiB (17179869176 bytes)')
    expect(formatBytes(1536)).toBe('1.5 KiB (1536 bytes)')
    expect(formatBytes(1000)).toBe('1000 bytes')
  })
})
