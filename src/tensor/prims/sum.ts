/**
 * `sum`: the sum over some axes (float32 sums accumulate in float64). Its gradient broadcasts the
 * cotangent back over the summed axes.
 *
 * @module prims/sum
 */
import { definePrim, type Prim } from '../prim.js'
import { batchReduce, forwardReduce, inferReduce, type ReduceParams, reduceDomain } from './reduction.js'

export const sumPrim: Prim<ReduceParams> = definePrim<ReduceParams>({
  name: 'sum',
  infer: inferReduce('sum'),
  forward: forwardReduce('sum'),
  vjp: (ops, ct, _out, [x], { axes }) => {
    const kept = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    return [ops.broadcastTo(ops.reshape(ct, kept), x!.shape)]
  },
  batch: batchReduce(() => sumPrim),
  domain: reduceDomain(0),
})
