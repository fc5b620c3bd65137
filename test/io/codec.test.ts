import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  DecodeError,
  TensorCodec,
  TensorRecordCodec,
  tensor,
  toFlat,
  zeros,
} from '../../src/index.js'
import { decodeWith } from '../../src/io/codec.js'
import { arbData, arbDType, arbShape, toTensor } from '../support/arbitraries.js'
import { roundTo } from '../support/naive.js'

const decodeError = <A, O>(codec: t.Type<A, O, unknown>, input: unknown): DecodeError => {
  const r = decodeWith('load', codec, input)
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left
}

const sameTensor = (a: AnyTensor, b: AnyTensor): boolean =>
  a.dtype === b.dtype &&
  JSON.stringify(a.shape) === JSON.stringify(b.shape) &&
  toFlat(a).every((v, i) => Object.is(v, toFlat(b)[i]))

describe('TensorCodec', () => {
  it('round-trips any tensor through JSON text exactly, NaN and ±Infinity included', () => {
    const values = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0))
    fc.assert(
      fc.property(
        arbShape({ maxRank: 6, maxDim: 3 }).chain((s) =>
          fc.tuple(fc.constant(s), arbData(s, values), arbDType),
        ),
        ([shape, data, dtype]) => {
          const t = toTensor({ shape, data }, dtype)
          const json = JSON.parse(JSON.stringify(TensorCodec.encode(t)))
          const back = decodeWith('load', TensorCodec, json)
          expect(E.isRight(back)).toBe(true)
          if (E.isRight(back)) {
            expect(back.right.shape).toEqual(shape)
            expect(back.right.dtype).toBe(dtype)
            // -0 becomes 0 in JSON text; every other value survives exactly
            expect(toFlat(back.right)).toEqual(roundTo(dtype, data).map((v) => (Object.is(v, -0) ? 0 : v)))
          }
        },
      ),
      { seed: 0xc0dec1, numRuns: 100 },
    )
  })

  it('encodes as { dtype, shape, data } with non-finite values as strings', () => {
    expect(TensorCodec.encode(tensor([1, NaN, -Infinity], { dtype: 'float64' }))).toEqual({
      dtype: 'float64',
      shape: [3],
      data: [1, 'NaN', '-Infinity'],
    })
    expect(TensorCodec.is(zeros([1]))).toBe(true)
    expect(TensorCodec.is({ dtype: 'float32', shape: [], data: [0] })).toBe(false)
  })

  it('decode errors name the path of the bad field', () => {
    const ok = { dtype: 'float32', shape: [2], data: [1, 2] }
    const cases: readonly [unknown, string][] = [
      [{ ...ok, data: [1, 'x'] }, 'data[1]'],
      [{ ...ok, dtype: 'int8' }, 'dtype'],
      [{ ...ok, shape: [2, -1] }, 'shape[1]'],
      [{ ...ok, shape: [1.5] }, 'shape[0]'],
      [{ ...ok, shape: 'x' }, 'shape'],
      [{ dtype: 'float32', shape: [2] }, 'data'],
    ]
    for (const [input, path] of cases) {
      const e = decodeError(TensorCodec, input)
      expect(e).toBeInstanceOf(DecodeError)
      expect(e.path).toBe(path)
      expect(e.message.startsWith(`load: ${path}: `)).toBe(true)
    }
    expect(decodeError(TensorCodec, { ...ok, data: [1, 'x'] }).message).toBe(
      'load: data[1]: expected JSONNumber, got "x"',
    )
    expect(decodeError(TensorCodec, { ...ok, shape: [2, -1] }).message).toBe(
      'load: shape[1]: expected NonNegativeInteger, got -1',
    )
    expect(decodeError(TensorCodec, null).path).toBe('')
  })

  it('rejects data whose length does not match the shape, naming both', () => {
    const e = decodeError(TensorCodec, { dtype: 'float32', shape: [2, 2], data: [1, 2, 3] })
    expect(e.message).toBe('load: input: data has 3 values but shape [2,2] needs 4')
    expect(decodeError(TensorCodec, { dtype: 'float32', shape: [1], data: [1, 2] }).message).toBe(
      'load: input: data has 2 values but shape [1] needs 1',
    )
    expect(decodeError(TensorCodec, { dtype: 'float32', shape: [65536, 65536], data: [] }).message).toContain(
      'more than 2147483647',
    )
  })
})

describe('TensorRecordCodec', () => {
  it('round-trips a record of tensors and names the key of a bad field', () => {
    const params = { w: tensor([[1, 2]], { dtype: 'float64' }), b: tensor([0.5]) }
    const back = decodeWith(
      'load',
      TensorRecordCodec,
      JSON.parse(JSON.stringify(TensorRecordCodec.encode(params))),
    )
    expect(E.isRight(back)).toBe(true)
    if (E.isRight(back)) {
      expect(Object.keys(back.right).sort()).toEqual(['b', 'w'])
      expect(sameTensor(back.right.w!, params.w)).toBe(true)
      expect(sameTensor(back.right.b!, params.b)).toBe(true)
    }
    const bad = { w: TensorCodec.encode(params.w), b: { dtype: 'float32', shape: [1], data: [true] } }
    const e = decodeError(TensorRecordCodec, bad)
    expect(e.path).toBe('b.data[0]')
    expect(e.message.startsWith('load: b.data[0]: ')).toBe(true)
  })
})
