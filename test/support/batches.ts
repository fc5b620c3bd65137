/**
 * Helpers for the batching (`vmap`) tests: building a batch from examples along any axis, and
 * comparing a batched result with the stacked per-example results.
 */
import { expect } from 'vitest'
import { toFlat } from '../../src/io/index.js'
import { type AnyTensor, formatShape, makeTensor, stack, storage } from '../../src/tensor/internal.js'

/** mulberry32: a small seeded uniform generator. */
export const uniforms = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The elements of `x` in a random order (seeded). Every per-element constraint of a domain (range,
 * distance from kinks, distinctness, valid indices) holds for the permuted tensor too.
 */
export const permuted = (x: AnyTensor, seed: number): AnyTensor => {
  const data = storage(x).slice()
  const next = uniforms(seed)
  for (let i = data.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    const t = data[i]!
    data[i] = data[j]!
    data[j] = t
  }
  return makeTensor(x.shape, x.dtype, data)
}

/** Stacks examples along `axis` (the batch of zero examples of `shape` too). */
export const batchOf = (
  examples: readonly AnyTensor[],
  axis: number,
  shape: readonly number[],
  dtype: AnyTensor['dtype'],
): AnyTensor => {
  if (examples.length > 0) return stack(examples, axis)
  const batched = [...shape]
  batched.splice(axis, 0, 0)
  return makeTensor(batched, dtype, dtype === 'float64' ? new Float64Array(0) : new Float32Array(0))
}

/**
 * Expects `actual` to have `expected`'s shape and dtype and the same values up to `tolerance`
 * (relative to max(1, |expected|)); NaN must meet NaN and ±Infinity the same infinity.
 */
export const expectClose = (actual: AnyTensor, expected: AnyTensor, tolerance = 1e-12, what = ''): void => {
  expect(formatShape(actual.shape), `${what} shape`).toBe(formatShape(expected.shape))
  expect(actual.dtype, `${what} dtype`).toBe(expected.dtype)
  const a = toFlat(actual)
  const e = toFlat(expected)
  const bad = a.findIndex((v, i) => {
    const w = e[i]!
    if (Number.isNaN(w) || !Number.isFinite(w))
      return !Object.is(v, w) && !(Number.isNaN(v) && Number.isNaN(w))
    return !(Math.abs(v - w) <= tolerance * Math.max(1, Math.abs(w)))
  })
  if (bad >= 0) expect.fail(`${what} differs at flat index ${bad}: ${a[bad]} instead of ${e[bad]}`)
}
