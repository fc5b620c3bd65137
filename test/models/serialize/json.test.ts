/**
 * Tests of the JSON parameter format: bit-for-bit round trips of random trees (NaN, ±Infinity,
 * −0 included), each decode error as a DecodeError naming its path, templates, and codecs.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  decodeParams,
  encodeParams,
  paramsFileCodec,
  paramsFromJSON,
  paramsToJSON,
} from '../../../src/models/serialize/json.js'
import { ArgumentError, DecodeError, type Tensor, tensor } from '../../../src/tensor/index.js'
import { arbTree, expectSameTree } from './support.js'

const params = {
  layers: [
    {
      w: tensor([
        [1, 2],
        [3, 4],
      ]),
      b: tensor([0.5, -0.5]),
    },
  ],
  scale: tensor(2, { dtype: 'float64' }),
}
const text = paramsToJSON(params)

/** The DecodeError of a failed decode, or a test failure. */
const errorOf = (result: E.Either<DecodeError, unknown>): DecodeError => {
  if (E.isRight(result)) throw new Error('expected a DecodeError, got a value')
  expect(result.left).toBeInstanceOf(DecodeError)
  return result.left
}
const edit = (f: (file: any) => void): unknown => {
  const file = JSON.parse(text)
  f(file)
  return file
}

describe('JSON round trip', () => {
  it('save → load is bit for bit for random trees, with and without a template', () => {
    fc.assert(
      fc.property(arbTree(fc.string({ maxLength: 6 })), (tree) => {
        const json = paramsToJSON(tree)
        const loose = paramsFromJSON(json)
        expect(E.isRight(loose)).toBe(true)
        expectSameTree(E.isRight(loose) && loose.right, tree)
        const strict = paramsFromJSON(json, tree)
        expectSameTree(E.isRight(strict) && strict.right, tree)
      }),
      { seed: 701, numRuns: 300 },
    )
  })
  it('writes NaN, ±Infinity and −0 as strings and keeps metadata', () => {
    const file = encodeParams(
      { x: tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0]) },
      { note: 'hi' },
    )
    expect((file.params as { x: { data: unknown[] } }).x.data).toEqual([
      'NaN',
      'Infinity',
      '-Infinity',
      '-0',
      0,
    ])
    const decoded = paramsFileCodec().decode(file)
    expect(E.isRight(decoded) && decoded.right.metadata).toEqual({ note: 'hi' })
  })
  it('the template types the result', () => {
    const loaded = paramsFromJSON(text, params)
    if (E.isLeft(loaded)) throw loaded.left
    const w: Tensor<[2, 2], 'float32'> = loaded.right.layers[0]!.w
    expect(w.shape).toEqual([2, 2])
    const spec = paramsFromJSON(text, {
      layers: [{ w: { shape: [2, 2] as const }, b: { shape: [2] } }],
      scale: { shape: [] },
    })
    expect(E.isRight(spec)).toBe(true)
  })
})

