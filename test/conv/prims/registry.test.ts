/**
 * The convolution family's primitives as a compiler calls them: each one's `forwardInto`, writing
 * into a buffer that holds anything (NaN here), gives what its `forward` gives, bit for bit, on the
 * primitive's own test domain (grouped, strided, padded and dilated geometries), both dtypes.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { convPrimitives } from '../../../src/conv/prims/registry.js'
import { cast, toFlat } from '../../../src/index.js'
import type { AnyTensor, OutputSpec } from '../../../src/tensor/internal.js'
import { domainTools } from '../../../src/testing/arbitraries.js'

const bits = (values: ArrayLike<number>): string[] =>
  Array.from(values, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v)))

describe('the convolution primitives', () => {
  it('write into a buffer (forwardInto) what forward returns', () => {
    const writing = convPrimitives.filter((p) => p.forwardInto !== undefined)
    // every convolution and pooling primitive writes into a buffer (a compiled plan's)
    expect(writing.map((p) => p.name).sort()).toEqual(convPrimitives.map((p) => p.name).sort())
    for (const prim of writing)
      for (const dtype of ['float32', 'float64'] as const)
        fc.assert(
          fc.property(prim.domain!(domainTools), ({ inputs, params }) => {
            const typed: AnyTensor[] = inputs.map((x) => cast(x, dtype))
            const output: OutputSpec = prim.infer(typed, params)
            const fresh = prim.forward(typed, params, output)
            const buffer = (
              dtype === 'float32' ? new Float32Array(fresh.length) : new Float64Array(fresh.length)
            ).fill(Number.NaN)
            prim.forwardInto!(typed, params, output, buffer)
            expect(bits(buffer), prim.name).toEqual(bits(fresh))
            // the inputs are read, never written
            for (const [i, x] of typed.entries())
              expect(bits(toFlat(x))).toEqual(bits(toFlat(cast(inputs[i]!, dtype))))
          }),
          { seed: 77, numRuns: 25 },
        )
  })
})
