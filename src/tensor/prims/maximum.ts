/**
 * `maximum`: Elementwise maximum with NumPy broadcasting; NaN wins. Convention: at ties the gradient is split equally between the two inputs (as in JAX).
 *
 * @module prims/maximum
 */
import { pairwiseExtremumPrim } from './elementwise.js'

export const maximumPrim = pairwiseExtremumPrim('maximum')
