/**
 * `pow`: x raised to the power y, elementwise with NumPy broadcasting. Gradients: with respect to x, y·x^(y−1); with respect to y, x^y·log x, taken as 0 where x is 0 (and NaN for negative x, where the real power has no derivative in y).
 *
 * @module prims/pow
 */
import { binaryPrim } from './elementwise.js'

export const powPrim = binaryPrim({
  name: 'pow',
  expr: 'Math.pow(x, y)',
  vjp: (ops, ct, out, [a, b]) => [
    ops.mul(ct, ops.mul(b!, ops.pow(a!, ops.sub(b!, 1)))),
    ops.mul(ct, ops.mul(out, ops.log(ops.where(ops.equal(a!, 0), 1, a!)))),
  ],
  domain: (t) => t.binary({ min: 0.3, max: 3 }, { min: -2, max: 2 }),
})
