/**
 * `cast(x, dtype)`: converts to another dtype (float64 → float32 rounds to nearest). Its gradient
 * casts the cotangent back.
 *
 * @module prims/cast
 */
import { type DType, storageFrom } from '../dtype.js'
import { definePrim } from '../prim.js'
import { storage } from '../tensor.js'

export const castPrim = definePrim<{ readonly dtype: DType }>({
  name: 'cast',
  infer: ([x], { dtype }) => ({ shape: x!.shape, dtype }),
  forward: ([x], { dtype }) => storageFrom(dtype, storage(x!)),
  vjp: (ops, ct, _out, [x]) => [ops.cast(ct, x!.dtype)],
  batch: (ops, [x], _batched, { dtype }) => ops.cast(x!, dtype),
  domain: (t) =>
    t.unary({ min: -3, max: 3 }).map(({ inputs }) => ({ inputs, params: { dtype: 'float64' as DType } })),
})
