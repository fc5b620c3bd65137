/**
 * Constructors. `tensor` infers the literal shape of a nested array literal; `fromArray` takes
 * untrusted flat data and returns an `Either` instead of throwing. Every constructor copies what
 * it is given, so a caller who later changes their array never changes a tensor.
 *
 * @module constructors
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Mutable, NestedArray, NestedShape } from '../shapes/index.js'
import { checkBudget } from './budget.js'
import {
  allocate,
  bytesPerElement,
  type DType,
  defaultDType,
  isDType,
  type Storage,
  storageFrom,
} from './dtype.js'
import { ArgumentError, DTypeError, formatShape, type NablaError, ShapeError } from './errors.js'
import { describe, type Shape, sizeOf, validateShape } from './shape.js'
import { makeTensor, type Tensor } from './tensor.js'

/**
 * Options of every constructor.
 * @example
 * import { ones } from 'nabla'
 * ones([2, 2], { dtype: 'float64' }) // Tensor<[2, 2], 'float64'>
 */
export interface DTypeOption<D extends DType> {
  /** Element type (default float32). */
  readonly dtype?: D
}

const dtypeOf = <D extends DType>(op: string, options: DTypeOption<D> | undefined): D => {
  const dtype = options?.dtype ?? defaultDType
  if (!isDType(dtype))
    throw new DTypeError(op, `dtype must be 'float32' or 'float64', got ${describe(dtype)}`)
  return dtype as D
}

const checkNumber = (op: string, value: unknown, where: string): number => {
  if (typeof value !== 'number')
    throw new DTypeError(
      op,
      `${where} must be a number, got ${describe(value)}${typeof value === 'bigint' ? '; convert it with Number()' : ''}`,
    )
  return value
}

/** Walks a nested array: its shape (checking that it is not ragged) and flat values. */
const flatten = (op: string, data: unknown): { shape: number[]; values: number[] } => {
  const shape: number[] = []
  let level: unknown = data
  while (Array.isArray(level)) {
    shape.push(level.length)
    level = level[0]
  }
  const values: number[] = []
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(node))
        throw new ShapeError(
          op,
          `ragged nested array: data${path} is an array of length ${node.length} but its siblings are numbers`,
        )
      values.push(checkNumber(op, node, `data${path}`))
      return
    }
    if (!Array.isArray(node) || node.length !== shape[depth])
      throw new ShapeError(
        op,
        `ragged nested array: data${path} ${Array.isArray(node) ? `has length ${node.length}` : `is ${describe(node)}`} but its siblings have length ${shape[depth]}`,
      )
    for (let i = 0; i < node.length; i++) walk(node[i], depth + 1, `${path}[${i}]`)
  }
  walk(data, 0, '')
  return { shape, values }
}

/**
 * A tensor from a nested array literal; the shape is inferred in the type.
 * @example
 * import { tensor } from 'nabla'
 * const x = tensor([[1, 2, 3], [4, 5, 6]])            // Tensor<[2, 3], 'float32'>
 * const y = tensor([1, 2], { dtype: 'float64' })      // Tensor<[2], 'float64'>
 * const s = tensor(5)                                 // Tensor<[], 'float32'>
 */
export const tensor = <const T extends NestedArray, D extends DType = 'float32'>(
  data: T,
  options?: DTypeOption<D>,
): Tensor<NestedShape<T>, NoInfer<D>> => {
  const dtype = dtypeOf('tensor', options)
  const { shape, values } = flatten('tensor', data)
  return makeTensor(validateShape('tensor', shape), dtype, storageFrom(dtype, values) as Storage<D>) as never
}

/**
 * A rank-0 tensor.
 * @example
 * import { scalar } from 'nabla'
 * scalar(3).shape // []
 */
export const scalar = <D extends DType = 'float32'>(
  value: number,
  options?: DTypeOption<D>,
): Tensor<[], NoInfer<D>> => {
  const dtype = dtypeOf('scalar', options)
  return makeTensor([], dtype, storageFrom(dtype, [checkNumber('scalar', value, 'value')]) as Storage<D>)
}

/**
 * A tensor of `shape` filled with `value`.
 * @example
 * import { full } from 'nabla'
 * full([2, 2], 7) // [[7, 7], [7, 7]]: Tensor<[2, 2]>
 */
