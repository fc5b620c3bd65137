/**
 * `floor`: The largest integer not above x (NaN and ±∞ stay), elementwise. Its gradient is 0
 * everywhere it exists (between integers).
 *
 * @module prims/floor
 */
import { unaryPrim } from './elementwise.js'

export const floorPrim = unaryPrim({
  name: 'floor',
  expr: 'Math.floor(x)',
  vjp: (ops, ct) => [ops.mul(ct, 0)],
  domain: (t) => t.unary({ min: -3, max: 3, avoid: [-3, -2, -1, 0, 1, 2, 3], margin: 0.05 }),
})
