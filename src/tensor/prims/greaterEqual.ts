/**
 * `greaterEqual`: 1 where x is greater than or equal to y, else 0 (NaN compares false except in notEqual), with NumPy broadcasting. A comparison has no gradient.
 *
 * @module prims/greaterEqual
 */
import { binaryPrim } from './elementwise.js'

export const greaterEqualPrim = binaryPrim({
  name: 'greaterEqual',
  expr: 'x >= y ? 1 : 0',
  vjp: undefined,
  domain: undefined,
})
