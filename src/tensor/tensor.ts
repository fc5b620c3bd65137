/**
 * `Tensor<S, D>`: an immutable n-dimensional array whose shape `S` is a literal tuple type where it
 * is known. A tensor is a value: no function changes it, and its storage is private, so nothing a
 * caller holds can change it either. Create tensors with the constructors (`tensor`, `zeros`,
 * `fromArray`, …) and read them with `toArray`, `toFlat` and `item`.
 *
 * @module tensor
 */
import { formatPlaceholder, formatValues, sourceOf } from '../format/index.js'
import type { DType, Storage } from './dtype.js'
import { ArgumentError } from './errors.js'
import type { Shape } from './shape.js'

/**
 * The JSON form of a tensor: dtype, shape, and the values row-major (non-finite values as strings).
 * @example
 * import type { TensorJSON } from 'nabla'
 * const json: TensorJSON = { dtype: 'float32', shape: [2], data: [1, 'NaN'] }
 */
export interface TensorJSON {
  readonly dtype: DType
  readonly shape: readonly number[]
  readonly data: readonly (number | 'NaN' | 'Infinity' | '-Infinity')[]
}

/**
 * What a trace attaches to a tensor it is following: the interpreter that owns it and the value
 * one level down. Interpreters (in src/grad) extend it with their own bookkeeping.
 * @internal
 */
export interface Box {
  readonly interpreter: Interpreter
  readonly primal: AnyTensor
}

/**
 * A trace that intercepts primitive applications (reverse mode in src/grad). Interpreters nest:
 * each has a level, and a primitive goes to the highest active level among its inputs.
 * @internal
 */
export interface Interpreter {
  readonly level: number
  readonly active: boolean
  /**
   * True when the storage of the tensors it follows is a stand-in, not their values (a `vmap`
   * tracer stands for a whole batch): readers refuse such tensors, and value-dependent shortcuts
   * skip them.
   */
  readonly placeholders?: boolean
  /** The transform this interpreter runs, for messages about its placeholders (`'vmap'`, `'jit'`). */
  readonly transform?: string
  process(prim: import('./prim.js').Prim<any>, inputs: readonly AnyTensor[], params: any): AnyTensor
  /**
   * Called when a tensor this interpreter followed reaches a primitive after the interpreter
   * finished (it leaked out of its trace). A staging trace throws; others let the value through.
   */
  leaked?(op: string): void
}

const constructorToken: unique symbol = Symbol('nabla.Tensor')
let storageOf: (t: AnyTensor) => Storage
let boxOfTensor: (t: AnyTensor) => Box | undefined
/**
 * @internal Replaces a tensor's storage by the same values held elsewhere, or marks it donated
 * (`undefined`: a jitted call reused its memory, and reading it is an `ArgumentError`).
 */
export let moveStorage: (t: AnyTensor, data: Storage | undefined) => void
// the storage of a tensor donated to a jitted call (`jit`'s `donate`): its memory now holds a result
const donated = new Float32Array(0)
// storage a jitted call lent to the one tensor it returned (see `lend`)
const resident = new WeakSet<Storage>()

/**
 * An immutable tensor of shape `S` and dtype `D`. The dtype defaults to `'float32'` (the dtype of
 * every constructor by default), so `Tensor<[2, 3]>` is a float32 tensor; `AnyTensor` is a tensor of
 * either dtype.
 *
 * @example
 * import { tensor } from 'nabla'
 * const x = tensor([[1, 2, 3], [4, 5, 6]]) // Tensor<[2, 3], 'float32'>
 * x.shape // [2, 3]
 * x.size  // 6
 */
export class Tensor<S extends Shape = Shape, D extends DType = 'float32'> {
  /** The length of each dimension, outermost first (frozen). */
  readonly shape: S
  /** The element type. */
  readonly dtype: D
  /** The number of elements. */
  readonly size: number
  #data: Storage
  readonly #box: Box | undefined

  /** @internal Tensors are made by nabla's constructors, never with `new`. */
  constructor(token: typeof constructorToken, shape: S, dtype: D, data: Storage, box: Box | undefined) {
    if (token !== constructorToken)
      throw new TypeError('Tensor: use tensor(), fromArray(), zeros() … to create tensors, not new Tensor()')
    this.shape = shape
    this.dtype = dtype
    this.size = data.length
    this.#data = data
    this.#box = box
    Object.freeze(this)
  }

  static {
    storageOf = (t) => t.#data
    boxOfTensor = (t) => t.#box
    moveStorage = (t, data) => {
      t.#data = data ?? donated
    }
  }

