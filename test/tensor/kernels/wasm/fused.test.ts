/** Fused kernels: the emitted module validates, and compiled modules are kept by recency. */
import { describe, expect, it } from 'vitest'
import { webAssembly } from '../../../../src/tensor/kernels/wasm/api.js'
import { buildModule } from '../../../../src/tensor/kernels/wasm/encoder.js'
import {
  compiledLimit,
  compileFused,
  emitFused,
  type FusedExpression,
  type FusedSpec,
} from '../../../../src/tensor/kernels/wasm/fused.js'

const x: FusedExpression = { kind: 'operand', index: 0 }

describe('fused kernels', () => {
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
