/** The IR printer: names, types and scalar constants. */
import { describe, expect, it } from 'vitest'
import { add, makeIR, mul, type Tensor, tensor } from '../../src/index.js'
import { formatType, varName } from '../../src/jit/ir.js'

describe('ir', () => {
  it('names variables a … z, ba …', () => {
    expect([0, 1, 25, 26, 27, 52].map(varName)).toEqual(['a', 'b', 'z', 'ba', 'bb', 'ca'])
  })
  it('writes types as f32[2,3]', () => {
    expect(formatType([2, 3], 'float32')).toBe('f32[2,3]')
    expect(formatType([], 'float64')).toBe('f64[]')
  })
  it('writes scalar constants with their sign, −0 included', () => {
    const ir = String(makeIR((x: Tensor<[2]>) => add(mul(x, -0), 0.5))(tensor([1, 2])))
    expect(ir).toContain('mul a -0.0:f32[]')
    expect(ir).toContain('add b 0.5:f32[]')
  })
})
