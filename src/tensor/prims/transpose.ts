/**
 * `transpose(x, perm)`: permutes the axes (output axis i is input axis perm[i]).
 *
 * @module prims/transpose
 */
import { allocate } from '../dtype.js'
import { kernels } from '../kernels/index.js'
import { definePrim } from '../prim.js'
import { storage } from '../tensor.js'

export const transposePrim = definePrim<{ readonly perm: readonly number[] }>({
  name: 'transpose',
  infer: ([x], { perm }) => ({ shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype }),
  forward: ([x], { perm }, { dtype }) => {
    const out = allocate(dtype, x!.size)
    kernels().transpose(storage(x!), x!.shape, perm, out)
    return out
  },
  vjp: (ops, ct, _out, _inputs, { perm }) => {
    const inverse = new Array<number>(perm.length)
    perm.forEach((p, i) => {
      inverse[p] = i
    })
    return [ops.transpose(ct, inverse)]
  },
  batch: (ops, [x], _batched, { perm }) => ops.transpose(x!, [0, ...perm.map((p) => p + 1)]),
  domain: (t) =>
    t
      .shape({ maxRank: 4 })
      .chain((shape) =>
        t.fc.tuple(
          t.tensor(shape, { min: -3, max: 3 }),
          t.fc.shuffledSubarray(
            shape.map((_, i) => i),
            { minLength: shape.length },
          ),
        ),
      )
      .map(([x, perm]) => ({ inputs: [x], params: { perm } })),
})
