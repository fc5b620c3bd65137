/**
 * `mul`: Elementwise product with NumPy broadcasting.
 *
 * @module prims/mul
 */
import { binaryPrim } from './elementwise.js'

export const mulPrim = binaryPrim({
  name: 'mul',
  expr: 'x * y',
  vjp: (ops, ct, _out, [a, b]) => [ops.mul(ct, b!), ops.mul(ct, a!)],
  domain: (t) => t.binary(),
})
