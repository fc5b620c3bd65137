/**
 * `max`: the maximum over some axes (NaN propagates; an empty axis is an error). Convention: the
 * gradient is split equally among the elements that tie for the maximum (as in JAX).
 *
 * @module prims/max
 */
import { extremumPrim } from './reduction.js'

export const maxPrim = extremumPrim('max')