  /**
   * The values NumPy-style under a `Tensor<[2,3], float32>` header; tensors of more than 1,000
   * elements show the ends of each axis with `...` between (`formatTensor` takes options).
   */
  toString(): string {
    const transform = this.#data === donated ? 'donate' : placeholderOf(this as AnyTensor)
    return transform === undefined
      ? formatValues({ shape: this.shape, dtype: this.dtype, data: this.#data })
      : formatPlaceholder(this.shape, this.dtype, transform)
  }

  /**
   * The JSON form `{ dtype, shape, data }` (row-major values; NaN and ±Infinity as the strings
   * "NaN", "Infinity", "-Infinity"), so `JSON.stringify(params)` keeps the weights. `fromJSON` and
   * `TensorCodec` read it back.
   */
  toJSON(): TensorJSON {
    const transform = placeholderOf(this as AnyTensor)
    if (transform !== undefined)
      throw new ArgumentError('toJSON', `cannot read the values of a tensor inside ${transform}`)
    return {
      dtype: this.dtype,
      shape: [...this.shape],
      data: Array.from(storage(this as AnyTensor), (v) =>
        Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity',
      ),
    }
  }

  /** Node's `util.inspect` (and so `console.log`) prints what `toString` does. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }

  /** fast-check prints a tensor in a counterexample as code that rebuilds it exactly. */
  [Symbol.for('fast-check/toStringMethod')](): string {
    return sourceOf({ shape: this.shape, dtype: this.dtype, data: this.#data })
  }
}

/**
 * A tensor of any dtype (`Tensor<S>` alone is float32).
 * @example
 * import { type AnyTensor, tensor } from 'nabla'
 * const xs: AnyTensor[] = [tensor([1]), tensor([1], { dtype: 'float64' })]
 */
export type AnyTensor<S extends Shape = Shape> = Tensor<S, DType>

/**
 * Whether a value is a nabla tensor.
 * @example
 * import { isTensor, tensor } from 'nabla'
 * isTensor(tensor([1])) // true
 * isTensor([1]) // false
 */
export const isTensor = (value: unknown): value is AnyTensor => value instanceof Tensor

/**
 * Wraps storage as a tensor. The storage must be fresh (nobody else may hold it), or another
 * tensor's, shared as values that never change; storage a jitted call lent (`lend`) is
 * copied instead, so only the tensor it was lent to ever holds it.
 * @internal
 */
export const makeTensor = <S extends Shape, D extends DType>(
  shape: S,
  dtype: D,
  data: Storage<D>,
  box?: Box,
): Tensor<S, D> =>
  new Tensor(
    constructorToken,
    Object.isFrozen(shape) ? shape : (Object.freeze(shape.slice()) as unknown as S),
    dtype,
    resident.has(data) ? (data.slice() as Storage<D>) : data,
    box,
  )

/**
 * @internal Marks `view` as lent by a jitted call to the tensor just made over it (the call moves the
 * values out, or takes the tensor back as a donation, before it writes that memory again).
 */
export const lend = (view: Storage): void => void resident.add(view)

/**
 * The storage of a tensor. Internal: callers must never write to it.
 * @internal
 */
export const storage = <D extends DType>(t: Tensor<Shape, D>): Storage<D> => {
  const data = storageOf(t as AnyTensor)
  if (data === donated)
    throw new ArgumentError('jit', 'this tensor was donated to a jitted call, which reused its memory')
  return data as Storage<D>
}

/** @internal The box of a traced tensor, if any. */
export const boxOf = (t: AnyTensor): Box | undefined => boxOfTensor(t)

/**
 * @internal The box `interpreter` put on `t`, or undefined when it does not follow `t`. Boxes of
 * higher levels and of finished traces are looked through; a box of a lower level ends the search.
 */
export const boxFor = (t: AnyTensor, interpreter: Interpreter): Box | undefined => {
  let box = boxOf(t)
  while (
    box !== undefined &&
    box.interpreter !== interpreter &&
    (box.interpreter.level > interpreter.level || !box.interpreter.active)
  )
    box = boxOf(box.primal)
  return box !== undefined && box.interpreter === interpreter ? box : undefined
}

/**
 * The tensor as seen below `level`: boxes of that level or above, and boxes of finished traces,
 * are removed.
 * @internal
 */
export const lowerTo = (t: AnyTensor, level: number): AnyTensor => {
  let box = boxOfTensor(t)
  while (box !== undefined && (box.interpreter.level >= level || !box.interpreter.active)) {
    t = box.primal
    box = boxOfTensor(t)
  }
  return t
}

/**
 * The transform (`'vmap'`, `'jit'`) whose placeholder `t` is, or undefined when the storage of `t`
 * holds its values: inside `vmap` a tensor stands for a whole batch, inside `jit` for the values of
 * every later call.
 * @internal
 */
export const placeholderOf = (t: AnyTensor): string | undefined => {
  for (let box = boxOfTensor(t); box !== undefined; box = boxOfTensor(box.primal))
    if (box.interpreter.active && box.interpreter.placeholders === true)
      return box.interpreter.transform ?? 'a transform'
  return undefined
}

/**
 * Whether the storage of `t` holds its values: false inside `vmap`, where a tensor stands for a
 * whole batch and its storage is a stand-in, and inside `jit`, where it stands for every call.
 * @internal
 */
export const hasValues = (t: AnyTensor): boolean => placeholderOf(t) === undefined

/**
 * The same values with every trace removed: no gradient flows through the result.
 * @internal
 */
export const detach = <S extends Shape, D extends DType>(t: Tensor<S, D>): Tensor<S, D> =>
  boxOfTensor(t) === undefined ? t : makeTensor(t.shape, t.dtype, storageOf(t) as Storage<D>)
