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
import { batchedInput, moveAxis, offsetIndices } from './batching.js'
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
  batch: (ops, [values, indices], [valuesBatched, indicesBatched], { axis, shape }, size) => {
    if (!indicesBatched) return ops.scatterAdd(values!, indices!, axis + 1, [size, ...shape])
    // batched indices: fold the batch into the target axis, offset each example's indices into its
    // own block, scatter once, and unfold
    const v = batchedInput(ops, values!, valuesBatched!, size)
    const indexRank = indices!.shape.length - 1
    const lead = (n: number, from: number) => Array.from({ length: n }, (_, j) => from + j)
    const indexFirst = ops.transpose(v, [
      0,
      ...lead(indexRank, 1 + axis),
      ...lead(axis, 1),
      ...lead(v.shape.length - 1 - axis - indexRank, 1 + axis + indexRank),
    ])
    const length = shape[axis]!
    const rest = shape.filter((_, j) => j !== axis)
    const folded = ops.scatterAdd(indexFirst, offsetIndices(ops, indices!, length), 0, [
      size * length,
      ...rest,
    ])
    return moveAxis(ops, ops.reshape(folded, [size, length, ...rest]), 1, 1 + axis)
  },
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
