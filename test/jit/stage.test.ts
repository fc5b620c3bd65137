/**
 * The staging interpreter: leaked tensors are a clear error; non-tensor results too; reading a
 * traced tensor's values in JavaScript (which would freeze them into the plan) is refused.
 */
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  accuracy,
  add,
  item,
  jit,
  makeIR,
  mul,
  type Tensor,
  TraceError,
  tensor,
  toArray,
  toFlat,
} from '../../src/index.js'

describe('StagingTrace', () => {
  it('a tensor leaked out of a trace is a TraceError when used', () => {
    let leaked: Tensor | undefined
    const f = jit((x: Tensor) => {
      leaked = mul(x, 2)
      return add(x, 1)
    })
    expect(toArray(f(tensor([1, 2])))).toEqual([2, 3])
    expect(() => add(leaked!, 1)).toThrow(TraceError)
    expect(() => add(leaked!, 1)).toThrow(/leaked out of a jit\/makeIR trace/)
    // also inside another trace
    expect(() => makeIR((y: Tensor) => add(y, leaked!))(tensor([1, 2]))).toThrow(TraceError)
  })

  it('a traced function must return tensors', () => {
    expect(() => makeIR(() => 3 as unknown as Tensor)()).toThrow(TraceError)
  })

  it("reading a traced tensor's values is an ArgumentError naming the reader and jit", () => {
    const message = /cannot read the values of a tensor inside jit: it stands for the values of every call/
    expect(() => jit((x: Tensor) => add(x, item(mul(x, 0)) > 0 ? 1 : 2))(tensor(1))).toThrow(ArgumentError)
    expect(() => jit((x: Tensor) => add(x, toFlat(x)[0]!))(tensor([1]))).toThrow(message)
    expect(() => jit((x: Tensor) => add(x, accuracy(tensor([[1, 0]]), x)))(tensor([0]))).toThrow(
      /accuracy: cannot read the values of a tensor inside jit/,
    )
    expect(String(makeIR((x: Tensor) => add(x, String(x).length))(tensor([1])))).toContain('add')
    let shown = ''
    jit((x: Tensor) => {
      shown = String(x)
      return x
    })(tensor([1, 2]))
    expect(shown).toBe('Tensor<[2], float32> (inside jit: stands for every call, no values to show)')
    // outside the trace the same tensors read as usual
    expect(toFlat(jit((x: Tensor) => mul(x, 2))(tensor([1, 2])))).toEqual([2, 4])
  })
})
