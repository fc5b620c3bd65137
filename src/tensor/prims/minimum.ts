/**
 * `minimum`: Elementwise minimum with NumPy broadcasting; NaN wins. Convention: at ties the gradient is split equally between the two inputs (as in JAX).
 *
 * @module prims/minimum
 */
import { pairwiseExtremumPrim } from './elementwise.js'

export const minimumPrim = pairwiseExtremumPrim('minimum')
