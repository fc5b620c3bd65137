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
import { moveAxis, offsetIndices } from './batching.js'
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
  batch: (ops, [x, indices], [xBatched, indicesBatched], { axis }) => {
    if (!indicesBatched) return ops.gather(x!, indices!, axis + 1)
    // the batch axis lands where the indices go: move it to the front
    if (!xBatched) return moveAxis(ops, ops.gather(x!, indices!, axis), axis, 0)
    // both batched: fold the batch into the indexed axis, offset each example's indices into its
    // own block, gather once, and move the index axes back after the example's leading axes
    const length = x!.shape[axis + 1]!
    const rest = x!.shape.filter((_, j) => j !== 0 && j !== axis + 1)
    const folded = ops.reshape(moveAxis(ops, x!, axis + 1, 1), [x!.shape[0]! * length, ...rest])
    const picked = ops.gather(folded, offsetIndices(ops, indices!, length), 0)
    const indexRank = indices!.shape.length - 1
    const lead = (n: number, from: number) => Array.from({ length: n }, (_, j) => from + j)
    return ops.transpose(picked, [
      0,
      ...lead(axis, 1 + indexRank),
      ...lead(indexRank, 1),
      ...lead(picked.shape.length - 1 - indexRank - axis, 1 + indexRank + axis),
    ])
  },
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
