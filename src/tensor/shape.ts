/**
 * Runtime shape rules: validation, sizes, strides, NumPy broadcasting and axis normalisation.
 * Every rule throws a `ShapeError` or `ArgumentError` naming the op, the argument and the shapes.
 * The type-level twins of these rules live in src/shapes.
 *
 * @module shape
 */
import type { Shape } from '../shapes/index.js'
import { ArgumentError, formatShape, ShapeError } from './errors.js'

export type { Shape }

/** Largest element count nabla allocates (2^31 − 1): larger shapes are rejected before allocating. */
export const maxSize = 2 ** 31 - 1

/** Number of elements of a shape (1 for a scalar). */
export const sizeOf = (shape: Shape): number => {
  let size = 1
  for (const d of shape) size *= d
  return size
}

/**
 * Checks that `shape` is an array of non-negative integers whose product fits in memory;
 * returns a frozen copy.
 *
 * @example
 * import { validateShape } from './shape.js'
 * validateShape('zeros', [2, 3]) // [2, 3]
 */
export const validateShape = (op: string, shape: unknown, argument = 'shape'): Shape => {
  if (!Array.isArray(shape))
    throw new ShapeError(op, `${argument} must be an array of dimensions, got ${describe(shape)}`)
  let size = 1
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i]
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      throw new ShapeError(
        op,
        `${argument}[${i}] must be a non-negative integer, got ${describe(d)} in ${describeShape(shape)}`,
      )
    size *= d
  }
  if (size > maxSize)
    throw new ShapeError(
      op,
      `${argument} ${formatShape(shape)} has ${size} elements, more than the ${maxSize} allowed`,
    )
  return Object.freeze(shape.slice()) as Shape
}

const describeShape = (shape: readonly unknown[]): string => `[${shape.map(describe).join(',')}]`

/** A short description of any value for error messages. */
export const describe = (value: unknown): string => {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value)
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n (a BigInt)`
  if (value === null) return 'null'
  if (Array.isArray(value)) return `an array of length ${value.length}`
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`
  return typeof value === 'object' ? 'an object' : String(value)
}

/** Row-major strides of a shape. */
export const stridesOf = (shape: Shape): number[] => {
  const strides = new Array<number>(shape.length)
  let stride = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride
    stride *= shape[i]!
  }
  return strides
}

/** Whether two shapes are equal. */
export const shapesEqual = (a: Shape, b: Shape): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * NumPy broadcasting: shapes are aligned on the right, and each pair of dimensions must be equal
 * or one of them 1.
 *
 * @example
 * import { broadcastShapes } from 'nabla'
 * broadcastShapes('add', [3, 1], [1, 4]) // [3, 4]
 */
export const broadcastShapes = (op: string, a: Shape, b: Shape): Shape => {
  if (shapesEqual(a, b)) return a
  const rank = Math.max(a.length, b.length)
  const out = new Array<number>(rank)
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1
    const db = b[b.length - rank + i] ?? 1
    if (da === db || db === 1) out[i] = da
    else if (da === 1) out[i] = db
    else
      throw new ShapeError(
        op,
        `cannot broadcast ${formatShape(a)} with ${formatShape(b)}: ${broadcastClash(a, b)}`,
      )
  }
  return out
}

/**
 * Where two shapes first fail to broadcast, for messages: `axis 1 (aligned from the right) is 2 vs 3`,
 * or `undefined` when they broadcast.
 *
 * @example
 * import { broadcastClash } from './shape.js'
 * broadcastClash([3, 2], [3]) // 'axis 1 (aligned from the right) is 2 vs 3; dimensions must be equal or 1'
 */
export const broadcastClash = (a: Shape, b: Shape): string | undefined => {
  const rank = Math.max(a.length, b.length)
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1
    const db = b[b.length - rank + i] ?? 1
    if (da !== db && da !== 1 && db !== 1)
      return `axis ${i} (aligned from the right) is ${da} vs ${db}; dimensions must be equal or 1`
  }
  return undefined
}

/**
 * Normalises an axis argument (a number, an array, or undefined for all axes) to sorted,
 * distinct, non-negative axes.
 */
export const normalizeAxes = (
  op: string,
  axis: number | readonly number[] | undefined,
  rank: number,
): readonly number[] => {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i)
  const list = typeof axis === 'number' ? [axis] : axis
  if (!Array.isArray(list))
    throw new ArgumentError(op, `axis must be a number or an array of numbers, got ${describe(axis)}`)
  const seen = new Set<number>()
  for (const a of list) seen.add(normalizeAxis(op, a, rank))
  if (seen.size !== list.length) throw new ArgumentError(op, `axis ${JSON.stringify(list)} repeats an axis`)
  return [...seen].sort((x, y) => x - y)
}

/** Normalises one axis (negative counts from the end); throws when out of range. */
export const normalizeAxis = (op: string, axis: unknown, rank: number, argument = 'axis'): number => {
  if (typeof axis !== 'number' || !Number.isInteger(axis))
    throw new ArgumentError(op, `${argument} must be an integer, got ${describe(axis)}`)
  if (axis < -rank || axis >= rank)
    throw new ArgumentError(op, `${argument} ${axis} is out of range for a tensor of rank ${rank}`)
  return axis < 0 ? axis + rank : axis
}
