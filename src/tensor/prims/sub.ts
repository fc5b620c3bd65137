/**
 * `sub`: Elementwise difference with NumPy broadcasting.
 *
 * @module prims/sub
 */
import { binaryPrim } from './elementwise.js'

export const subPrim = binaryPrim({
  name: 'sub',
  expr: 'x - y',
  vjp: (ops, ct) => [ct, ops.neg(ct)],
  domain: (t) => t.binary(),
})
