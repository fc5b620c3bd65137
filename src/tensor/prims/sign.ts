/**
 * `sign`: The sign (-1, 0 or 1; NaN stays NaN), elementwise. Its gradient is 0 everywhere it exists.
 *
 * @module prims/sign
 */
import { unaryPrim } from './elementwise.js'

export const signPrim = unaryPrim({
  name: 'sign',
  expr: 'x > 0 ? 1 : x < 0 ? -1 : x',
  vjp: (ops, ct) => [ops.mul(ct, 0)],
  domain: (t) => t.unary({ min: -3, max: 3, avoid: [0], margin: 0.05 }),
})
