/**
 * One tensor as JSON: `{ "dtype", "shape", "data" }` with row-major values, NaN, ±Infinity and
 * −0 as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"`. The io-ts codec validates
 * untrusted input field by field, with a context path for every failure, and allocates only after
 * the shape and data length agree.
 *
 * @module leaf
 */
import * as t from 'io-ts'
import {
  type AnyTensor,
  allocate,
  budgetProblem,
  bytesPerElement,
  type DType,
  isDType,
  isTensor,
  makeTensor,
  maxSize,
  memoryBudget,
  ResourceError,
  shapesEqual,
  storage,
} from '../../tensor/internal.js'
import { isRecord, type TensorSpec } from './tree.js'

/**
 * A JSON value of a tensor element.
 * @example
 * import type { JSONElement } from 'nabla'
 * const values: JSONElement[] = [1.5, 'NaN', '-0']
 */
export type JSONElement = number | 'NaN' | 'Infinity' | '-Infinity' | '-0'

/**
 * The JSON form of one tensor.
 * @example
 * import type { TensorJSONLeaf } from 'nabla'
 * const leaf: TensorJSONLeaf = { dtype: 'float32', shape: [2], data: [1, 'Infinity'] }
 */
export interface TensorJSONLeaf {
  readonly dtype: DType
  readonly shape: readonly number[]
  readonly data: readonly JSONElement[]
}

/** A short JSON rendering of a value for messages. */
export const describeValue = (u: unknown): string => {
  const s = JSON.stringify(u)
  return s === undefined ? String(u) : s.length > 40 ? `${s.slice(0, 40)}…` : s
}
const formatShape = (shape: readonly number[]): string => `[${shape.join(',')}]`
/**
 * The property path of an io-ts context (`params.layers[0].w.data[3]`; '' at the root).
 * @example
 * import * as t from 'io-ts'
 * import { at, contextPath } from './leaf.js'
 * const root: t.Context = [{ key: '', type: t.unknown, actual: { w: [1] } }]
 * contextPath(at(at(root, 'w', [1]), 0, 1)) // 'w[0]'
 */
export const contextPath = (context: t.Context): string => {
  let path = ''
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]!.actual
    const k = context[i]!.key
    path = Array.isArray(parent) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`
  }
  return path
}

/** The io-ts context one step down, at `key`. */
export const at = (c: t.Context, key: string | number, actual: unknown): t.Context =>
  t.appendContext(c, String(key), t.unknown, actual)

const encodeElement = (v: number): JSONElement =>
  Number.isNaN(v)
    ? 'NaN'
    : v === Number.POSITIVE_INFINITY
      ? 'Infinity'
      : v === Number.NEGATIVE_INFINITY
        ? '-Infinity'
        : Object.is(v, -0)
          ? '-0'
          : v

const specialElements: ReadonlyMap<unknown, number> = new Map([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
])

const validateLeaf = (u: unknown, c: t.Context, spec: TensorSpec | undefined): t.Validation<AnyTensor> => {
  if (!isRecord(u))
    return t.failure(u, c, `expected a tensor { dtype, shape, data }, got ${describeValue(u)}`)
  for (const k of Object.keys(u))
    if (k !== 'dtype' && k !== 'shape' && k !== 'data')
      return t.failure(u[k], at(c, k, u[k]), `unknown key "${k}" (a tensor has keys dtype, shape, data)`)
  for (const k of ['dtype', 'shape', 'data'])
    if (!Object.hasOwn(u, k))
      return t.failure(
        undefined,
        at(c, k, undefined),
        `missing key "${k}" (a tensor has keys dtype, shape, data)`,
      )
  const { dtype, shape, data } = u
  if (!isDType(dtype))
    return t.failure(
      dtype,
      at(c, 'dtype', dtype),
      `expected "float32" or "float64", got ${describeValue(dtype)}`,
    )
  if (!Array.isArray(shape))
    return t.failure(
      shape,
      at(c, 'shape', shape),
      `expected an array of dimensions, got ${describeValue(shape)}`,
    )
  let size = 1
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i]
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      return t.failure(
        d,
        at(at(c, 'shape', shape), i, d),
        `expected a non-negative integer, got ${describeValue(d)}`,
      )
    size *= d
  }
  if (size > maxSize)
    return t.failure(
      shape,
      at(c, 'shape', shape),
      `shape ${formatShape(shape)} has more than ${maxSize} elements`,
    )
  if (spec !== undefined) {
    if (!shapesEqual(shape, spec.shape))
      return t.failure(
        shape,
        at(c, 'shape', shape),
        `expected shape ${formatShape(spec.shape)} (from the template), got ${formatShape(shape)}`,
      )
    if (spec.dtype !== undefined && spec.dtype !== dtype)
      return t.failure(
        dtype,
        at(c, 'dtype', dtype),
        `expected dtype ${spec.dtype} (from the template), got ${dtype}`,
      )
  }
  if (!Array.isArray(data))
    return t.failure(data, at(c, 'data', data), `expected an array of numbers, got ${describeValue(data)}`)
  if (data.length !== size)
    return t.failure(
      data,
      at(c, 'data', data),
      `has ${data.length} values but shape ${formatShape(shape)} needs ${size}`,
    )
  // a size over the memory budget is a resource problem, not malformed data: thrown, not a failure
  const bytes = size * bytesPerElement(dtype)
  const overBudget = budgetProblem(bytes)
  if (overBudget !== undefined)
    throw new ResourceError(
      'tensorJSONCodec',
      `${contextPath(c) || 'input'}: shape ${formatShape(shape)} of ${dtype} ${overBudget}`,
      bytes,
      memoryBudget(),
    )
  const out = allocate(dtype, size)
  for (let i = 0; i < size; i++) {
    const v: unknown = data[i]
    const n = typeof v === 'number' ? v : specialElements.get(v)
    if (n === undefined)
      return t.failure(
        v,
        at(at(c, 'data', data), i, v),
        `expected a number or "NaN", "Infinity", "-Infinity", "-0", got ${describeValue(v)}`,
      )
    out[i] = n
    if (typeof v === 'number' && !Number.isFinite(out[i]!))
      return t.failure(v, at(at(c, 'data', data), i, v), `${describeValue(v)} overflows ${dtype}`)
  }
  return t.success(makeTensor([...shape] as number[], dtype, out))
}

const encodeLeaf = (x: AnyTensor): TensorJSONLeaf => ({
  dtype: x.dtype,
  shape: [...x.shape],
  data: Array.from(storage(x), encodeElement),
})

/**
 * Codec of one tensor as `{ dtype, shape, data }`, optionally checked against a spec.
 * @example
 * import { tensorJSONCodec, tensor } from 'nabla'
 * tensorJSONCodec().encode(tensor([1, -0, Number.NaN])) // { dtype: 'float32', shape: [3], data: [1, '-0', 'NaN'] }
 */
export const tensorJSONCodec = (spec?: TensorSpec): t.Type<AnyTensor, TensorJSONLeaf, unknown> =>
  new t.Type('TensorJSON', isTensor, (u, c) => validateLeaf(u, c, spec), encodeLeaf)
