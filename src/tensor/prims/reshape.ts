/**
 * `reshape(x, shape)`: the same elements in row-major order under another shape of equal size
 * (`-1` is resolved by the op before the primitive sees it).
 *
 * @module prims/reshape
 */
import { formatShape, ShapeError } from '../errors.js'
import { definePrim } from '../prim.js'
import { type Shape, sizeOf } from '../shape.js'
import { storage } from '../tensor.js'

export const reshapePrim = definePrim<{ readonly shape: Shape }>({
  name: 'reshape',
  infer: ([x], { shape }) => {
    if (sizeOf(shape) !== x!.size)
      throw new ShapeError(
        'reshape',
        `cannot reshape ${formatShape(x!.shape)} (${x!.size} elements) to ${formatShape(shape)} (${sizeOf(shape)} elements)`,
      )
    return { shape, dtype: x!.dtype }
  },
  // storage is never written after creation, so the reshaped tensor shares it
  forward: ([x]) => storage(x!),
  vjp: (ops, ct, _out, [x]) => [ops.reshape(ct, x!.shape)],
  batch: (ops, [x], _batched, { shape }, size) => ops.reshape(x!, [size, ...shape]),
  domain: (t) =>
    t
      .shape()
      .chain((shape) => t.fc.tuple(t.tensor(shape, { min: -3, max: 3 }), t.fc.boolean()))
      .map(([x, flat]) => ({ inputs: [x], params: { shape: flat ? [x.size] : [1, ...x.shape, 1] } })),
})
