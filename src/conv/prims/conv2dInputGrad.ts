/**
 * `conv2dInputGrad(ct, w)`: the cotangent of `conv2d`'s input, i.e. the transposed convolution of
 * ct `[N, O, H', W']` with filters w `[O, C/groups, kH, kW]`, giving `[N, C, H, W]` (`inputSize`
 * fixes H and W, which a strided convolution does not determine). It is linear in each operand;
 * its vjp is `conv2d` (for ct) and `conv2dFilterGrad` (for w).
 *
 * @module prims/conv2dInputGrad
 */
import {
  type AnyTensor,
  definePrim,
  formatShape,
  kernels,
  type Prim,
  ShapeError,
  sameDType,
  storage,
  writtenInto,
} from '../../tensor/internal.js'
import { conv2dInputGradOn } from '../kernels/conv.js'
import type { ConvGeometry } from '../kernels/convGeometry.js'
import { batchConvolution } from './batching.js'
import { type Conv2dParams, convCases, convGeometry, expectOutputShape, type Pair } from './convolution.js'
import { convOps } from './family.js'

/** Parameters of the input cotangent: the convolution's, and the input's spatial size. */
export interface Conv2dInputGradParams extends Conv2dParams {
  readonly inputSize: Pair
}

const geometry = (ct: AnyTensor, w: AnyTensor, params: Conv2dInputGradParams): ConvGeometry => {
  const op = 'conv2dInputGrad'
  if (w.shape.length !== 4)
    throw new ShapeError(op, `w must have rank 4 ([O, C/groups, kH, kW]), got ${formatShape(w.shape)}`)
  const xShape = [ct.shape[0] ?? 0, w.shape[1]! * params.groups, ...params.inputSize]
  const g = convGeometry(op, xShape, w.shape, params)
  expectOutputShape(op, ct, g, `w is ${formatShape(w.shape)}, input ${formatShape(xShape)}`)
  return g
}

export const conv2dInputGradPrim: Prim<Conv2dInputGradParams> = definePrim<Conv2dInputGradParams>({
  name: 'conv2dInputGrad',
  infer: ([ct, w], params) => {
    const g = geometry(ct!, w!, params)
    return { shape: [g.batch, g.channels, g.height, g.width], dtype: sameDType('conv2dInputGrad', [ct!, w!]) }
  },
  ...writtenInto<Conv2dInputGradParams>(([ct, w], params, _output, out) => {
    conv2dInputGradOn(kernels(), storage(ct!), storage(w!), geometry(ct!, w!, params), out)
  }),
  vjp: (_ops, cotangent, _out, [ct, w], { inputSize: _, ...params }, needs) => [
    needs[0] ? convOps().conv2dWithParams(cotangent, w!, params) : null,
    needs[1]
      ? convOps().conv2dFilterGrad(cotangent, ct!, { ...params, kernelSize: [w!.shape[2]!, w!.shape[3]!] })
      : null,
  ],
  batch: batchConvolution(() => conv2dInputGradPrim, ['image', 'filters'], 'image'),
  domain: (t) =>
    convCases(t).chain(({ xShape, wShape, outShape, params }) =>
      t.fc
        .tuple(t.tensor(outShape, { min: -2, max: 2 }), t.tensor(wShape, { min: -2, max: 2 }))
        .map(([ct, w]) => ({
          inputs: [ct, w],
          params: { ...params, inputSize: [xShape[2]!, xShape[3]!] as const },
        })),
    ),
})
