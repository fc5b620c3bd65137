/**
 * `maxPool2dGrad(x, ct)`: the cotangent `maxPool2d` sends back to its input — each window's
 * cotangent split equally among the elements that tie for the window's maximum (padding never
 * takes a share), added up where windows overlap. One pass over the windows, so training does not
 * pay for building masks. Linear in ct; locally constant in x (its vjp for x is zero, the same
 * convention `max` has), and for ct it gathers each window's shares back with `patches2d`, so
 * second derivatives of max pooling work.
 *
 * @module prims/maxPool2dGrad
 */
import {
  type AnyTensor,
  allocate,
  definePrim,
  formatShape,
  makeTensor,
  type Prim,
  ShapeError,
  storage,
  writtenInto,
} from '../../tensor/internal.js'
import { maxPool2dGradKernel } from '../kernels/pool.js'
import { batchIntoImages } from './batching.js'
import { type Pool2dParams, poolCases, poolGeometry } from './convolution.js'
import { convOps } from './family.js'

/** A constant tensor of ones shaped like `x` (not traced: the in-image indicator is data). */
const onesLike = (x: AnyTensor): AnyTensor => makeTensor(x.shape, x.dtype, allocate(x.dtype, x.size).fill(1))

const geometry = (x: AnyTensor, ct: AnyTensor, params: Pool2dParams) => {
  const g = poolGeometry('maxPool2dGrad', x.shape, params)
  const want = [g.batch, g.channels, g.outHeight, g.outWidth]
  if (ct.shape.length !== 4 || ct.shape.some((d, i) => d !== want[i]))
    throw new ShapeError(
      'maxPool2dGrad',
      `the cotangent must have the pooled shape ${formatShape(want)} of x ${formatShape(x.shape)}, got ${formatShape(ct.shape)}`,
    )
  return g
}

export const maxPool2dGradPrim: Prim<Pool2dParams> = definePrim<Pool2dParams>({
  name: 'maxPool2dGrad',
  infer: ([x, ct], params) => {
    geometry(x!, ct!, params)
    return { shape: x!.shape, dtype: x!.dtype }
  },
  ...writtenInto<Pool2dParams>(([x, ct], params, _output, out) => {
    maxPool2dGradKernel(storage(x!), storage(ct!), geometry(x!, ct!, params), out)
  }),
  vjp: (ops, cotangent, _out, [x], params, needs) => {
    if (!needs[1]) return [null, null]
    // the shares each window gave its elements, as rows of kH·kW, and the cotangent's windows
    const [height, width] = params.window
    const pooled = convOps().maxPool2d(x!, {
      window: params.window,
      stride: params.stride,
      padding: params.padding,
    })
    const rows = [...pooled.shape, height * width]
    const spread = (t: AnyTensor) => ops.broadcastTo(ops.reshape(t, [...t.shape, 1]), rows)
    const windows = ops.reshape(convOps().patches2d(x!, { ...params, padValue: 0 }), rows)
    const equal = ops.equal(windows, spread(pooled))
    const padded = params.padding.some(([before, after]) => before > 0 || after > 0)
    const mask = padded
      ? ops.mul(equal, ops.reshape(convOps().patches2d(onesLike(x!), { ...params, padValue: 0 }), rows))
      : equal
    const shares = ops.div(mask, spread(ops.sum(mask, [rows.length - 1])))
    const gathered = ops.mul(
      shares,
      ops.reshape(convOps().patches2d(cotangent, { ...params, padValue: 0 }), rows),
    )
    return [null, ops.sum(gathered, [rows.length - 1])]
  },
  batch: batchIntoImages(() => maxPool2dGradPrim),
  domain: (t) =>
    poolCases(t).chain(({ xShape, params, outShape }) =>
      t.fc
        .tuple(t.distinctTensor(xShape), t.tensor(outShape, { min: -2, max: 2 }))
        .map(([x, ct]) => ({ inputs: [x, ct], params, wrt: [1] })),
    ),
})
