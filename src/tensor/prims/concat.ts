/**
 * `concat(xs, axis)`: joins tensors along an existing axis (other dimensions must agree). Its
 * gradient slices the cotangent into the pieces.
 *
 * @module prims/concat
 */
import { allocate } from '../dtype.js'
import { formatShape, ShapeError } from '../errors.js'
import { kernels } from '../kernels/index.js'
import { definePrim } from '../prim.js'
import { sizeOf } from '../shape.js'
import { storage } from '../tensor.js'
import { batchedInput } from './batching.js'
import { sameDType } from './elementwise.js'

export const concatPrim = definePrim<{ readonly axis: number }>({
  name: 'concat',
  infer: (xs, { axis }) => {
    const first = xs[0]!
    const names = xs.map((_, i) => `xs[${i}]`)
    let length = 0
    xs.forEach((x, i) => {
      const ok =
        x.shape.length === first.shape.length && x.shape.every((d, j) => j === axis || d === first.shape[j])
      if (!ok)
        throw new ShapeError(
          'concat',
          `xs[${i}] has shape ${formatShape(x.shape)} but xs[0] has ${formatShape(first.shape)}; only axis ${axis} may differ`,
        )
      length += x.shape[axis]!
    })
    const shape = first.shape.map((d, j) => (j === axis ? length : d))
    return { shape, dtype: sameDType('concat', xs, names) }
  },
  forward: (xs, { axis }, { shape, dtype }) => {
    const out = allocate(dtype, sizeOf(shape))
    kernels().concat(
      xs.map((x) => storage(x)),
      xs.map((x) => x.shape),
      axis,
      out,
    )
    return out
  },
  vjp: (ops, ct, _out, xs, { axis }) => {
    let offset = 0
    return xs.map((x) => {
      const begin = x.shape.map((_, j) => (j === axis ? offset : 0))
      const end = ct.shape.map((d, j) => (j === axis ? offset + x.shape[axis]! : d))
      offset += x.shape[axis]!
      return ops.slice(ct, begin, end)
    })
  },
  batch: (ops, xs, batched, { axis }, size) =>
    ops.concat(
      xs.map((x, i) => batchedInput(ops, x, batched[i]!, size)),
      axis + 1,
    ),
  domain: (t) =>
    t.shape({ minRank: 1 }).chain((shape) =>
      t.fc
        .tuple(
          t.fc.integer({ min: 0, max: shape.length - 1 }),
          t.fc.array(t.fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
        )
        .chain(([axis, lengths]) =>
          t.fc
            .tuple(
              ...lengths.map((l) =>
                t.tensor(
                  shape.map((d, j) => (j === axis ? l : d)),
                  { min: -3, max: 3 },
                ),
              ),
            )
            .map((xs) => ({ inputs: xs, params: { axis } })),
        ),
    ),
})
