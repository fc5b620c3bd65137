/**
 * makeIR: the recorded IR has the primitives f applies, typed variables, constants for closed-over
 * tensors and literals, and folds primitives of constants away.
 */
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  add,
  grad,
  makeIR,
  matmul,
  mul,
  relu,
  sub,
  sum,
  tanh,
  tensor,
  zeros,
} from '../../src/index.js'

describe('makeIR', () => {
  it('prints a dense layer jaxpr-style', () => {
    const ir = makeIR((x: AnyTensor, w: AnyTensor, b: AnyTensor) => relu(add(matmul(x, w), b)))(
      zeros([128, 784]),
      zeros([784, 128]),
      zeros([128]),
    )
    expect(String(ir)).toBe(
      [
        '{ lambda a:f32[128,784] b:f32[784,128] c:f32[128] . let',
        '    d:f32[128,128] = matmul[transposeA=false transposeB=false] a b',
        '    e:f32[128,128] = add d c',
        '    f:f32[128,128] = relu e',
        '  in (f) }',
      ].join('\n'),
    )
    expect(ir.equations.map((e) => e.prim.name)).toEqual(['matmul', 'add', 'relu'])
    expect(ir.outputs[0]).toMatchObject({ kind: 'var', shape: [128, 128], dtype: 'float32' })
  })

  it('records literals and closed-over tensors as constants and folds constant-only primitives', () => {
    const c = tensor([1, 2], { dtype: 'float64' })
    const ir = makeIR((x: AnyTensor) => mul(sub(1, x), add(c, c)))(zeros([2], { dtype: 'float64' }))
    // add(c, c) involves no traced value: folded into one constant, never recorded
    expect(ir.equations.map((e) => e.prim.name)).toEqual(['sub', 'mul'])
    const folded = ir.equations[1]!.inputs[1]!
    expect(folded.kind).toBe('const')
    expect(folded.kind === 'const' && Array.from(folded.value.shape)).toEqual([2])
    expect(String(ir)).toContain('= sub 1.0:f64[] a')
  })

  it('records the backward pass of grad inside it', () => {
    const ir = makeIR(grad((x: AnyTensor) => sum(tanh(x))))(zeros([3]))
    const names = ir.equations.map((e) => e.prim.name)
    expect(names.slice(0, 2)).toEqual(['tanh', 'sum'])
    expect(names).toContain('mul')
    expect(ir.outputs).toHaveLength(1)
  })

  it('takes pytrees and gives an output of each leaf', () => {
    const ir = makeIR((p: { w: ReturnType<typeof zeros>; b: ReturnType<typeof zeros> }) => [
      add(p.w, p.b),
      p.w,
    ])({
      w: zeros([2]),
      b: zeros([2]),
    })
    expect(ir.inputs).toHaveLength(2)
    expect(ir.outputs).toHaveLength(2)
    expect(ir.outputs[1]).toBe(ir.inputs[1]) // keys sorted: b is a, w is b
  })
})
