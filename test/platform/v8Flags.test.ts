/**
 * Setting V8 flags at run time (src/platform/v8Flags.ts): the version read, the settings that turn
 * a preparation off, and — in a fresh child process — that a flag set takes effect.
 */
import { describe, expect, it } from 'vitest'
import { turnedOff, v8Version } from '../../src/platform/v8Flags.js'
import { validatesInChild } from './relaxedSimd/child.js'

describe('V8 flags', () => {
  it('reads the V8 version Node reports', () => {
    expect(v8Version()).toBe(process.versions.v8)
  })

  it('treats 0, false and no, in any case, as off, and nothing else', () => {
    for (const off of ['0', 'false', 'no', 'NO', 'False']) expect(turnedOff(off)).toBe(true)
    for (const on of [undefined, '', '1', 'true', 'yes', 'off ', 'nope']) expect(turnedOff(on)).toBe(false)
  })

  it('sets a flag that takes effect in the running process', () => {
    const run = validatesInChild('set')
    expect(run.returned).toBe(true)
    expect(run.after).toBe(true)
  })
})
