/**
 * Printing: NumPy-style text (header, aligned columns, elision of large tensors), the exact
 * reproducible source form (what fast-check prints), util.inspect, and the JSON form read back.
 */
import { inspect } from 'node:util'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  DecodeError,
  formatTensor,
  fromArrayOrThrow,
  fromJSON,
  tensor,
  tensorSource,
  toTypedArray,
  zeros,
} from '../../src/index.js'
import { arbDType, arbShape } from '../support/arbitraries.js'

const bits = (t: AnyTensor): number[] => Array.from(new Uint8Array(toTypedArray(t).buffer))

/** Any float64 values (NaN, ±0, ±Infinity, subnormals), for the given size. */
const arbValues = (size: number) => fc.float64Array({ minLength: size, maxLength: size })

const arbAnyTensor = arbShape({ maxRank: 4, maxDim: 4 }).chain((shape) =>
  fc
    .tuple(arbValues(shape.reduce((a, b) => a * b, 1)), arbDType)
    .map(([data, dtype]) =>
      fromArrayOrThrow(dtype === 'float64' ? data : Float32Array.from(data), shape, { dtype }),
    ),
)

const rebuild = (source: string): AnyTensor =>
  new Function('tensor', 'zeros', `return ${source}`)(tensor, zeros) as AnyTensor

describe('formatTensor and toString', () => {
  it('print a header with shape and dtype, then the values NumPy-style', () => {
    expect(
      formatTensor(
        tensor([
          [1, 2.5],
          [3, -4],
        ]),
      ),
    ).toBe('Tensor<[2,2], float32>\n[[ 1. ,  2.5],\n [ 3. , -4. ]]')
    expect(String(tensor([[[1, 2]], [[3, 4]]]))).toBe('Tensor<[2,1,2], float32>\n[[[1, 2]],\n\n [[3, 4]]]')
    expect(String(tensor(7, { dtype: 'float64' }))).toBe('Tensor<[], float64>\n7')
    expect(String(tensor([NaN, Infinity, -Infinity, 0.5]))).toBe(
      'Tensor<[4], float32>\n[ nan,  inf, -inf,  0.5]',
    )
    expect(String(tensor([1e-9, 1]))).toContain('1.0000e-9')
  })

  it('show every value of a tensor up to the threshold, in row-major order', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 4, maxDim: 5 }).chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.array(fc.integer({ min: -99, max: 99 }), { minLength: 625, maxLength: 625 }),
          ),
        ),
        ([shape, pool]) => {
          const size = shape.reduce((a, b) => a * b, 1)
          const t = fromArrayOrThrow(pool.slice(0, size), shape)
          const body = formatTensor(t).split('\n').slice(1).join('\n')
          expect((body.match(/-?\d+/g) ?? []).map(Number)).toEqual(pool.slice(0, size))
          expect(body).not.toContain('...')
        },
      ),
      { seed: 0xf0a1, numRuns: 100 },
    )
  })

  it('elide the middle of each axis of a large tensor: ends shown, at most 7 rows', () => {
    const t = fromArrayOrThrow(
      Array.from({ length: 40 * 50 }, (_, i) => i),
      [40, 50],
    )
    const lines = String(t).split('\n')
    expect(lines[0]).toBe('Tensor<[40,50], float32>')
    expect(lines.slice(1)).toHaveLength(7)
    expect(lines[1]).toBe('[[   0,    1,    2, ...,   47,   48,   49],')
    expect(lines[4]).toBe(' ...,')
    expect(lines[7]).toBe(' [1950, 1951, 1952, ..., 1997, 1998, 1999]]')
    expect(formatTensor(t, { threshold: 5000 }).split('\n')).toHaveLength(41)
  })

  it('util.inspect (console.log) prints the same text', () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ])
    expect(inspect(t)).toBe(String(t))
    expect(inspect({ t })).toContain('[[1, 2],')
  })
})

describe('tensorSource and fast-check counterexamples', () => {
  it('tensorSource rebuilds any tensor bit for bit (NaN, -0, infinities, subnormals, size-0 shapes)', () => {
    fc.assert(
      fc.property(arbAnyTensor, (t) => {
        const back = rebuild(tensorSource(t))
        expect(back.shape).toEqual(t.shape)
        expect(back.dtype).toBe(t.dtype)
        expect(bits(back)).toEqual(bits(t))
      }),
      { seed: 0xf0a2, numRuns: 150 },
    )
  })

  it('a failing property reports its tensor as code that reproduces it', () => {
    const result = fc.check(
      fc.property(fc.constant(tensor([0.1, -0], { dtype: 'float64' })), (t) => t.size === 0),
      { seed: 1, numRuns: 1 },
    )
    expect(result.failed).toBe(true)
    expect(fc.defaultReportMessage(result)).toContain(
      "Counterexample: [tensor([0.1, -0], { dtype: 'float64' })]",
    )
  })
})

describe('toJSON and fromJSON', () => {
  it('JSON.stringify writes { dtype, shape, data } that fromJSON reads back exactly', () => {
    fc.assert(
      fc.property(arbAnyTensor, (t) => {
        const json = JSON.parse(JSON.stringify({ t }))
        expect(Object.keys(json.t).sort()).toEqual(['data', 'dtype', 'shape'])
        const back = fromJSON(json.t)
        if (E.isLeft(back)) throw back.left
        expect(back.right.shape).toEqual(t.shape)
        expect(back.right.dtype).toBe(t.dtype)
        // JSON numbers keep every float64 except -0 (written as 0)
        expect(Array.from(toTypedArray(back.right), (v) => (Object.is(v, -0) ? 0 : v))).toEqual(
          Array.from(toTypedArray(t), (v) => (Object.is(v, -0) ? 0 : v)),
        )
      }),
      { seed: 0xf0a3, numRuns: 150 },
    )
  })

  it('fromJSON rejects bad input with a DecodeError naming the field', () => {
    const bad = fromJSON({ dtype: 'float32', shape: [2], data: [1, 'x'] })
    expect(E.isLeft(bad) && bad.left).toBeInstanceOf(DecodeError)
    expect(E.isLeft(bad) && bad.left.message).toMatch(/^fromJSON: data\[1\]/)
    const short = fromJSON({ dtype: 'float32', shape: [3], data: [1] })
    expect(E.isLeft(short) && short.left.message).toContain('data has 1 values but shape [3] needs 3')
  })
})
