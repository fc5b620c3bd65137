/**
 * `tanh`: The hyperbolic tangent, elementwise.
 *
 * @module prims/tanh
 */
import { unaryPrim } from './elementwise.js'

export const tanhPrim = unaryPrim({
  name: 'tanh',
  expr: 'Math.tanh(x)',
  vjp: (ops, ct, out) => [ops.mul(ct, ops.sub(1, ops.mul(out, out)))],
  domain: (t) => t.unary({ min: -3, max: 3 }),
})
