/**
 * `min`: the minimum over some axes (NaN propagates; an empty axis is an error). Convention: the
 * gradient is split equally among the elements that tie for the minimum (as in JAX).
 *
 * @module prims/min
 */
import { extremumPrim } from './reduction.js'

export const minPrim = extremumPrim('min')
