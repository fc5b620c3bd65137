/** Dead-code elimination keeps exactly what the outputs need. */
import { describe, expect, it } from 'vitest'
import { add, exp, makeIR, mul, sin, type Tensor, zeros } from '../../src/index.js'
import { eliminateDeadCode } from '../../src/jit/dce.js'

describe('eliminateDeadCode', () => {
  it('drops equations no output depends on', () => {
    const ir = makeIR((x: Tensor) => {
      exp(x) // dead
      const y = sin(x)
      mul(y, 3) // dead
      return add(y, 1)
    })(zeros([2]))
    expect(ir.equations.map((e) => e.prim.name)).toEqual(['exp', 'sin', 'mul', 'add'])
    expect(eliminateDeadCode(ir).equations.map((e) => e.prim.name)).toEqual(['sin', 'add'])
  })
})
