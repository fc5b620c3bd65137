/**
 * Argument and shape checks the layers share: sizes are positive integers, parameters and inputs
 * have the shapes the layer was built for. Each failure names the layer and what was wrong.
 *
 * @module layers/checks
 */
import { type AnyTensor, ArgumentError, type DType, formatShape, ShapeError } from '../../tensor/index.js'
import { isDType, shapesEqual } from '../../tensor/internal.js'

/** A positive integer, or an `ArgumentError` naming the option. */
export const positiveInteger = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ArgumentError(op, `${name} must be a positive integer, got ${String(value)}`)
  return value
}

/** A dtype option (default float32), or an `ArgumentError`. */
export const dtypeOption = <D extends DType>(op: string, dtype: D | undefined): D => {
  const d = dtype ?? 'float32'
  if (!isDType(d)) throw new ArgumentError(op, `dtype must be 'float32' or 'float64', got ${String(d)}`)
  return d as D
}

/** Throws a `ShapeError` unless `t` has exactly `expected` as its shape. */
export const expectShape = (op: string, what: string, t: AnyTensor, expected: readonly number[]): void => {
  if (!shapesEqual(t.shape, expected))
    throw new ShapeError(
      op,
      `${what} has shape ${formatShape(t.shape)} but the layer needs ${formatShape(expected)}`,
    )
}

/** Throws a `ShapeError` unless `x` is a batch `[B, ...perExample]`. */
export const expectBatch = (op: string, x: AnyTensor, perExample: readonly number[]): void => {
  if (x.shape.length !== perExample.length + 1 || !shapesEqual(x.shape.slice(1), perExample))
    throw new ShapeError(
      op,
      `x has shape ${formatShape(x.shape)} but the layer expects [batch,${perExample.join(',')}]`,
    )
}
