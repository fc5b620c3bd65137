/**
 * `minimum`: Elementwise minimum with NumPy broadcasting; NaN wins. Convention: at ties the gradient is split equally between the two inputs (as in JAX).
 *
 * @module prims/minimum
 */
import { binaryPrim } from './elementwise.js'

export const minimumPrim = binaryPrim({
  name: 'minimum',
  expr: 'x < y || x !== x ? x : y',
  vjp: (ops, ct, _out, [a, b]) => {
    const half = ops.mul(ops.equal(a!, b!), 0.5)
    return [ops.mul(ct, ops.add(ops.less(a!, b!), half)), ops.mul(ct, ops.add(ops.greater(a!, b!), half))]
  },
  domain: (t) => t.binary({ min: -3, max: 3, band: [0.1, 0.4] }, { min: -3, max: 3, band: [0.6, 0.9] }),
})
