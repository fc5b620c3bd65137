/** The staging interpreter: leaked tensors are a clear error; non-tensor results too. */
import { describe, expect, it } from 'vitest'
import { add, jit, makeIR, mul, type Tensor, TraceError, tensor, toArray } from '../../src/index.js'

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
})
