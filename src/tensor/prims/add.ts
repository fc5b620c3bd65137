/**
 * `add`: Elementwise sum with NumPy broadcasting.
 *
 * @module prims/add
 */
import { binaryPrim } from './elementwise.js'

export const addPrim = binaryPrim({
  name: 'add',
  expr: 'x + y',
  vjp: (_ops, ct) => [ct, ct],
  domain: (t) => t.binary(),
})
