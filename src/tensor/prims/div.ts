/**
 * `div`: Elementwise quotient with NumPy broadcasting (IEEE: x / 0 is ±Infinity or NaN).
 *
 * @module prims/div
 */
import { binaryPrim } from './elementwise.js'

export const divPrim = binaryPrim({
  name: 'div',
  expr: 'x / y',
  vjp: (ops, ct, out, [, b]) => [ops.div(ct, b!), ops.neg(ops.div(ops.mul(ct, out), b!))],
  domain: (t) => t.binary({ min: -3, max: 3 }, { min: 0.5, max: 3 }),
})
