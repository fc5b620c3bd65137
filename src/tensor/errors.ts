/**
 * Typed errors. Every failure nabla reports is a `NablaError` subclass whose message names the
 * operation, the argument and the offending value or shapes, so a user can fix the call without
 * reading nabla's source.
 *
 * @module errors
 */

/**
 * Formats a shape as `[2,3]` for messages.
 * @example
 * import { formatShape } from 'nabla'
 * formatShape([2, 3]) // '[2,3]'
 */
export const formatShape = (shape: readonly number[]): string => `[${shape.join(',')}]`

/**
 * Base class of every error nabla throws or returns.
 *
 * @example
 * import { NablaError, ShapeError } from 'nabla'
 * const e = new ShapeError('matmul', 'inner dimensions differ: a is [2,3], b is [4,5]')
 * e instanceof NablaError // true
 */
export class NablaError extends Error {
  /** The operation that failed (`matmul`, `fromArray`, `decodeTensor`, …). */
  readonly op: string
  constructor(op: string, message: string) {
    super(`${op}: ${message}`)
    this.op = op
    this.name = new.target.name
  }
}

/**
 * Shapes that do not fit together, or a shape that is not a valid shape.
 *
 * @example
 * import { ShapeError } from 'nabla'
 * new ShapeError('add', 'cannot broadcast [2,3] with [3,4]').message // 'add: cannot broadcast [2,3] with [3,4]'
 */
export class ShapeError extends NablaError {}

/**
 * An argument with a value the operation cannot accept (an axis out of range, a NaN learning rate, …).
 *
 * @example
 * import { ArgumentError } from 'nabla'
 * new ArgumentError('sum', 'axis 2 is out of range for a tensor of rank 2').op // 'sum'
 */
export class ArgumentError extends NablaError {}

/**
 * Tensors of different dtypes were mixed, or data of an unsupported type was given.
 *
 * @example
 * import { DTypeError } from 'nabla'
 * new DTypeError('add', 'a is float32 but b is float64; cast one explicitly').name // 'DTypeError'
 */
export class DTypeError extends NablaError {}

/**
 * Untrusted data (JSON, a file) that does not decode; `path` names the bad field.
 *
 * @example
 * import { DecodeError } from 'nabla'
 * new DecodeError('decodeTensor', 'data[3] is not a number', 'data[3]').path // 'data[3]'
 */
export class DecodeError extends NablaError {
  readonly path: string
  constructor(op: string, message: string, path = '') {
    super(op, message)
    this.path = path
  }
}

/**
 * A primitive produced NaN or ±Infinity from finite inputs while debug-NaN mode was on.
 *
 * @example
 * import { NonFiniteError } from 'nabla'
 * new NonFiniteError('log', 'produced -Infinity from finite inputs of shapes [3]').op // 'log'
 */
export class NonFiniteError extends NablaError {}

/**
 * An allocation over the memory budget (see `setMemoryBudget`), or one the runtime refused:
 * `bytes` is the size asked for, `budget` the budget in force when it was checked.
 *
 * @example
 * import { ResourceError } from 'nabla'
 * new ResourceError('zeros', 'shape [2147483647] of float64 needs 16 GiB …', 2 ** 34, 2 ** 33).bytes // 17179869184
 */
export class ResourceError extends NablaError {
  /** Bytes the operation asked for. */
  readonly bytes: number
  /** The budget in force, in bytes (NaN when the runtime refused an allocation under it). */
  readonly budget: number
  constructor(op: string, message: string, bytes = Number.NaN, budget = Number.NaN) {
    super(op, message)
    this.bytes = bytes
    this.budget = budget
  }
}
