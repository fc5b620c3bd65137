/**
 * `writtenInto`: one kernel gives a primitive both `forward` (a fresh array) and `forwardInto` (the
 * caller's array, zero-filled first, so a kernel that adds into its output sees zeros either way).
 */
import { describe, expect, it } from 'vitest'
import { fromArrayOrThrow } from '../../src/index.js'
import { storage, writtenInto } from '../../src/tensor/internal.js'

describe('writtenInto', () => {
  // adds each input element onto the output twice: right only on a zero-filled output
  const { forward, forwardInto } = writtenInto<undefined>(([x], _params, _output, out) => {
    const values = storage(x!)
    for (let i = 0; i < out.length; i++) out[i]! += values[i]! + values[i]!
  })
  const x = fromArrayOrThrow([1, -2, 3.5], [3])
  const output = { shape: [3], dtype: 'float32' } as const

  it('forward writes into a fresh zero-filled array', () => {
    const out = forward([x], undefined, output)
    expect(out).toBeInstanceOf(Float32Array)
    expect([...out]).toEqual([2, -4, 7])
  })

  it('forwardInto zero-fills the array it is given, then writes the same values', () => {
    const out = new Float32Array([100, Number.NaN, -5])
    forwardInto!([x], undefined, output, out)
    expect([...out]).toEqual([2, -4, 7])
  })

  it('with writesEvery, forwardInto leaves the filling to the kernel', () => {
    const { forwardInto: into } = writtenInto<undefined>(
      ([y], _params, _output, out) => {
        const values = storage(y!)
        for (let i = 0; i < out.length - 1; i++) out[i] = 2 * values[i]!
      },
      { writesEvery: true },
    )
    // the kernel leaves the last element alone: it keeps what the array held
    const out = new Float32Array([100, Number.NaN, -5])
    into!([x], undefined, output, out)
    expect([...out]).toEqual([2, -4, -5])
  })
})
