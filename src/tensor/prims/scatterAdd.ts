/**
 * `scatterAdd(values, indices, axis, shape)`: a zero tensor of `shape` into which the slices of
 * `values` are added along `axis` at integer `indices` (repeats accumulate): the transpose of
 * `gather`, and its gradient is `gather`.
 *
 * @module prims/scatterAdd
 */
import { allocate } from '../dtype.js'
import { formatShape, ShapeError } from '../errors.js'
import { kernels } from '../kernels/index.js'
import { definePrim } from '../prim.js'
import { type Shape, shapesEqual, sizeOf } from '../shape.js'
import { makeTensor, storage } from '../tensor.js'
import { checkIndices } from './indices.js'

export const scatterAddPrim = definePrim<{ readonly axis: number; readonly shape: Shape }>({
  name: 'scatterAdd',
  infer: ([values, indices], { axis, shape }) => {
    checkIndices('scatterAdd', indices!, shape[axis]!)
    const expected = [...shape.slice(0, axis), ...indices!.shape, ...shape.slice(axis + 1)]
    if (!shapesEqual(values!.shape, expected))
      throw new ShapeError(
        'scatterAdd',
        `values has shape ${formatShape(values!.shape)} but indices ${formatShape(indices!.shape)} into ${formatShape(shape)} along axis ${axis} need ${formatShape(expected)}`,
      )
    return { shape, dtype: values!.dtype }
  },
  forward: ([values, indices], { axis }, { shape, dtype }) => {
    const out = allocate(dtype, sizeOf(shape))
    kernels().scatterAdd(storage(values!), storage(indices!), axis, shape, out)
    return out
  },
  vjp: (ops, ct, _out, [, indices], { axis }) => [ops.gather(ct, indices!, axis), null],
  domain: (t) =>
    t.shape({ minRank: 1, minDim: 1 }).chain((shape) =>
      t.fc
        .tuple(t.fc.integer({ min: 0, max: shape.length - 1 }), t.fc.array(t.fc.nat(), { maxLength: 5 }))
        .chain(([axis, raw]) => {
          const indices = raw.map((r) => r % shape[axis]!)
          const valuesShape = [...shape.slice(0, axis), indices.length, ...shape.slice(axis + 1)]
          return t.tensor(valuesShape, { min: -3, max: 3 }).map((values) => ({
            inputs: [values, makeTensor([indices.length], 'float64', Float64Array.from(indices))],
            params: { axis, shape },
            wrt: [0],
          }))
        }),
    ),
})
