/**
 * `patches2d(x)`: every pooling window of images x `[N, C, H, W]` as its own block,
 * `[N, C, H', W', kH, kW]`, positions outside the image holding `padValue` (0, or −∞ for max
 * pooling). Its vjp adds each window back where it came from (`patches2dTranspose`).
 *
 * @module prims/patches2d
 */
import { definePrim, type Prim, storage, writtenInto } from '../../tensor/internal.js'
import { patches2dKernel } from '../kernels/pool.js'
import { batchIntoImages } from './batching.js'
import { type Pool2dParams, poolCases, poolGeometry } from './convolution.js'
import { convOps } from './family.js'

/** Parameters of `patches2d`: the window, and the value read outside the image. */
export interface Patches2dParams extends Pool2dParams {
  readonly padValue: number
}

export const patches2dPrim: Prim<Patches2dParams> = definePrim<Patches2dParams>({
  name: 'patches2d',
  infer: ([x], params) => {
    const g = poolGeometry('patches2d', x!.shape, params)
    return {
      shape: [g.batch, g.channels, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth],
      dtype: x!.dtype,
    }
  },
  ...writtenInto<Patches2dParams>(([x], params, _output, out) => {
    patches2dKernel(storage(x!), poolGeometry('patches2d', x!.shape, params), params.padValue, out)
  }),
  vjp: (_ops, ct, _out, [x], { padValue: _, ...params }) => [
    convOps().patches2dTranspose(ct, { ...params, inputSize: [x!.shape[2]!, x!.shape[3]!] }),
  ],
  batch: batchIntoImages(() => patches2dPrim),
  domain: (t) =>
    poolCases(t).chain(({ xShape, params }) =>
      t.tensor(xShape, { min: -2, max: 2 }).map((x) => ({ inputs: [x], params: { ...params, padValue: 0 } })),
    ),
})
