/**
 * `equal`: 1 where x is equal y, else 0 (NaN compares false except in notEqual), with NumPy broadcasting. A comparison has no gradient.
 *
 * @module prims/equal
 */
import { binaryPrim } from './elementwise.js'

export const equalPrim = binaryPrim({
  name: 'equal',
  expr: 'x === y ? 1 : 0',
  vjp: undefined,
  domain: undefined,
})
