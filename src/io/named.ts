/**
 * Named dimensions: `Dim<'batch'>` is a number branded with a name, so `Tensor<[Dim<'batch'>, 10]>`
 * and `Tensor<[Dim<'seq'>, 10]>` do not mix (broadcasting them does not compile) and messages show
 * the name (`cannot broadcast [${Dim<"batch">},10] with [${Dim<"seq">},10]`). A size read at run
 * time becomes a named dimension with `dim`, and a tensor gets a checked shape type with
 * `withShape`, which compares every dimension at run time and returns the narrowed type.
 *
 * @module io/named
 */
import {
  ArgumentError,
  type DType,
  describe,
  expectTensor,
  formatShape,
  ShapeError,
  type Tensor,
} from '../tensor/internal.js'

declare const dimName: unique symbol

/**
 * A dimension size carrying a name: a number at run time, a distinct type at compile time.
 * @example
 * import { dim, type Dim } from 'nabla'
 * const batch: Dim<'batch'> = dim('batch', 32)
 */
export type Dim<Name extends string> = number & { readonly [dimName]: Name }

/**
 * Names a size: `dim('batch', x.shape[0])` is that number, typed `Dim<'batch'>`. The size must be
 * a non-negative integer.
 * @example
 * import { dim } from 'nabla'
 * const batch = dim('batch', 32) // 32: Dim<'batch'>
 */
export const dim = <const Name extends string>(name: Name, size: number): Dim<Name> => {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0)
    throw new ArgumentError('dim', `${name} must be a non-negative integer size, got ${describe(size)}`)
  return size as Dim<Name>
}

/**
 * The tensor with the shape type `shape`, after checking at run time that its shape is exactly
 * `shape` (a `ShapeError` naming both otherwise). Use it where a shape is only known at run time
 * (loaded data) to give it literal and named dimensions the compiler then checks.
 * @example
 * import { dim, withShape, zeros } from 'nabla'
 * const loaded = zeros([32, 784] as number[])
 * const batch = dim('batch', loaded.shape[0] ?? 0)
 * const x = withShape(loaded, [batch, 784]) // Tensor<[Dim<'batch'>, 784]>
 */
export const withShape = <D extends DType, const S extends readonly number[]>(
  t: Tensor<readonly number[], D>,
  shape: S,
): Tensor<{ -readonly [K in keyof S]: S[K] }, D> => {
  const x = expectTensor('withShape', 't', t)
  if (!Array.isArray(shape))
    throw new ArgumentError('withShape', `shape must be an array of dimensions, got ${describe(shape)}`)
  if (x.shape.length !== shape.length || x.shape.some((d, i) => d !== shape[i]))
    throw new ShapeError(
      'withShape',
      `the tensor has shape ${formatShape(x.shape)}, not ${formatShape(shape)}`,
    )
  return x as Tensor<readonly number[], D> as Tensor<{ -readonly [K in keyof S]: S[K] }, D>
}
