/**
 * `logSoftmax`: x − max − log Σ e^(x − max) along one axis, as a primitive. Its vjp rule is
 * `c − softmax(x) ⊙ Σ c`, with `softmax` the primitive, so second derivatives are analytic. The
 * row maximum is subtracted before the log-sum-exp, so float32 rows like [−1000, −1000] give
 * exactly log ½.
 *
 * @module prims/logSoftmax
 */
import { allocate, type Storage } from '../dtype.js'
import { definePrim, type Prim } from '../prim.js'
import { storage } from '../tensor.js'
import { batchSoftmax, type SoftmaxParams, softmaxDomain, softmaxRows } from './softmax.js'

export const logSoftmaxPrim: Prim<SoftmaxParams> = definePrim<SoftmaxParams>({
  name: 'logSoftmax',
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  forward: ([x], { axis }, { dtype }) => {
    const out: Storage = allocate(dtype, x!.size)
    const data = storage(x!)
    const n = x!.shape[axis]!
    softmaxRows(x!, axis, (shift, logTotal, base, stride) => {
      for (let j = 0, k = base; j < n; j++, k += stride) out[k] = data[k]! - shift - logTotal
    })
    return out
  },
  vjp: (ops, ct, _out, [x], { axis }) => [
    ops.sub(ct, ops.mul(ops.softmax(x!, axis), ops.sum(ct, axis, { keepdims: true }))),
  ],
  domain: softmaxDomain,
  batch: batchSoftmax(() => logSoftmaxPrim),
})
