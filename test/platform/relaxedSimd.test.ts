/**
 * Turning on relaxed SIMD (src/platform/relaxedSimd.ts; when a V8 flag applies: v8Flags.test.ts): in fresh child
 * processes, since a V8 flag once set stays set — that it makes a module using the fused
 * multiply-add validate where it did not, once per process, and that `NABLA_RELAXED_SIMD=0` leaves
 * the runtime as it was.
 */
import { describe, expect, it } from 'vitest'
import { validatesInChild } from './relaxedSimd/child.js'

// V8 ships relaxed SIMD from 11.4: below it, the flag is what makes it validate
const behindFlag =
  Number(process.versions.v8.split('.')[0]) * 100 + Number(process.versions.v8.split('.')[1]) < 1104

describe('turning on relaxed SIMD', () => {
  it('makes the fused multiply-add validate, once per process', () => {
    const run = validatesInChild('enable')
    expect(run.before).toBe(!behindFlag)
    expect(run.returned).toBe(true)
    expect(run.again).toBe(true)
    expect(run.after).toBe(true)
  })

  it('leaves the runtime as it was under NABLA_RELAXED_SIMD=0', () => {
    const run = validatesInChild('enable', '0')
    expect(run.returned).toBe(false)
    expect(run.again).toBe(false)
    expect(run.after).toBe(run.before)
    expect(run.before).toBe(!behindFlag)
  })
})
