/**
 * Setting V8 flags at run time (src/platform/v8Flags.ts): the version read, where a flag applies,
 * a flag set once per process, and — in a fresh child process — that a flag set takes effect.
 */
import { describe, expect, it } from 'vitest'
import { flagApplies, processFlag, v8Version } from '../../src/platform/v8Flags.js'
import { validatesInChild } from './relaxedSimd/child.js'

describe('V8 flags', () => {
  it('reads the V8 version Node reports', () => {
    expect(v8Version()).toBe(process.versions.v8)
  })

  it('applies a flag where the runtime is V8 unless its setting turns it off', () => {
    expect(flagApplies('11.3.244.8-node.33', undefined)).toBe(true)
    expect(flagApplies('11.3.244.8-node.33', '1')).toBe(true)
    expect(flagApplies('11.3.244.8-node.33', '0')).toBe(false)
    expect(flagApplies('11.3.244.8-node.33', 'FALSE')).toBe(false)
    expect(flagApplies(undefined, undefined)).toBe(false)
  })

  it("reads a process flag's setting once, at its first set", () => {
    // a flag V8 does not know: setting it changes nothing (V8 ignores it)
    const variable = 'NABLA_TEST_PROCESS_FLAG'
    process.env[variable] = '0'
    const off = processFlag('--nabla-test-unknown-flag', variable)
    expect(off.isSet()).toBe(false)
    expect(off.set()).toBe(false)
    delete process.env[variable]
    expect(off.set()).toBe(false) // asked once: the setting is not read again
    const on = processFlag('--nabla-test-unknown-flag', variable)
    expect(on.set()).toBe(true)
    expect(on.isSet()).toBe(true)
    process.env[variable] = '0'
    expect(on.set()).toBe(true)
    delete process.env[variable]
  })

  it('sets a flag that takes effect in the running process', () => {
    const run = validatesInChild('set')
    expect(run.returned).toBe(true)
    expect(run.after).toBe(true)
  })
})
