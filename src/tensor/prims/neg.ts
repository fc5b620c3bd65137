/**
 * `neg`: Negation, elementwise.
 *
 * @module prims/neg
 */
import { unaryPrim } from './elementwise.js'

export const negPrim = unaryPrim({
  name: 'neg',
  expr: '-x',
  vjp: (ops, ct) => [ops.neg(ct)],
  domain: (t) => t.unary({ min: -3, max: 3 }),
})
