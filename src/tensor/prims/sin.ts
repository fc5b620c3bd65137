/**
 * `sin`: The sine, elementwise.
 *
 * @module prims/sin
 */
import { unaryPrim } from './elementwise.js'

export const sinPrim = unaryPrim({
  name: 'sin',
  expr: 'Math.sin(x)',
  vjp: (ops, ct, _out, [x]) => [ops.mul(ct, ops.cos(x!))],
  domain: (t) => t.unary({ min: -3, max: 3 }),
})
