/**
 * `sqrt`: The square root, elementwise. Convention: the gradient at 0 is +Infinity (as in JAX).
 *
 * @module prims/sqrt
 */
import { unaryPrim } from './elementwise.js'

export const sqrtPrim = unaryPrim({
  name: 'sqrt',
  expr: 'Math.sqrt(x)',
  vjp: (ops, ct, out) => [ops.div(ct, ops.mul(out, 2))],
  domain: (t) => t.unary({ min: 0.2, max: 4 }),
})
