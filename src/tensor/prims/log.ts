/**
 * `log`: The natural logarithm, elementwise (log 0 is -Infinity, log of a negative is NaN).
 *
 * @module prims/log
 */
import { unaryPrim } from './elementwise.js'

export const logPrim = unaryPrim({
  name: 'log',
  expr: 'Math.log(x)',
  vjp: (ops, ct, _out, [x]) => [ops.div(ct, x!)],
  domain: (t) => t.unary({ min: 0.2, max: 4 }),
})
