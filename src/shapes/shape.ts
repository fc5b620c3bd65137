/**
 * The runtime value every shape type describes.
 *
 * @module shapes/shape
 */

/**
 * A shape: the length of each dimension, outermost first. `[]` is a scalar.
 * @example
 * import { type Shape, zeros } from 'nabla'
 * const shape: Shape = [2, 3]
 * zeros(shape).size // 6
 */
export type Shape = readonly number[]
