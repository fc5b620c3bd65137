/** Tests of the one-tensor JSON codec: encoding of special values, specs, and field errors. */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { tensorJSONCodec } from '../../../src/models/serialize/leaf.js'
import { tensor, zeros } from '../../../src/tensor/index.js'
import { arbTensor, expectSameTree } from './support.js'

describe('tensorJSONCodec', () => {
  it('decode ∘ encode is the identity, bit for bit (NaN aside)', () => {
    fc.assert(
      fc.property(arbTensor, (x) => {
        const json = JSON.parse(JSON.stringify(tensorJSONCodec().encode(x)))
        const back = tensorJSONCodec({ shape: x.shape, dtype: x.dtype }).decode(json)
        expectSameTree(E.isRight(back) && back.right, x)
      }),
      { seed: 1001, numRuns: 300 },
    )
  })
  it('writes −0 as a string and checks a spec', () => {
    const codec = tensorJSONCodec({ shape: [2], dtype: 'float32' })
    const json = codec.encode(tensor([1, -0]))
    expect(json).toEqual({ dtype: 'float32', shape: [2], data: [1, '-0'] })
    expect(E.isRight(codec.decode(json))).toBe(true)
    expect(E.isLeft(codec.decode({ ...json, shape: [1, 2] }))).toBe(true)
    expect(E.isLeft(tensorJSONCodec().decode(zeros([1])))).toBe(true)
  })
  it('rejects each bad field at its own path', () => {
    const codec = tensorJSONCodec()
    const path = (u: unknown) => {
      const r = codec.decode(u)
      return E.isLeft(r) ? r.left[0]!.context.map((c) => c.key).join('/') : 'ok'
    }
    expect(path({ dtype: 'float32', shape: [2], data: [1, 'x'] })).toBe('/data/1')
    expect(path({ dtype: 'float32', shape: [2, 'a'], data: [] })).toBe('/shape/1')
    expect(path({ dtype: 'float32', shape: [1], data: [1], extra: 0 })).toBe('/extra')
    expect(path({ dtype: 'float32', shape: [1] })).toBe('/data')
    expect(path({ dtype: 'float32', shape: [1], data: [1] })).toBe('ok')
  })
})
