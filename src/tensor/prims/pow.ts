/**
 * `pow`: x raised to the power y, elementwise with NumPy broadcasting. Gradients: with respect to x, y·x^(y−1); with respect to y, x^y·log x, taken as 0 where x is 0 (and NaN for negative x, where the real power has no derivative in y).
 *
 * @module prims/pow
 */
import { binaryPrim } from './elementwise.js'

export const powPrim = binaryPrim({
  name: 'pow',
  expr: 'Math.pow(x, y)',
  // the exponent's cotangent is built only when needed: for pow(x, 2) at negative x its log x is
  // NaN, which debug-NaN mode would report although nobody asked for it
  vjp: (ops, ct, out, [a, b], _params, needs) => [
    needs[0] === false ? null : ops.mul(ct, ops.mul(b!, ops.pow(a!, ops.sub(b!, 1)))),
    needs[1] === false ? null : ops.mul(ct, ops.mul(out, ops.log(ops.where(ops.equal(a!, 0), 1, a!)))),
  ],
  domain: (t) => t.binary({ min: 0.3, max: 3 }, { min: -2, max: 2 }),
})
