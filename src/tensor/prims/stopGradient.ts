/**
 * `stopGradient(x)`: the same values, with no gradient (it has no vjp rule, so the reverse tracer
 * treats its output as a constant). A primitive rather than a removal of trace boxes, so that other
 * interpreters (`vmap`) see it and carry their own boxes through.
 *
 * @module prims/stopGradient
 */
import { apply } from '../dispatch.js'
import { definePrim, type Prim } from '../prim.js'
import { storage } from '../tensor.js'

export const stopGradientPrim: Prim<undefined> = definePrim<undefined>({
  name: 'stopGradient',
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  // storage is never written after creation, so the result shares it
  forward: ([x]) => storage(x!),
  vjp: undefined,
  batch: (_ops, [x]) => apply(stopGradientPrim, [x!], undefined),
  domain: (t) => t.unary({ min: -3, max: 3 }),
})