describe('JSON decode errors name the path', () => {
  const cases: [string, unknown, string, RegExp][] = [
    [
      'a version mismatch',
      edit((f) => (f.version = 2)),
      'version',
      /version 2 is not supported; this nabla reads version 1/,
    ],
    ['a wrong format', edit((f) => (f.format = 'other')), 'format', /expected "nabla-params", got "other"/],
    ['a missing key', edit((f) => delete f.params.layers[0].b), 'params.layers[0].b', /missing key "b"/],
    ['an extra key', edit((f) => (f.params.extra = f.params.scale)), 'params.extra', /unknown key "extra"/],
    [
      'an extra key in a tensor',
      edit((f) => (f.params.scale.grad = 1)),
      'params.scale.grad',
      /unknown key "grad"/,
    ],
    [
      'a missing tensor field',
      edit((f) => delete f.params.scale.data),
      'params.scale.data',
      /missing key "data"/,
    ],
    [
      'a wrong shape',
      edit((f) => (f.params.layers[0].w.shape = [4, 1])),
      'params.layers[0].w.shape',
      /expected shape \[2,2\] \(from the template\), got \[4,1\]/,
    ],
    [
      'a wrong dtype',
      edit((f) => (f.params.scale.dtype = 'float32')),
      'params.scale.dtype',
      /expected dtype float64/,
    ],
    [
      'an unknown dtype',
      edit((f) => (f.params.scale.dtype = 'int8')),
      'params.scale.dtype',
      /expected "float32" or "float64"/,
    ],
    [
      'a non-number',
      edit((f) => (f.params.layers[0].w.data[3] = '4')),
      'params.layers[0].w.data[3]',
      /expected a number .* got "4"/,
    ],
    ['a null', edit((f) => (f.params.layers[0].b.data[0] = null)), 'params.layers[0].b.data[0]', /got null/],
    [
      'a data length mismatch',
      edit((f) => f.params.layers[0].b.data.pop()),
      'params.layers[0].b.data',
      /has 1 values but shape \[2\] needs 2/,
    ],
    ['a missing array entry', edit((f) => f.params.layers.pop()), 'params.layers[0]', /missing entry/],
    [
      'an extra array entry',
      edit((f) => f.params.layers.push(f.params.layers[0])),
      'params.layers[1]',
      /unexpected entry/,
    ],
    [
      'a bad dimension',
      edit((f) => (f.params.scale.shape = [-1])),
      'params.scale.shape[0]',
      /non-negative integer, got -1/,
    ],
    ['a non-object file', [1, 2], '', /expected a nabla-params file object/],
  ]
  for (const [name, input, path, message] of cases)
    it(name, () => {
      const error = errorOf(decodeParams(input, params, 'loadParams'))
      expect(error.path).toBe(path)
      expect(error.message).toMatch(message)
      expect(error.message.startsWith('loadParams: ')).toBe(true)
    })

  it('float32 overflow and oversized shapes are rejected, not rounded to Infinity or allocated', () => {
    const overflow = errorOf(decodeParams(edit((f) => (f.params.layers[0].b.data[1] = 1e39))))
    expect(overflow.path).toBe('params.layers[0].b.data[1]')
    expect(overflow.message).toMatch(/overflows float32/)
    expect(errorOf(paramsFromJSON(text.replace('[0.5,-0.5]', '[0.5,1e999]'))).message).toMatch(
      /overflows float32/,
    )
    const huge = errorOf(decodeParams(edit((f) => (f.params.scale.shape = [65536, 65536, 65536]))))
    expect(huge.path).toBe('params.scale.shape')
  })
  it('malformed JSON reports its position', () => {
    const cut = errorOf(paramsFromJSON(text.slice(0, 40)))
    expect(cut.message).toMatch(/malformed JSON at position 40 \(line 1, column 41\)/)
    const token = errorOf(paramsFromJSON('{"format":"nabla-params",\n"version":}'))
    expect(token.message).toMatch(/malformed JSON at position 36 \(line 2, column 11\): Unexpected token/)
  })
  it('deep nesting is a DecodeError, not a stack overflow', () => {
    const deep = `{"format":"nabla-params","version":1,"params":${'['.repeat(5000)}${']'.repeat(5000)}}`
    expect(errorOf(paramsFromJSON(deep)).message).toMatch(/nested deeper than 64 levels/)
  })
  it('only DecodeErrors come out of random and truncated input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.nat({ max: text.length - 1 }).map((n) => text.slice(0, n)),
          fc.json(),
        ),
        (input) => {
          expect(E.isLeft(paramsFromJSON(input, params))).toBe(true)
          const loose = paramsFromJSON(input)
          if (E.isLeft(loose)) expect(loose.left).toBeInstanceOf(DecodeError)
        },
      ),
      { seed: 702, numRuns: 500 },
    )
  })
})

describe('encoding', () => {
  it('rejects trees with non-tensor leaves', () => {
    expect(() => paramsToJSON({ w: [1, 2] } as never)).toThrow(ArgumentError)
  })
})