export const full = <const S extends Shape, D extends DType = 'float32'>(
  shape: S,
  value: number,
  options?: DTypeOption<D>,
): Tensor<Mutable<S>, NoInfer<D>> => filled('full', shape, value, options)

/** `full` under the name of the constructor the caller used (errors name `zeros`, `ones`, …). */
const filled = <const S extends Shape, D extends DType>(
  op: string,
  shape: S,
  value: number,
  options: DTypeOption<D> | undefined,
): Tensor<Mutable<S>, D> => {
  const dtype = dtypeOf(op, options)
  const s = validateShape(op, shape)
  checkBudget(op, `shape ${formatShape(s)} of ${dtype}`, sizeOf(s) * bytesPerElement(dtype))
  const data = allocate(dtype, sizeOf(s), op)
  data.fill(checkNumber(op, value, 'value'))
  return makeTensor(s as Mutable<S>, dtype, data)
}

/**
 * Zeros.
 * @example
 * import { zeros } from 'nabla'
 * zeros([3, 4], { dtype: 'float64' }) // Tensor<[3, 4], 'float64'>
 */
export const zeros = <const S extends Shape, D extends DType = 'float32'>(
  shape: S,
  options?: DTypeOption<D>,
): Tensor<Mutable<S>, NoInfer<D>> => filled('zeros', shape, 0, options)

/**
 * Ones.
 * @example
 * import { ones } from 'nabla'
 * ones([2]) // [1, 1]
 */
export const ones = <const S extends Shape, D extends DType = 'float32'>(
  shape: S,
  options?: DTypeOption<D>,
): Tensor<Mutable<S>, NoInfer<D>> => filled('ones', shape, 1, options)

/**
 * Evenly spaced values in [start, stop) with `step` (one argument: [0, stop)).
 * @example
 * import { arange } from 'nabla'
 * arange(4)        // [0, 1, 2, 3]
 * arange(1, 2, 0.5) // [1, 1.5]
 */
export const arange = <D extends DType = 'float32'>(
  start: number,
  stop?: number,
  step = 1,
  options?: DTypeOption<D>,
): Tensor<[number], NoInfer<D>> => {
  const dtype = dtypeOf('arange', options)
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop]
  for (const [name, v] of [
    ['start', lo],
    ['stop', hi],
    ['step', step],
  ] as const)
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ArgumentError('arange', `${name} must be a finite number, got ${describe(v)}`)
  if (step === 0) throw new ArgumentError('arange', 'step must not be 0')
  const n = Math.max(0, Math.ceil((hi - lo) / step))
  validateShape('arange', [n])
  return makeTensor(
    [n],
    dtype,
    storageFrom(
      dtype,
      Array.from({ length: n }, (_, i) => lo + i * step),
    ) as Storage<D>,
  )
}

/**
 * `num` evenly spaced values from `start` to `stop` inclusive.
 * @example
 * import { linspace } from 'nabla'
 * linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1]: Tensor<[5]>
 */
export const linspace = <N extends number, D extends DType = 'float32'>(
  start: number,
  stop: number,
  num: N,
  options?: DTypeOption<D>,
): Tensor<[N], NoInfer<D>> => {
  const dtype = dtypeOf('linspace', options)
  if (!Number.isFinite(start) || !Number.isFinite(stop))
    throw new ArgumentError('linspace', 'start and stop must be finite numbers')
  const [n] = validateShape('linspace', [num], 'num')
  const values = Array.from({ length: n! }, (_, i) =>
    n === 1 ? start : start + ((stop - start) * i) / (n! - 1),
  )
  return makeTensor([num], dtype, storageFrom(dtype, values) as Storage<D>)
}

/**
 * The identity matrix (`n × m`, default square).
 * @example
 * import { eye } from 'nabla'
 * eye(2) // [[1, 0], [0, 1]]: Tensor<[2, 2]>
 */
