/**
 * `min`: the minimum over some axes (NaN propagates; an empty axis is an error). Convention: the
 * gradient is split equally among the elements that tie for the minimum (as in JAX).
 *
 * @module prims/min
 */
import { definePrim } from '../prim.js'
import { forwardReduce, inferReduce, type ReduceParams, reduceDomain } from './reduction.js'

export const minPrim = definePrim<ReduceParams>({
  name: 'min',
  infer: inferReduce('min'),
  forward: forwardReduce('min'),
  vjp: (ops, ct, out, [x], { axes }) => {
    const kept = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    const mask = ops.equal(x!, ops.reshape(out, kept))
    const ties = ops.sum(mask, axes, { keepdims: true })
    return [ops.mul(ops.div(mask, ties), ops.reshape(ct, kept))]
  },
  domain: reduceDomain(1, true),
})
