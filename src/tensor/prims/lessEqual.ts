/**
 * `lessEqual`: 1 where x is less than or equal to y, else 0 (NaN compares false except in notEqual), with NumPy broadcasting. A comparison has no gradient.
 *
 * @module prims/lessEqual
 */
import { binaryPrim } from './elementwise.js'

export const lessEqualPrim = binaryPrim({
  name: 'lessEqual',
  expr: 'x <= y ? 1 : 0',
  vjp: undefined,
  domain: undefined,
})
