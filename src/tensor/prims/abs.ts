/**
 * `abs`: The absolute value, elementwise. Convention: the gradient at 0 is 0.
 *
 * @module prims/abs
 */
import { unaryPrim } from './elementwise.js'

export const absPrim = unaryPrim({
  name: 'abs',
  expr: 'Math.abs(x)',
  vjp: (ops, ct, _out, [x]) => [ops.mul(ct, ops.sign(x!))],
  domain: (t) => t.unary({ min: -3, max: 3, avoid: [0], margin: 0.05 }),
})
