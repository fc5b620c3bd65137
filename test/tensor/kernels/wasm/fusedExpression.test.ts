/**
 * The fused-expression emitter: which trees have a SIMD form (`canFuse`), and a node the tree holds
 * twice (a DAG, as x·x makes) is emitted once per element, with the values of the same tree written
 * out twice.
 */
import { describe, expect, it } from 'vitest'
import { createArena } from '../../../../src/tensor/internal.js'
import { buildModule } from '../../../../src/tensor/kernels/wasm/encoder.js'
import { emitFused } from '../../../../src/tensor/kernels/wasm/fused.js'
import { canFuse, type FusedExpression } from '../../../../src/tensor/kernels/wasm/fusedExpression.js'

const x: FusedExpression = { kind: 'operand', index: 0 }

describe('fused expressions', () => {
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

  it('emit a node the tree holds twice once, with the values of the tree written out twice', () => {
    const y: FusedExpression = { kind: 'operand', index: 1 }
    const inner = (): FusedExpression => ({
      kind: 'unary',
      name: 'tanh',
      expression: 'Math.tanh(x)',
      x: { kind: 'binary', name: 'add', expression: 'x + y', x, y },
    })
    const shared = inner()
    const dag: FusedExpression = { kind: 'binary', name: 'mul', expression: 'x * y', x: shared, y: shared }
    const tree: FusedExpression = { kind: 'binary', name: 'mul', expression: 'x * y', x: inner(), y: inner() }
    const size = (root: FusedExpression) =>
      buildModule({ initial: 1, maximum: 65536, shared: false }, [
        { name: 'fused', body: emitFused({ precision: 'f32', layouts: ['full', 'full'], root }) },
      ]).length
    // the DAG emits tanh (dozens of instructions) once per loop body instead of twice; the kernel has four bodies
    expect(size(dag)).toBeLessThan(size(tree) - 200)
    const arena = createArena()!
    arena.ensure(1 << 16)
    const memory = arena.views().f32
    const n = 37
    for (let i = 0; i < n; i++) {
      memory[i] = Math.sin(i) * 3
      memory[1024 + i] = Math.cos(i)
    }
    const run = (root: FusedExpression, at: number) =>
      arena.fused({ precision: 'f32', layouts: ['full', 'full'], root })(0, 4096, at, 1, n)
    run(dag, 8192)
    run(tree, 12288)
    for (let i = 0; i < n; i++) expect(Object.is(memory[2048 + i], memory[3072 + i])).toBe(true)
  })
})
