/**
 * Reading tensors out: nested arrays, flat copies (typed arrays at memory speed, or numbers), single numbers, and `argmax` (which has no
 * gradient, so it reads values directly). Every reader returns a copy.
 *
 * @module io/readers
 */

import { type FormatOptions, formatValues, sourceOf } from '../format/index.js'
import { beforeLargeStorage } from '../platform/index.js'
import type { CheckAxis, Nested, Reduce } from '../shapes/index.js'
import {
  type AnyTensor,
  ArgumentError,
  allocate,
  type DType,
  formatShape,
  makeTensor,
  normalizeAxis,
  placeholderOf,
  type Shape,
  type Storage,
  storage,
  type Tensor,
} from '../tensor/internal.js'
import { readable } from './readable.js'

/**
 * The values as nested arrays (a number for a scalar).
 * @example
 * import { tensor, toArray } from 'nabla'
 * toArray(tensor([[1, 2], [3, 4]])) // [[1, 2], [3, 4]]
 */
export const toArray = <S extends Shape>(t: AnyTensor<S>): Nested<S> => {
  const data = readable('toArray', t)
  const build = (depth: number, offset: number, stride: number): unknown => {
    if (depth === t.shape.length) return data[offset]
    const n = t.shape[depth]!
    const inner = stride / Math.max(n, 1)
    return Array.from({ length: n }, (_, i) => build(depth + 1, offset + i * inner, inner))
  }
  return build(0, 0, t.size) as Nested<S>
}

/**
 * The values as a flat row-major `number[]` (a copy).
 * @example
 * import { tensor, toFlat } from 'nabla'
 * toFlat(tensor([[1, 2], [3, 4]])) // [1, 2, 3, 4]
 */
export const toFlat = (t: AnyTensor): number[] => {
  const data = readable('toFlat', t)
  // a sized array filled by index: 3-4x faster than Array.from's iterator on a typed array
  const out = new Array<number>(data.length)
  for (let i = 0; i < data.length; i++) out[i] = data[i]!
  return out
}

/**
 * The values as a flat row-major typed array of the tensor's dtype (`Float32Array` for float32,
 * `Float64Array` for float64): a copy made with one block copy, so it runs at memory speed. The
 * fast way to get data out (`toFlat` builds a `number[]` element by element).
 * @example
 * import { tensor, toTypedArray } from 'nabla'
 * const values: Float32Array = toTypedArray(tensor([[1, 2], [3, 4]])) // Float32Array [1, 2, 3, 4]
 */
export const toTypedArray = <D extends DType>(t: Tensor<Shape, D>): Storage<D> => {
  const data = readable('toTypedArray', t)
  beforeLargeStorage(data.byteLength)
  return data.slice() as Storage<D>
}

/**
 * The values as text, NumPy-style: `Tensor<[2,3], float32>` on the first line, then the values in
 * nested brackets, aligned in columns (what `String(t)` and `console.log(t)` show). Tensors above
 * `threshold` elements (default 1,000) show the first and last `edgeItems` (default 3) along each
 * axis with `...` between.
 * @example
 * import { formatTensor, tensor } from 'nabla'
 * formatTensor(tensor([[1, 2.5], [3, 4]]))
 * // Tensor<[2,2], float32>
 * // [[1. , 2.5],
 * //  [3. , 4. ]]
 */
export const formatTensor = (t: AnyTensor, options?: FormatOptions): string =>
  placeholderOf(t) === undefined
    ? formatValues({ shape: t.shape, dtype: t.dtype, data: storage(t) }, options)
    : String(t)

/**
 * Source code that rebuilds the tensor exactly (each value in its shortest round-trip form, `-0`,
 * NaN and infinities included): `tensor([[1, 2], [3, 4]], { dtype: 'float32' })`. fast-check prints
 * a tensor in a counterexample this way, so a failure can be pasted back as a test.
 * @example
 * import { tensor, tensorSource } from 'nabla'
 * tensorSource(tensor([0.5, -0], { dtype: 'float64' })) // "tensor([0.5, -0], { dtype: 'float64' })"
 */
export const tensorSource = (t: AnyTensor): string =>
  sourceOf({ shape: t.shape, dtype: t.dtype, data: readable('tensorSource', t) })

/**
 * The single value of a tensor with one element.
 * @example
 * import { item, scalar } from 'nabla'
 * item(scalar(3)) // 3
 */
export const item = (t: AnyTensor): number => {
  if (t.size !== 1)
    throw new ArgumentError(
      'item',
      `needs a tensor with exactly one element, got shape ${formatShape(t.shape)} (${t.size} elements)`,
    )
  return readable('item', t)[0]!
}

/**
 * Indices of the maximum along an axis (first on ties; NaN counts as the maximum). No gradient.
 * @example
 * import { argmax, tensor } from 'nabla'
 * argmax(tensor([[1, 9, 3], [7, 2, 0]]), 1) // [1, 0]
 */
export const argmax = <S extends Shape, D extends DType, const A extends number = -1>(
  t: Tensor<S, D>,
  axis?: A & CheckAxis<S, A>,
): Tensor<Reduce<S, A, false>, D> => {
  const a = normalizeAxis('argmax', (axis as number | undefined) ?? -1, t.shape.length)
  const n = t.shape[a]!
  if (n === 0)
    throw new ArgumentError(
      'argmax',
      `cannot take the argmax over an empty axis of a tensor of shape ${formatShape(t.shape)}`,
    )
  const outer = t.shape.slice(0, a).reduce((x, y) => x * y, 1)
  const inner = t.shape.slice(a + 1).reduce((x, y) => x * y, 1)
  const data = readable('argmax', t)
  const out = allocate(t.dtype, outer * inner)
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let best = 0
      let bestValue = data[o * n * inner + i]!
      for (let k = 1; k < n && !Number.isNaN(bestValue); k++) {
        const v = data[(o * n + k) * inner + i]!
        if (v > bestValue || Number.isNaN(v)) {
          best = k
          bestValue = v
        }
      }
      out[o * inner + i] = best
    }
  return makeTensor(
    t.shape.filter((_, i) => i !== a),
    t.dtype,
    out,
  ) as never
}
