/** The IR printer: names and types. */
import { describe, expect, it } from 'vitest'
import { formatType, varName } from '../../src/jit/ir.js'

describe('ir', () => {
  it('names variables a … z, ba …', () => {
    expect([0, 1, 25, 26, 27, 52].map(varName)).toEqual(['a', 'b', 'z', 'ba', 'bb', 'ca'])
  })
  it('writes types as f32[2,3]', () => {
    expect(formatType([2, 3], 'float32')).toBe('f32[2,3]')
    expect(formatType([], 'float64')).toBe('f64[]')
  })
})
