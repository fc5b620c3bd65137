/**
 * `maxPool2d(x)`: the maximum of each window of images x `[N, C, H, W]` (padding never wins; NaN
 * propagates). Convention, as for `max`: the gradient of a window is split equally among the
 * elements that tie for its maximum. The vjp is written with `patches2d`, `equal` and
 * `patches2dTranspose`, so it is differentiable again; padding never takes a share.
 *
 * @module prims/maxPool2d
 */
import { allocate } from '../dtype.js'
import { maxPool2dKernel } from '../kernels/pool.js'
import { definePrim } from '../prim.js'
import { sizeOf } from '../shape.js'
import { makeTensor, storage, type Tensor } from '../tensor.js'
import { type Pool2dParams, poolCases, poolGeometry } from './convolution.js'

/** A constant tensor of ones shaped like `x` (not traced: the in-image indicator is data). */
const onesLike = (x: Tensor): Tensor => makeTensor(x.shape, x.dtype, allocate(x.dtype, x.size).fill(1))

export const maxPool2dPrim = definePrim<Pool2dParams>({
  name: 'maxPool2d',
  infer: ([x], params) => {
    const g = poolGeometry('maxPool2d', x!.shape, params)
    return { shape: [g.batch, g.channels, g.outHeight, g.outWidth], dtype: x!.dtype }
  },
  forward: ([x], params, { shape, dtype }) => {
    const out = allocate(dtype, sizeOf(shape))
    maxPool2dKernel(storage(x!), poolGeometry('maxPool2d', x!.shape, params), out)
    return out
  },
  vjp: (ops, ct, out, [x], params) => {
    const windows = ops.patches2d(x!, { ...params, padValue: 0 })
    const equal = ops.equal(windows, ops.reshape(out, [...out.shape, 1, 1]))
    // padding reads 0 in the windows and must never count as a maximum (nor take a share)
    const padded = params.padding.some(([before, after]) => before > 0 || after > 0)
    const mask = padded ? ops.mul(equal, ops.patches2d(onesLike(x!), { ...params, padValue: 0 })) : equal
    const ties = ops.sum(mask, [4, 5], { keepdims: true })
    const shares = ops.mul(ops.div(mask, ties), ops.reshape(ct, [...ct.shape, 1, 1]))
    return [ops.patches2dTranspose(shares, { ...params, inputSize: [x!.shape[2]!, x!.shape[3]!] })]
  },
  domain: (t) =>
    poolCases(t).chain(({ xShape, params }) =>
      t.distinctTensor(xShape).map((x) => ({ inputs: [x], params })),
    ),
})
