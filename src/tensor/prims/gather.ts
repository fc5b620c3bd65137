/**
 * `gather(x, indices, axis)`: picks slices of `x` along `axis` at integer `indices` (any shape);
 * the result's shape is `x.shape[:axis] + indices.shape + x.shape[axis+1:]`. Its gradient
 * scatter-adds the cotangent back, so repeated indices accumulate.
 *
 * @module prims/gather
 */
import { allocate } from '../dtype.js'
import { kernels } from '../kernels/index.js'
import { definePrim } from '../prim.js'
import { sizeOf } from '../shape.js'
import { makeTensor, storage } from '../tensor.js'
import { checkIndices } from './indices.js'

export const gatherPrim = definePrim<{ readonly axis: number }>({
  name: 'gather',
  infer: ([x, indices], { axis }) => {
    checkIndices('gather', indices!, x!.shape[axis]!)
    return {
      shape: [...x!.shape.slice(0, axis), ...indices!.shape, ...x!.shape.slice(axis + 1)],
      dtype: x!.dtype,
    }
  },
  forward: ([x, indices], { axis }, { shape, dtype }) => {
    const out = allocate(dtype, sizeOf(shape))
    kernels().gather(storage(x!), x!.shape, storage(indices!), axis, out)
    return out
  },
  vjp: (ops, ct, _out, [x, indices], { axis }) => [ops.scatterAdd(ct, indices!, axis, x!.shape), null],
  domain: (t) =>
    t
      .shape({ minRank: 1, minDim: 1 })
      .chain((shape) =>
        t.fc.tuple(
          t.tensor(shape, { min: -3, max: 3 }),
          t.fc.integer({ min: 0, max: shape.length - 1 }),
          t.fc.array(t.fc.nat(), { maxLength: 5 }),
        ),
      )
      .map(([x, axis, raw]) => ({
        inputs: [
          x,
          makeTensor(
            [raw.length],
            'float64',
            Float64Array.from(raw, (r) => r % x.shape[axis]!),
          ),
        ],
        params: { axis },
        wrt: [0],
      })),
})
