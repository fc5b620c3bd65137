/** Fused kernels: which expressions have a SIMD form, and that the emitted module validates. */
import { describe, expect, it } from 'vitest'
import { webAssembly } from '../../../../src/tensor/kernels/wasm/api.js'
import { buildModule } from '../../../../src/tensor/kernels/wasm/encoder.js'
import {
  canFuse,
  compiledLimit,
  compileFused,
  emitFused,
  type FusedExpression,
  type FusedSpec,
} from '../../../../src/tensor/kernels/wasm/fused.js'

const x: FusedExpression = { kind: 'operand', index: 0 }

describe('fused kernels', () => {
  it('fuse the back end’s lane-wise ops, where, and tanh in float32 only', () => {
    const tanh: FusedExpression = { kind: 'unary', name: 'tanh', expression: 'Math.tanh(x)', x }
    expect(canFuse('f32', tanh)).toBe(true)
    expect(canFuse('f64', tanh)).toBe(false)
    expect(canFuse('f32', { kind: 'unary', name: 'exp', expression: 'Math.exp(x)', x })).toBe(false)
    expect(
      canFuse('f64', {
        kind: 'binary',
        name: 'mul',
        expression: 'x * y',
        x,
        y: { kind: 'constant', value: 2 },
      }),
    ).toBe(true)
    expect(
      canFuse('f64', {
        kind: 'where',
        condition: x,
        x,
        y: { kind: 'unary', name: 'log', expression: 'Math.log(x)', x },
      }),
    ).toBe(false)
  })

  it('emits a module that validates for every layout', () => {
    const root: FusedExpression = {
      kind: 'where',
      condition: x,
      x: { kind: 'binary', name: 'add', expression: 'x + y', x, y: { kind: 'operand', index: 1 } },
      y: { kind: 'unary', name: 'tanh', expression: 'Math.tanh(x)', x: { kind: 'operand', index: 2 } },
    }
    const body = emitFused({ precision: 'f32', layouts: ['full', 'row', 'column'], root })
    const bytes = buildModule({ initial: 1, maximum: 65536, shared: false }, [{ name: 'fused', body }])
    expect(webAssembly?.validate(bytes)).toBe(true)
  })

  it('keeps at most compiledLimit compiled modules, the most recently used', () => {
    const spec = (c: number): FusedSpec => ({
      precision: 'f32',
      layouts: ['full'],
      root: { kind: 'binary', name: 'add', expression: 'x + y', x, y: { kind: 'constant', value: c } },
    })
    const used = compileFused(spec(0.25))
    const unused = compileFused(spec(0.75))
    expect(compileFused(spec(0.75))).toBe(unused)
    // compiledLimit other specs; the first one is used again every 100
    for (let c = 1; c <= compiledLimit; c++) {
      compileFused(spec(c + 0.5))
      if (c % 100 === 0) expect(compileFused(spec(0.25))).toBe(used)
    }
    expect(compileFused(spec(0.25))).toBe(used)
    expect(compileFused(spec(0.75))).not.toBe(unused)
  })
})
