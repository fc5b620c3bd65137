/**
 * `broadcastTo(x, shape)`: repeats `x` along size-1 and missing leading dimensions to `shape`
 * (NumPy rules). The engine sums the cotangent back down to `x`'s shape.
 *
 * @module prims/broadcastTo
 */
import { allocate } from '../dtype.js'
import { formatShape, ShapeError } from '../errors.js'
import { kernels } from '../kernels/index.js'
import { definePrim } from '../prim.js'
import { broadcastShapes, type Shape, shapesEqual, sizeOf } from '../shape.js'
import { storage } from '../tensor.js'

export const broadcastToPrim = definePrim<{ readonly shape: Shape }>({
  name: 'broadcastTo',
  infer: ([x], { shape }) => {
    const ok =
      x!.shape.length <= shape.length && shapesEqual(broadcastShapes('broadcastTo', x!.shape, shape), shape)
    if (!ok)
      throw new ShapeError(
        'broadcastTo',
        `cannot broadcast ${formatShape(x!.shape)} to ${formatShape(shape)}`,
      )
    return { shape, dtype: x!.dtype }
  },
  forward: ([x], { shape }, { dtype }) => {
    const out = allocate(dtype, sizeOf(shape))
    kernels().broadcastTo(storage(x!), x!.shape, out, shape)
    return out
  },
  vjp: (_ops, ct) => [ct],
  // the example's missing leading axes become 1s after the batch axis, then everything broadcasts
  batch: (ops, [x], _batched, { shape }, size) =>
    ops.broadcastTo(
      ops.reshape(x!, [
        size,
        ...new Array<number>(shape.length - (x!.shape.length - 1)).fill(1),
        ...x!.shape.slice(1),
      ]),
      [size, ...shape],
    ),
  domain: (t) =>
    t
      .shape({ maxRank: 2 })
      .chain((shape) =>
        t.fc.tuple(
          t.tensor(shape, { min: -3, max: 3 }),
          t.fc.array(t.fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
          t.fc.array(t.fc.integer({ min: 1, max: 3 }), { minLength: shape.length, maxLength: shape.length }),
        ),
      )
      .map(([x, lead, sizes]) => ({
        inputs: [x],
        params: { shape: [...lead, ...x.shape.map((d, i) => (d === 1 ? sizes[i]! : d))] },
      })),
})
