/**
 * `slice(x, begin, end)`: the block `begin[i] <= index[i] < end[i]` along every axis (bounds are
 * validated by the op). Its gradient pads the cotangent back with zeros.
 *
 * @module prims/slice
 */
import { allocate } from '../dtype.js'
import { kernels } from '../kernels/index.js'
import { definePrim } from '../prim.js'
import { sizeOf } from '../shape.js'
import { storage } from '../tensor.js'

export const slicePrim = definePrim<{ readonly begin: readonly number[]; readonly end: readonly number[] }>({
  name: 'slice',
  infer: ([x], { begin, end }) => ({ shape: x!.shape.map((_, i) => end[i]! - begin[i]!), dtype: x!.dtype }),
  forward: ([x], { begin }, { shape, dtype }) => {
    const out = allocate(dtype, sizeOf(shape))
    kernels().slice(storage(x!), x!.shape, begin, out, shape)
    return out
  },
  vjp: (ops, ct, _out, [x], { begin, end }) => [
    ops.pad(
      ct,
      begin.map((b, i) => [b, x!.shape[i]! - end[i]!] as const),
    ),
  ],
  batch: (ops, [x], _batched, { begin, end }, size) => ops.slice(x!, [0, ...begin], [size, ...end]),
  domain: (t) =>
    t
      .shape({ minRank: 1 })
      .chain((shape) =>
        t.fc.tuple(
          t.tensor(shape, { min: -3, max: 3 }),
          t.fc.tuple(
            ...shape.map((d) =>
              t.fc.tuple(t.fc.integer({ min: 0, max: d }), t.fc.integer({ min: 0, max: d })),
            ),
          ),
        ),
      )
      .map(([x, bounds]) => ({
        inputs: [x],
        params: {
          begin: bounds.map(([p, q]) => Math.min(p, q)),
          end: bounds.map(([p, q]) => Math.max(p, q)),
        },
      })),
})
