/**
 * Tracing's argument handling (src/jit/trace.ts): static arguments pass through, tensor arguments
 * are flattened, and a number, string or boolean where a tensor is expected is an `ArgumentError`
 * that says how to pass it — and, following its advice, the call works.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, jit, mul, scalar, tensor, toFlat } from '../../src/index.js'
import { flattenArguments } from '../../src/jit/trace.js'

describe('tracing arguments', () => {
  it('keeps static arguments as they are and flattens the others in order', () => {
    const [a, b] = [tensor([1]), tensor([2])]
    const flat = flattenArguments('jit', [{ w: a }, 0.5, [b]], new Set([1]))
    expect(flat.map((f) => f.kind)).toEqual(['tree', 'static', 'tree'])
    expect(flat[1]).toEqual({ kind: 'static', value: 0.5 })
    expect(flat.flatMap((f) => (f.kind === 'tree' ? f.leaves : []))).toEqual([a, b])
  })

  it('a plain value given for a traced argument names it and both ways to pass it, which work', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), (lr) => {
        const scale = (x: typeof w, by: number) => mul(x, by)
        const w = tensor([1, 2, 3])
        const call = () => jit(scale)(w, lr)
        expect(call).toThrow(ArgumentError)
        expect(call).toThrow(
          `jit: argument 1 is the number ${lr}, not a tensor or a pytree of tensors: mark it static (jit(f, { staticArgs: [1] }): one trace per value), or pass it as a tensor (scalar(${lr}): one plan for every value)`,
        )
        const expected = toFlat(mul(w, lr))
        expect(toFlat(jit(scale, { staticArgs: [1] })(w, lr))).toEqual(expected)
        expect(
          toFlat(jit((x: typeof w, by: ReturnType<typeof scalar>) => mul(x, by))(w, scalar(lr))),
        ).toEqual(expected)
      }),
      { seed: 17, numRuns: 20 },
    )
    expect(() => jit((x: unknown, flag: boolean) => (flag ? x : x))(tensor([1]), true)).toThrow(
      /argument 1 is the boolean true, not a tensor .* mark it static \(jit\(f, \{ staticArgs: \[1\] \}\): one trace per value\)$/,
    )
  })
})
