/**
 * `where(condition, a, b)`: picks `a` where the condition is non-zero and `b` elsewhere, with all
 * three broadcast together. The gradient flows only into the branch taken, so a NaN or Infinity
 * in the branch not taken never leaks into the gradient.
 *
 * @module prims/where
 */
import { allocate } from '../dtype.js'
import { kernels } from '../kernels/index.js'
import { definePrim, type Prim } from '../prim.js'
import { broadcastShapes, sizeOf } from '../shape.js'
import { storage } from '../tensor.js'
import { batchElementwise, sameDType } from './elementwise.js'

export const wherePrim: Prim<undefined> = definePrim<undefined>({
  name: 'where',
  infer: ([c, a, b]) => ({
    shape: broadcastShapes('where', broadcastShapes('where', c!.shape, a!.shape), b!.shape),
    dtype: sameDType('where', [a!, b!], ['a', 'b']),
  }),
  forward: ([c, a, b], _, { shape, dtype }) => {
    const out = allocate(dtype, sizeOf(shape))
    kernels().where(storage(c!), c!.shape, storage(a!), a!.shape, storage(b!), b!.shape, out, shape)
    return out
  },
  elementwise: true,
  unselected: (ops, [c], { shape, dtype }) => {
    const notA = ops.cast(ops.equal(ops.broadcastTo(c!, shape), 0), dtype)
    return [undefined, notA, ops.sub(1, notA)]
  },
  vjp: (ops, ct, _out, [c]) => [null, ops.where(c!, ct, 0), ops.where(c!, 0, ct)],
  batch: batchElementwise(() => wherePrim),
  domain: (t) =>
    t.fc
      .tuple(t.shape(), t.fc.integer({ min: 0, max: 2 ** 31 - 1 }))
      .chain(([shape]) =>
        t.fc.tuple(
          t.tensor(shape, { min: -1, max: 1, avoid: [0], margin: 0.1 }),
          t.tensor(shape, { min: -3, max: 3 }),
          t.tensor(shape, { min: -3, max: 3 }),
        ),
      )
      .map(([c, a, b]) => ({ inputs: [c, a, b], params: undefined, wrt: [1, 2] })),
})
