/**
 * Issue 6, point 1: bad input gets a typed `NablaError` of the right class, naming the op, the
 * argument and the offending value or shapes, thrown before any work — the inputs are unchanged
 * and nothing but that error escapes. The cases are listed in `bad-input.cases.ts`.
 */
import { describe, expect, it } from 'vitest'
import {
  fromArrayOrThrow,
  isTensor,
  NablaError,
  type Tensor,
  tensor,
  toFlat,
  zeros,
} from '../../src/index.js'
import { storage } from '../../src/tensor/internal.js'
import { badFileCases } from './bad-files.cases.js'
import { badInputCases } from './bad-input.cases.js'

/** A bit-exact snapshot of a tensor's storage, or a structural one of a plain value. */
const snapshot = (value: unknown): string =>
  isTensor(value)
    ? `${value.dtype}${JSON.stringify(value.shape)}:${Array.from(
        new Uint8Array(storage(value).buffer, storage(value).byteOffset, storage(value).byteLength),
      ).join(',')}`
    : JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))

describe('bad input is a typed NablaError naming the op, the argument and the values', () => {
  for (const c of [...badInputCases, ...badFileCases])
    it(c.name, () => {
      const before = (c.inputs ?? []).map(snapshot)
      let caught: unknown
      let returned: unknown
      try {
        returned = c.run()
      } catch (e) {
        caught = e
      }
      expect(returned, 'the call returned instead of throwing').toBeUndefined()
      expect(caught).toBeInstanceOf(NablaError)
      const error = caught as NablaError
      // the exact class, not merely some NablaError
      expect(error.constructor.name).toBe(c.error.name)
      expect(error).toBeInstanceOf(c.error)
      expect(error.name).toBe(c.error.name)
      expect(error.op).toBe(c.op)
      expect(error.message.startsWith(`${c.op}: `)).toBe(true)
      for (const m of c.mentions) expect(error.message).toContain(m)
      expect((c.inputs ?? []).map(snapshot)).toEqual(before)
    })
})

describe('valid edge cases are not rejected', () => {
  it('size-0 dimensions are valid shapes', () => {
    expect(zeros([0, 3]).shape).toEqual([0, 3])
    expect(fromArrayOrThrow([], [2, 0]).size).toBe(0)
    expect(tensor([]).shape).toEqual([0])
    expect(tensor([[], []]).shape).toEqual([2, 0])
  })

  it('NaN and ±Infinity are numbers: tensors may hold them', () => {
    expect(toFlat(tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]))).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ])
  })
})

describe("constructors never keep a reference to the caller's buffer", () => {
  it('fromArray copies a Float32Array and takes its dtype; changing the source later changes nothing', () => {
    const source = new Float32Array([1, 2, 3, 4])
    const t = fromArrayOrThrow(source, [2, 2])
    source[0] = 99
    source.fill(7)
    expect(t.dtype).toBe('float32')
    expect(toFlat(t)).toEqual([1, 2, 3, 4])
  })

  it('fromArray copies a Float64Array (dtype float64) and a number array', () => {
    const wide = new Float64Array([0.1, 0.2])
    const t64: Tensor = fromArrayOrThrow(wide, [2])
    wide[1] = -1
    expect(t64.dtype).toBe('float64')
    expect(toFlat(t64)).toEqual([0.1, 0.2])
    const plain = [1, 2, 3]
    const t = fromArrayOrThrow(plain, [3])
    plain[0] = 50
    expect(toFlat(t)).toEqual([1, 2, 3])
  })

  it('tensor copies nested arrays, and a float64 request of number data is an explicit conversion', () => {
    const rows = [
      [1, 2],
      [3, 4],
    ]
    const t = tensor(rows, { dtype: 'float64' })
    rows[0]![0] = 100
    expect(toFlat(t)).toEqual([1, 2, 3, 4])
  })

  it('the storage of a tensor is not the buffer a reader hands out', () => {
    const t = tensor([1, 2, 3])
    const flat = toFlat(t)
    flat[0] = 42
    expect(toFlat(t)).toEqual([1, 2, 3])
  })
})
