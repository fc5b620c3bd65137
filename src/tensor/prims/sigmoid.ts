/**
 * `sigmoid`: The logistic sigmoid 1 / (1 + e^-x), elementwise, computed without overflow for large inputs.
 *
 * @module prims/sigmoid
 */
import { unaryPrim } from './elementwise.js'

export const sigmoidPrim = unaryPrim({
  name: 'sigmoid',
  expr: 'x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))',
  vjp: (ops, ct, out) => [ops.mul(ct, ops.mul(out, ops.sub(1, out)))],
  domain: (t) => t.unary({ min: -4, max: 4 }),
})
