/**
 * `conv2dFilterGrad(x, ct)`: the cotangent of `conv2d`'s filters, the correlation of the images
 * x `[N, C, H, W]` with the output cotangent ct `[N, O, H', W']`, giving `[O, C/groups, kH, kW]`
 * (`kernelSize` fixes kH and kW). It is linear in each operand; its vjp is `conv2dInputGrad` (for
 * x) and `conv2d` (for ct).
 *
 * @module prims/conv2dFilterGrad
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
import { conv2dFilterGradOn } from '../kernels/conv.js'
import type { ConvGeometry } from '../kernels/convGeometry.js'
import { batchConvolution } from './batching.js'
import { type Conv2dParams, convCases, convGeometry, expectOutputShape, type Pair } from './convolution.js'
import { convOps } from './family.js'

/** Parameters of the filters' cotangent: the convolution's, and the kernel's spatial size. */
export interface Conv2dFilterGradParams extends Conv2dParams {
  readonly kernelSize: Pair
}

const geometry = (x: AnyTensor, ct: AnyTensor, params: Conv2dFilterGradParams): ConvGeometry => {
  const op = 'conv2dFilterGrad'
  if (x.shape.length !== 4)
    throw new ShapeError(op, `x must have rank 4 ([N, C, H, W]), got ${formatShape(x.shape)}`)
  const wShape = [ct.shape[1] ?? 0, x.shape[1]! / params.groups, ...params.kernelSize]
  const g = convGeometry(op, x.shape, wShape, params)
  expectOutputShape(op, ct, g, `x is ${formatShape(x.shape)}, filters ${formatShape(wShape)}`)
  return g
}

export const conv2dFilterGradPrim: Prim<Conv2dFilterGradParams> = definePrim<Conv2dFilterGradParams>({
  name: 'conv2dFilterGrad',
  infer: ([x, ct], params) => {
    const g = geometry(x!, ct!, params)
    return {
      shape: [g.outChannels, g.channels / g.groups, g.kernelHeight, g.kernelWidth],
      dtype: sameDType('conv2dFilterGrad', [x!, ct!]),
    }
  },
  ...writtenInto<Conv2dFilterGradParams>(
    ([x, ct], params, _output, out) => {
      conv2dFilterGradOn(kernels(), storage(x!), storage(ct!), geometry(x!, ct!, params), out)
    },
    { writesEvery: true },
  ),
  vjp: (_ops, cotangent, _out, [x, ct], { kernelSize: _, ...params }, needs) => [
    needs[0]
      ? convOps().conv2dInputGrad(ct!, cotangent, { ...params, inputSize: [x!.shape[2]!, x!.shape[3]!] })
      : null,
    needs[1] ? convOps().conv2dWithParams(x!, cotangent, params) : null,
  ],
  batch: batchConvolution(() => conv2dFilterGradPrim, ['image', 'image'], 'filters'),
  domain: (t) =>
    convCases(t).chain(({ xShape, wShape, outShape, params }) =>
      t.fc
        .tuple(t.tensor(xShape, { min: -2, max: 2 }), t.tensor(outShape, { min: -2, max: 2 }))
        .map(([x, ct]) => ({
          inputs: [x, ct],
          params: { ...params, kernelSize: [wShape[2]!, wShape[3]!] as const },
        })),
    ),
})
