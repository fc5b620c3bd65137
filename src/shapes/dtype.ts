/**
 * The element types, as a type: the dtype arithmetic of the shape types needs it beneath src/tensor.
 *
 * @module shapes/dtype
 */

/**
 * The element types a tensor can hold.
 * @example
 * import { type DType, zeros } from 'nabla'
 * const dtype: DType = 'float64'
 * zeros([2], { dtype }).dtype // 'float64'
 */
export type DType = 'float32' | 'float64'
