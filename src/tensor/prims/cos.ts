/**
 * `cos`: The cosine, elementwise.
 *
 * @module prims/cos
 */
import { unaryPrim } from './elementwise.js'

export const cosPrim = unaryPrim({
  name: 'cos',
  expr: 'Math.cos(x)',
  vjp: (ops, ct, _out, [x]) => [ops.neg(ops.mul(ct, ops.sin(x!)))],
  domain: (t) => t.unary({ min: -3, max: 3 }),
})
