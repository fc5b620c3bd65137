/**
 * `relu`: The rectifier max(x, 0), elementwise (NaN stays NaN). Convention: the gradient at 0 is 0.
 *
 * @module prims/relu
 */
import { unaryPrim } from './elementwise.js'

export const reluPrim = unaryPrim({
  name: 'relu',
  expr: 'x < 0 ? 0 : x',
  vjp: (ops, ct, _out, [x]) => [ops.where(ops.greater(x!, 0), ct, 0)],
  domain: (t) => t.unary({ min: -3, max: 3, avoid: [0], margin: 0.05 }),
})
