/**
 * `conv2d(x, w)`: the 2-D cross-correlation of images x `[N, C, H, W]` with filters
 * w `[O, C/groups, kH, kW]` (PyTorch's and `lax.conv`'s layout), giving `[N, O, H', W']`, with
 * stride, explicit zero padding, dilation and groups. Its vjp is the family's other two members:
 * the input's cotangent is a transposed convolution (`conv2dInputGrad`) and the filters' is
 * `conv2dFilterGrad`, both differentiable again.
 *
 * @module prims/conv2d
 */
import { definePrim, kernels, type Prim, sameDType, storage, writtenInto } from '../../tensor/internal.js'
import { conv2dForwardOn } from '../kernels/conv.js'
import { batchConvolution } from './batching.js'
import { type Conv2dParams, convCases, convGeometry, expectConvOperands } from './convolution.js'
import { convOps } from './family.js'

export const conv2dPrim: Prim<Conv2dParams> = definePrim<Conv2dParams>({
  name: 'conv2d',
  infer: ([x, w], params) => {
    expectConvOperands('conv2d', x!, w!)
    const g = convGeometry('conv2d', x!.shape, w!.shape, params)
    return { shape: [g.batch, g.outChannels, g.outHeight, g.outWidth], dtype: sameDType('conv2d', [x!, w!]) }
  },
  ...writtenInto<Conv2dParams>(
    ([x, w], params, _output, out) => {
      conv2dForwardOn(
        kernels(),
        storage(x!),
        storage(w!),
        convGeometry('conv2d', x!.shape, w!.shape, params),
        out,
      )
    },
    { writesEvery: true },
  ),
  vjp: (_ops, ct, _out, [x, w], params, needs) => [
    needs[0]
      ? convOps().conv2dInputGrad(ct, w!, { ...params, inputSize: [x!.shape[2]!, x!.shape[3]!] })
      : null,
    needs[1]
      ? convOps().conv2dFilterGrad(x!, ct, { ...params, kernelSize: [w!.shape[2]!, w!.shape[3]!] })
      : null,
  ],
  batch: batchConvolution(() => conv2dPrim, ['image', 'filters'], 'image'),
  domain: (t) =>
    convCases(t).chain(({ xShape, wShape, params }) =>
      t.fc
        .tuple(t.tensor(xShape, { min: -2, max: 2 }), t.tensor(wShape, { min: -2, max: 2 }))
        .map(([x, w]) => ({ inputs: [x, w], params })),
    ),
})
