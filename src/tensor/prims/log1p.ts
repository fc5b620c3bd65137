/**
 * `log1p`: log(1 + x), elementwise, accurate for tiny x (used by the stable softplus).
 *
 * @module prims/log1p
 */
import { unaryPrim } from './elementwise.js'

export const log1pPrim = unaryPrim({
  name: 'log1p',
  expr: 'Math.log1p(x)',
  vjp: (ops, ct, _out, [x]) => [ops.div(ct, ops.add(x!, 1))],
  domain: (t) => t.unary({ min: -0.8, max: 3 }),
})
