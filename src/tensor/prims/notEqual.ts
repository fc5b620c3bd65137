/**
 * `notEqual`: 1 where x is not equal y, else 0 (NaN compares false except in notEqual), with NumPy broadcasting. A comparison has no gradient.
 *
 * @module prims/notEqual
 */
import { binaryPrim } from './elementwise.js'

export const notEqualPrim = binaryPrim({
  name: 'notEqual',
  expr: 'x !== y ? 1 : 0',
  vjp: undefined,
  domain: undefined,
})
