/**
 * fast-check generators of parameter trees for the serialisation tests, and a bit-level equality
 * of trees.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import type { ParamTree } from '../../../src/models/serialize/tree.js'
import { fromArrayOrThrow, isTensor, type Tensor } from '../../../src/tensor/index.js'
import { storage } from '../../../src/tensor/tensor.js'

const special = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  5e-324,
  Number.MAX_VALUE,
]

/** A float32 or float64 tensor of rank 0–3 with values that include NaN, ±Infinity, −0 and extremes. */
export const arbTensor: fc.Arbitrary<Tensor> = fc
  .tuple(
    fc.constantFrom('float32', 'float64' as const),
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
  )
  .chain(([dtype, shape]) => {
    const size = shape.reduce((a, b) => a * b, 1)
    const value =
      dtype === 'float32'
        ? fc.oneof(fc.float(), fc.constantFrom(...special.map(Math.fround)))
        : fc.oneof(fc.double(), fc.constantFrom(...special))
    return fc
      .array(value, { minLength: size, maxLength: size })
      .map((values) =>
        fromArrayOrThrow(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), shape),
      )
  })

/** Parameter trees with keys from `key` (records, arrays and tensors, up to depth 3). */
export const arbTree = (key: fc.Arbitrary<string>, minChildren = 0): fc.Arbitrary<ParamTree> =>
  fc.letrec<{ tree: ParamTree; node: ParamTree }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, arbTensor, tie('node')),
    node: fc.oneof(
      fc.array(tie('tree'), { minLength: minChildren, maxLength: 3 }),
      fc.dictionary(key, tie('tree'), { minKeys: minChildren, maxKeys: 3 }),
    ),
  })).node

/** Keys safetensors can write: non-empty, no dots, not purely an index. */
export const safeKey = fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/)

/** Asserts two trees have the same structure, shapes, dtypes and bit-identical values. */
export const expectSameTree = (
  actual: unknown,
  expected: unknown,
  path = 'params',
  bitsOfNaN = false,
): void => {
  if (isTensor(expected)) {
    expect(isTensor(actual), `${path} is a tensor`).toBe(true)
    const a = actual as Tensor
    expect([a.dtype, a.shape], path).toEqual([expected.dtype, expected.shape])
    const x = storage(a)
    const y = storage(expected)
    for (let i = 0; i < y.length; i++)
      expect(Object.is(x[i], y[i]), `${path}[${i}]: ${x[i]} vs ${y[i]}`).toBe(true)
    if (bitsOfNaN)
      expect(
        Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(
          Buffer.from(y.buffer, y.byteOffset, y.byteLength),
        ),
      ).toBe(true)
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true)
    expect((actual as unknown[]).length, path).toBe(expected.length)
    expected.forEach((e, i) => {
      expectSameTree((actual as unknown[])[i], e, `${path}[${i}]`, bitsOfNaN)
    })
  } else {
    const record = expected as Record<string, unknown>
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(record).sort())
    for (const k of Object.keys(record))
      expectSameTree((actual as Record<string, unknown>)[k], record[k], `${path}.${k}`, bitsOfNaN)
  }
}
