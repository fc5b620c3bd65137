/**
 * Settings from environment variables (src/platform/environment.ts): a variable read as it is now,
 * and the values that turn a preparation off.
 */
import { describe, expect, it } from 'vitest'
import { environmentVariable, turnedOff } from '../../src/platform/environment.js'

describe('environment settings', () => {
  it('reads a variable as the process has it now, undefined when unset', () => {
    const name = 'NABLA_TEST_ENVIRONMENT_VARIABLE'
    expect(environmentVariable(name)).toBeUndefined()
    process.env[name] = 'wasm'
    expect(environmentVariable(name)).toBe('wasm')
    delete process.env[name]
    expect(environmentVariable(name)).toBeUndefined()
  })

  it('treats 0, false and no, in any case, as off, and nothing else', () => {
    for (const off of ['0', 'false', 'no', 'NO', 'False']) expect(turnedOff(off)).toBe(true)
    for (const on of [undefined, '', '1', 'true', 'yes', 'off ', 'nope']) expect(turnedOff(on)).toBe(false)
  })
})
