/**
 * `less`: 1 where x is less than y, else 0 (NaN compares false except in notEqual), with NumPy broadcasting. A comparison has no gradient.
 *
 * @module prims/less
 */
import { binaryPrim } from './elementwise.js'

export const lessPrim = binaryPrim({
  name: 'less',
  expr: 'x < y ? 1 : 0',
  vjp: undefined,
  domain: undefined,
})
