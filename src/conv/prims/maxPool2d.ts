/**
 * `maxPool2d(x)`: the maximum of each window of images x `[N, C, H, W]` (padding never wins; NaN
 * propagates). Convention, as for `max`: the gradient of a window is split equally among the
 * elements that tie for its maximum (padding never takes a share). The vjp is the primitive
 * `maxPool2dGrad`, itself differentiable.
 *
 * @module prims/maxPool2d
 */
import { definePrim, type Prim, storage, writtenInto } from '../../tensor/internal.js'
import { maxPool2dKernel } from '../kernels/pool.js'
import { batchIntoImages } from './batching.js'
import { type Pool2dParams, poolCases, poolGeometry } from './convolution.js'
import { convOps } from './family.js'

export const maxPool2dPrim: Prim<Pool2dParams> = definePrim<Pool2dParams>({
  name: 'maxPool2d',
  infer: ([x], params) => {
    const g = poolGeometry('maxPool2d', x!.shape, params)
    return { shape: [g.batch, g.channels, g.outHeight, g.outWidth], dtype: x!.dtype }
  },
  ...writtenInto<Pool2dParams>(
    ([x], params, _output, out) => {
      maxPool2dKernel(storage(x!), poolGeometry('maxPool2d', x!.shape, params), out)
    },
    { writesEvery: true },
  ),
  vjp: (_ops, ct, _out, [x], params) => [convOps().maxPool2dGrad(x!, ct, params)],
  batch: batchIntoImages(() => maxPool2dPrim),
  domain: (t) =>
    poolCases(t).chain(({ xShape, params }) =>
      t.distinctTensor(xShape).map((x) => ({ inputs: [x], params })),
    ),
})