export const eye = <N extends number, M extends number = N, D extends DType = 'float32'>(
  n: N,
  m?: M,
  options?: DTypeOption<D>,
): Tensor<[N, M], NoInfer<D>> => {
  const dtype = dtypeOf('eye', options)
  const cols = m ?? n
  const shape = validateShape('eye', [n, cols])
  checkBudget('eye', `shape ${formatShape(shape)} of ${dtype}`, sizeOf(shape) * bytesPerElement(dtype))
  const data = allocate(dtype, sizeOf(shape), 'eye')
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1
  return makeTensor([n, cols as M], dtype, data)
}

/**
 * Flat data `fromArray` accepts: plain numbers, or a Float32Array / Float64Array (copied).
 * @example
 * import { fromArrayOrThrow } from 'nabla'
 * fromArrayOrThrow(new Float64Array([1, 2, 3, 4]), [2, 2]) // Tensor<[2, 2], 'float64'>
 */
export type FlatData = readonly number[] | Float32Array | Float64Array

/**
 * The dtype `fromArray` gives data when none is asked for: a Float64Array's is float64.
 * @example
 * import type { DTypeOfData } from 'nabla'
 * type D = DTypeOfData<Float64Array> // 'float64'; DTypeOfData<number[]> is 'float32'
 */
export type DTypeOfData<T> = T extends Float64Array ? 'float64' : 'float32'

const copyFlat = (op: string, data: unknown, dtype: DType, explicit: boolean): Storage => {
  if (data instanceof Float32Array || data instanceof Float64Array) {
    const own: DType = data instanceof Float64Array ? 'float64' : 'float32'
    if (explicit && own !== dtype)
      throw new DTypeError(
        op,
        `data is a ${data.constructor.name} but dtype ${dtype} was asked for; convert it explicitly or cast() the tensor`,
      )
    return storageFrom(own, data)
  }
  if (ArrayBuffer.isView(data))
    throw new DTypeError(
      op,
      `data is a ${data.constructor.name}; nabla holds float32 or float64: pass Float32Array.from(data) or a number array`,
    )
  if (!Array.isArray(data))
    throw new DTypeError(
      op,
      `data must be an array of numbers or a Float32Array/Float64Array, got ${describe(data)}`,
    )
  for (let i = 0; i < data.length; i++) checkNumber(op, data[i], `data[${i}]`)
  return storageFrom(dtype, data as number[])
}

/**
 * A tensor from flat row-major data, validated: a length that does not match the shape, a bad
 * dimension or a non-number is a `Left` naming what was wrong. Typed arrays fix the dtype
 * (Float64Array → float64) unless it is given and disagrees, which is an error.
 * @example
 * import { fromArray } from 'nabla'
 * import * as E from 'fp-ts/lib/Either.js'
 * const r = fromArray([1, 2, 3, 4, 5, 6], [2, 3]) // Right(Tensor<[2, 3]>)
 * E.isLeft(fromArray([1, 2, 3], [2, 2]))           // true: 3 values for 4 elements
 */
export const fromArray = <
  const S extends Shape,
  T extends FlatData = FlatData,
  D extends DType = DTypeOfData<T>,
>(
  data: T,
  shape: S,
  options?: DTypeOption<D>,
): E.Either<NablaError, Tensor<Mutable<S>, D>> =>
  E.tryCatch(
    () => fromArrayOrThrow(data, shape, options),
    (e) => e as NablaError,
  )

/**
 * `fromArray` that throws the `NablaError` instead of returning it.
 * @example
 * import { fromArrayOrThrow } from 'nabla'
 * fromArrayOrThrow([1, 2], [2]).shape // [2]
 */
export const fromArrayOrThrow = <
  const S extends Shape,
  T extends FlatData = FlatData,
  D extends DType = DTypeOfData<T>,
>(
  data: T,
  shape: S,
  options?: DTypeOption<D>,
): Tensor<Mutable<S>, D> => {
  const dtype = dtypeOf('fromArray', options)
  const s = validateShape('fromArray', shape)
  const storage = copyFlat('fromArray', data, dtype, options?.dtype !== undefined)
  if (storage.length !== sizeOf(s))
    throw new ShapeError(
      'fromArray',
      `data has ${storage.length} values but shape [${s.join(',')}] needs ${sizeOf(s)}`,
    )
  const own = (storage instanceof Float64Array ? 'float64' : 'float32') as D
  return makeTensor(s as Mutable<S>, own, storage as Storage<D>)
}
