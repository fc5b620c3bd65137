/**
 * `avgPool2d(x)`: the mean of each window of images x `[N, C, H, W]`, padding counted as zeros
 * (every window divides by its full size, PyTorch's `count_include_pad`). Linear; its vjp spreads
 * each cotangent equally over its window with `patches2dTranspose`.
 *
 * @module prims/avgPool2d
 */
import { definePrim, type Prim, storage, writtenInto } from '../../tensor/internal.js'
import { avgPool2dKernel } from '../kernels/pool.js'
import { batchIntoImages } from './batching.js'
import { type Pool2dParams, poolCases, poolGeometry } from './convolution.js'
import { convOps } from './family.js'

export const avgPool2dPrim: Prim<Pool2dParams> = definePrim<Pool2dParams>({
  name: 'avgPool2d',
  infer: ([x], params) => {
    const g = poolGeometry('avgPool2d', x!.shape, params)
    return { shape: [g.batch, g.channels, g.outHeight, g.outWidth], dtype: x!.dtype }
  },
  ...writtenInto<Pool2dParams>(
    ([x], params, _output, out) => {
      avgPool2dKernel(storage(x!), poolGeometry('avgPool2d', x!.shape, params), out)
    },
    { writesEvery: true },
  ),
  vjp: (ops, ct, _out, [x], params) => {
    const [height, width] = params.window
    const scaled = ops.reshape(ops.mul(ct, 1 / (height * width)), [...ct.shape, 1, 1])
    const shares = ops.broadcastTo(scaled, [...ct.shape, height, width])
    return [convOps().patches2dTranspose(shares, { ...params, inputSize: [x!.shape[2]!, x!.shape[3]!] })]
  },
  batch: batchIntoImages(() => avgPool2dPrim),
  domain: (t) =>
    poolCases(t).chain(({ xShape, params }) =>
      t.tensor(xShape, { min: -2, max: 2 }).map((x) => ({ inputs: [x], params })),
    ),
})
