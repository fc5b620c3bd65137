/**
 * `patches2dTranspose(p)`: the transpose of `patches2d` — adds every window entry of
 * p `[N, C, H', W', kH, kW]` onto the image position it was read from, giving `[N, C, H, W]`
 * (`inputSize` fixes H and W). Linear; its vjp is `patches2d` with zero padding.
 *
 * @module prims/patches2dTranspose
 */
import {
  type AnyTensor,
  definePrim,
  formatShape,
  type Prim,
  ShapeError,
  storage,
  writtenInto,
} from '../../tensor/internal.js'
import type { ConvGeometry } from '../kernels/convGeometry.js'
import { patches2dTransposeKernel } from '../kernels/pool.js'
import { batchIntoImages } from './batching.js'
import { type Pair, type Pool2dParams, poolCases, poolGeometry } from './convolution.js'
import { convOps } from './family.js'

/** Parameters of `patches2dTranspose`: the window, and the image's spatial size. */
export interface Patches2dTransposeParams extends Pool2dParams {
  readonly inputSize: Pair
}

const geometry = (p: AnyTensor, params: Patches2dTransposeParams): ConvGeometry => {
  const op = 'patches2dTranspose'
  if (p.shape.length !== 6)
    throw new ShapeError(
      op,
      `the windows must have rank 6 ([N, C, H', W', kH, kW]), got ${formatShape(p.shape)}`,
    )
  const g = poolGeometry(op, [p.shape[0]!, p.shape[1]!, ...params.inputSize], params)
  const want = [g.batch, g.channels, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth]
  if (p.shape.some((d, i) => d !== want[i]))
    throw new ShapeError(
      op,
      `the windows of a ${params.inputSize.join('×')} image have shape ${formatShape(want)}, got ${formatShape(p.shape)}`,
    )
  return g
}

export const patches2dTransposePrim: Prim<Patches2dTransposeParams> = definePrim<Patches2dTransposeParams>({
  name: 'patches2dTranspose',
  infer: ([p], params) => {
    const g = geometry(p!, params)
    return { shape: [g.batch, g.channels, g.height, g.width], dtype: p!.dtype }
  },
  ...writtenInto<Patches2dTransposeParams>(([p], params, _output, out) => {
    patches2dTransposeKernel(storage(p!), geometry(p!, params), out)
  }),
  vjp: (_ops, ct, _out, _inputs, { inputSize: _, ...params }) => [
    convOps().patches2d(ct, { ...params, padValue: 0 }),
  ],
  batch: batchIntoImages(() => patches2dTransposePrim),
  domain: (t) =>
    poolCases(t).chain(({ xShape, params, outShape }) =>
      t
        .tensor([...outShape, ...params.window], { min: -2, max: 2 })
        .map((p) => ({ inputs: [p], params: { ...params, inputSize: [xShape[2]!, xShape[3]!] as const } })),
    ),
})
