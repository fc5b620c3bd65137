/**
 * Operands: ops accept a JavaScript number wherever a scalar tensor would do; it takes the dtype of
 * the tensor it meets.
 *
 * @module ops/operand
 */
import { type DType, defaultDType, storageFrom } from '../dtype.js'
import { DTypeError } from '../errors.js'
import { describe } from '../shape.js'
import { type AnyTensor, isTensor, makeTensor } from '../tensor.js'

/**
 * A tensor, or a number standing for a scalar (what the elementwise ops accept).
 * @example
 * import { add, type TensorOrNumber, tensor } from 'nabla'
 * const offset: TensorOrNumber = 2
 * add(tensor([1, 2]), offset) // [3, 4]
 */
export type TensorOrNumber = AnyTensor | number

/** The tensor for an operand; a number becomes a scalar of `dtype`. */
export const toTensor = (op: string, argument: string, value: TensorOrNumber, dtype: DType): AnyTensor => {
  if (typeof value === 'number') return makeTensor([], dtype, storageFrom(dtype, [value]))
  if (isTensor(value)) return value
  throw new DTypeError(op, `${argument} must be a tensor or a number, got ${describe(value)}`)
}

/** The dtype numbers take among these operands: the first tensor's, else float32. */
export const operandDType = (operands: readonly unknown[]): DType => {
  for (const o of operands) if (isTensor(o)) return o.dtype
  return defaultDType
}

/** Converts operands to tensors. */
export const toTensors = (
  op: string,
  names: readonly string[],
  operands: readonly TensorOrNumber[],
): AnyTensor[] => {
  const dtype = operandDType(operands)
  return operands.map((o, i) => toTensor(op, names[i] ?? `arg${i}`, o, dtype))
}

/** Checks that a value is a tensor (for ops that take no numbers). */
export const expectTensor = <T extends AnyTensor>(op: string, argument: string, value: T): T => {
  if (isTensor(value)) return value
  throw new DTypeError(op, `${argument} must be a tensor, got ${describe(value)}`)
}
