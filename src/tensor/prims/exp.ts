/**
 * `exp`: The exponential, elementwise.
 *
 * @module prims/exp
 */
import { unaryPrim } from './elementwise.js'

export const expPrim = unaryPrim({
  name: 'exp',
  expr: 'Math.exp(x)',
  vjp: (ops, ct, out) => [ops.mul(ct, out)],
  domain: (t) => t.unary({ min: -3, max: 3 }),
})
