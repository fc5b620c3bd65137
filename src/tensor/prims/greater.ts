/**
 * `greater`: 1 where x is greater than y, else 0 (NaN compares false except in notEqual), with NumPy broadcasting. A comparison has no gradient.
 *
 * @module prims/greater
 */
import { binaryPrim } from './elementwise.js'

export const greaterPrim = binaryPrim({
  name: 'greater',
  expr: 'x > y ? 1 : 0',
  vjp: undefined,
  domain: undefined,
})
