/**
 * `pad(x, widths)`: surrounds `x` with zeros, `widths[i] = [before, after]` along axis i. Its
 * gradient slices the cotangent back.
 *
 * @module prims/pad
 */
import { allocate } from '../dtype.js'
import { kernels } from '../kernels/index.js'
import { definePrim } from '../prim.js'
import { sizeOf } from '../shape.js'
import { storage } from '../tensor.js'

/**
 * Zeros added before and after each axis, one `[before, after]` pair per axis.
 * @example
 * import { ones, type PadWidths, pad } from 'nabla'
 * const widths: PadWidths = [[1, 2]]
 * pad(ones([2]), widths).shape // [5]
 */
export type PadWidths = readonly (readonly [number, number])[]

export const padPrim = definePrim<{ readonly widths: PadWidths }>({
  name: 'pad',
  infer: ([x], { widths }) => ({
    shape: x!.shape.map((d, i) => widths[i]![0] + d + widths[i]![1]),
    dtype: x!.dtype,
  }),
  forward: ([x], { widths }, { shape, dtype }) => {
    const out = allocate(dtype, sizeOf(shape))
    kernels().pad(
      storage(x!),
      x!.shape,
      widths.map((w) => w[0]),
      out,
      shape,
    )
    return out
  },
  vjp: (ops, ct, _out, [x], { widths }) => [
    ops.slice(
      ct,
      widths.map((w) => w[0]),
      widths.map((w, i) => w[0] + x!.shape[i]!),
    ),
  ],
  batch: (ops, [x], _batched, { widths }) => ops.pad(x!, [[0, 0], ...widths]),
  domain: (t) =>
    t
      .shape()
      .chain((shape) =>
        t.fc.tuple(
          t.tensor(shape, { min: -3, max: 3 }),
          t.fc.tuple(
            ...shape.map(() =>
              t.fc.tuple(t.fc.integer({ min: 0, max: 2 }), t.fc.integer({ min: 0, max: 2 })),
            ),
          ),
        ),
      )
      .map(([x, widths]) => ({ inputs: [x], params: { widths } })),
})
