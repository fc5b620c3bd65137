/**
 * Dense layers and multilayer perceptrons, as `Layer`s (see layer.ts): a layer is its
 * configuration (sizes, activation, initialiser, dtype) plus two pure functions, `init(key)` →
 * parameters and `apply(params, x)` → a batch. Parameters are readonly records of tensors (pytrees)
 * and hold nothing but tensors, so `grad`, the optimizers and the serialisers see exactly the
 * numbers to learn; the configuration stays on the layer.
 *
 * Shapes are in the types: `dense(784, 128).apply(p, x)` maps `Tensor<[B, 784]>` to
 * `Tensor<[B, 128]>` for any batch size `B`, and `mlp([784, 128, 10])` has parameters typed
 * `[{ w: [784, 128], b: [128] }, { w: [128, 10], b: [10] }]`. `sequential(l1, l2, …)` composes
 * layers and does not compile when one layer's output is not the next one's input (and is a
 * `ShapeError` at run time when sizes are only known then). The dtype is chosen when the layer is
 * made (`dense(3, 2, { dtype: 'float64' })`), float32 by default.
 *
 * @example
 * import { dense, key, sequential, zeros } from 'nabla'
 * const net = sequential(dense(784, 128, { activation: 'relu' }), dense(128, 10))
 * const params = net.init(key(0))
 * const logits = net.apply(params, zeros([32, 784])) // Tensor<[32, 10]>
 *
 * @module layers
 */
import {
  type AnyTensor,
  ArgumentError,
  add,
  type DType,
  formatShape,
  matmul,
  ShapeError,
  type Tensor,
  zeros,
} from '../tensor/index.js'
import { isDType, shapesEqual } from '../tensor/internal.js'
import { type ActivationName, activation as activationByName, isActivationName } from './activations.js'
import { type InitializerName, initializers } from './init.js'
import type { Layer } from './layer.js'
import { type Key, split } from './random/index.js'

// ---------------------------------------------------------------------------------------------
// dense

/**
 * The parameters of a dense layer: weights `w: [in, out]` and biases `b: [out]`. (A type alias, not
 * an interface, so it is assignable to `Pytree`.)
 * @example
 * import { type DenseParams, zeros } from 'nabla'
 * const p: DenseParams<3, 2> = { w: zeros([3, 2]), b: zeros([2]) }
 */
export type DenseParams<I extends number = number, O extends number = number, D extends DType = 'float32'> = {
  readonly w: Tensor<[I, O], D>
  readonly b: Tensor<[O], D>
}

/**
 * Options of `dense`.
 * @example
 * import { dense } from 'nabla'
 * dense(784, 128, { activation: 'relu', initializer: 'heNormal', dtype: 'float64' })
 */
export interface DenseOptions<D extends DType = 'float32'> {
  /** Applied after `x·w + b` (default `'identity'`). */
  readonly activation?: ActivationName
  /** How `w` starts (default `heUniform` for relu-like activations, else `glorotUniform`). */
  readonly initializer?: InitializerName
  /** The dtype of the parameters and of the batches (default `'float32'`). */
  readonly dtype?: D
}

/**
 * The configuration of a dense layer, as plain JSON.
 * @example
 * import { dense } from 'nabla'
 * JSON.stringify(dense(3, 2).config) // {"kind":"dense","inputs":3,"outputs":2,…}
 */
export type DenseConfig = {
  readonly kind: 'dense'
  readonly inputs: number
  readonly outputs: number
  readonly activation: ActivationName
  readonly initializer: InitializerName
  readonly dtype: DType
}

/**
 * A dense (fully connected) layer: `activation(x·w + b)`, a `Layer` from `[B, I]` to `[B, O]`.
 * @example
 * import { type Dense, dense } from 'nabla'
 * const layer: Dense<784, 128> = dense(784, 128, { activation: 'relu' })
 */
export interface Dense<I extends number = number, O extends number = number, D extends DType = 'float32'>
  extends Layer<DenseParams<I, O, D>, [I], [O], D> {
  readonly kind: 'dense'
  readonly inputs: I
  readonly outputs: O
  readonly activation: ActivationName
  readonly initializer: InitializerName
  readonly config: DenseConfig
}

const defaultInit = (a: ActivationName): InitializerName =>
  a === 'relu' || a === 'leakyRelu' ? 'heUniform' : 'glorotUniform'

const checkSize = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ArgumentError(op, `${name} must be a positive integer, got ${String(value)}`)
  return value
}

const checkDType = <D extends DType>(op: string, value: D | undefined): D => {
  const dtype = value ?? 'float32'
  if (!isDType(dtype))
    throw new ArgumentError(
      op,
      `dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype) ?? String(dtype)}`,
    )
  return dtype as D
}

const checkOptions = (
  op: string,
  options: { readonly activation?: ActivationName; readonly initializer?: InitializerName } | undefined,
): [ActivationName, InitializerName] => {
  const act = options?.activation ?? 'identity'
  if (!isActivationName(act)) activationByName(act, op) // throws the ArgumentError listing the names
  const init = options?.initializer ?? defaultInit(act)
  if (typeof init !== 'string' || !Object.hasOwn(initializers, init))
    throw new ArgumentError(
      op,
      `initializer must be one of ${Object.keys(initializers).join(', ')}, got ${JSON.stringify(init) ?? String(init)}`,
    )
  return [act, init]
}

const checkShape = (op: string, what: string, t: AnyTensor, expected: readonly number[]): void => {
  if (!shapesEqual(t.shape, expected))
    throw new ShapeError(
      op,
      `${what} has shape ${formatShape(t.shape)} but the layer needs ${formatShape(expected)}`,
    )
}

const checkInput = (op: string, x: AnyTensor, inputs: number): void => {
  if (x.shape.length !== 2 || x.shape[1] !== inputs)
    throw new ShapeError(op, `x has shape ${formatShape(x.shape)} but the layer expects [batch, ${inputs}]`)
}

/**
 * A dense layer from `inputs` to `outputs` features.
 * @example
 * import { dense, key, ones } from 'nabla'
 * const layer = dense(3, 2, { activation: 'tanh' })
 * const params = layer.init(key(0))          // { w: Tensor<[3, 2]>, b: Tensor<[2]> }
 * const y = layer.apply(params, ones([5, 3])) // Tensor<[5, 2]>
 */
export const dense = <const I extends number, const O extends number, D extends DType = 'float32'>(
  inputs: I,
  outputs: O,
  options?: DenseOptions<D>,
): Dense<I, O, D> => {
  checkSize('dense', 'inputs', inputs)
  checkSize('dense', 'outputs', outputs)
  const [act, init] = checkOptions('dense', options)
  const dtype = checkDType('dense', options?.dtype)
  const f = activationByName(act)
  const initializer = initializers[init]
  const config: DenseConfig = Object.freeze({
    kind: 'dense',
    inputs,
    outputs,
    activation: act,
    initializer: init,
    dtype,
  })
  return Object.freeze({
    kind: 'dense',
    inputs,
    outputs,
    activation: act,
    initializer: init,
    config,
    inputShape: Object.freeze([inputs]) as [I],
    outputShape: Object.freeze([outputs]) as [O],
    dtype,
    init: (k: Key): DenseParams<I, O, D> =>
      Object.freeze({
        w: initializer(k, [inputs, outputs] as [I, O], { dtype }),
        b: zeros([outputs] as [O], { dtype }),
      }),
    apply: <B extends number>(params: DenseParams<I, O, D>, x: Tensor<[B, I], D>): Tensor<[B, O], D> => {
      checkShape('dense', 'params.w', params.w, [inputs, outputs])
      checkShape('dense', 'params.b', params.b, [outputs])
      checkInput('dense', x, inputs)
      const z: AnyTensor = add(
        matmul(x as AnyTensor<[number, number]>, params.w as AnyTensor<[number, number]>),
        params.b as AnyTensor,
      )
      return f(z) as Tensor<[B, O], D>
    },
  })
}

// ---------------------------------------------------------------------------------------------
// mlp

/** The sizes after the first: the output size of each layer. */
type Tail<S extends readonly number[]> = S extends readonly [unknown, ...infer R extends readonly number[]]
  ? R
  : S
// A mapped type over the output sizes (not a recursion over the sizes), so 100+ layers type-check:
// layer K maps Ins[K] features to Outs[K].
type PairParams<Ins extends readonly number[], Outs extends readonly number[], D extends DType> = {
  readonly [K in keyof Outs]: DenseParams<Ins[K & keyof Ins] & number, Outs[K] & number, D>
}

/**
 * The parameters of `mlp(sizes)`: one `DenseParams` per consecutive pair of sizes. For a literal
 * tuple every shape is literal; for sizes known only at run time, a readonly array.
 * @example
 * import { key, mlp, type MlpParams } from 'nabla'
 * const params: MlpParams<readonly [4, 8, 3]> = mlp([4, 8, 3]).init(key(0))
 */
export type MlpParams<S extends readonly number[], D extends DType = 'float32'> = PairParams<S, Tail<S>, D>

/**
 * The first size of a sizes tuple (`number` when not literal).
 * @example
 * import type { FirstSize } from 'nabla'
 * type In = FirstSize<readonly [784, 128, 10]> // 784
 */
export type FirstSize<S extends readonly number[]> = S extends readonly [infer A extends number, ...number[]]
  ? A
  : number

/**
 * The last size of a sizes tuple (`number` when not literal).
 * @example
 * import type { LastSize } from 'nabla'
 * type Out = LastSize<readonly [784, 128, 10]> // 10
 */
export type LastSize<S extends readonly number[]> = S extends readonly [...number[], infer Z extends number]
  ? Z
  : number

/**
 * The configuration of an `mlp`: everything but the parameters, as plain JSON.
 * @example
 * import { mlp } from 'nabla'
 * JSON.stringify(mlp([4, 8, 3]).config) // {"kind":"mlp","sizes":[4,8,3],…}
 */
export type MlpConfig = {
  readonly kind: 'mlp'
  readonly sizes: readonly number[]
  readonly activation: ActivationName
  readonly outputActivation: ActivationName
  readonly initializer: InitializerName
  /** The dtype (absent in configurations saved before it was recorded: float32). */
  readonly dtype?: DType
}

/**
 * Options of `mlp`.
 * @example
 * import { mlp } from 'nabla'
 * mlp([2, 16, 1], { activation: 'tanh', outputActivation: 'sigmoid', dtype: 'float64' })
 */
export interface MlpOptions<D extends DType = 'float32'> {
  /** Between hidden layers (default `'relu'`). */
  readonly activation?: ActivationName
  /** After the last layer (default `'identity'`: the network outputs logits). */
  readonly outputActivation?: ActivationName
  /** Initialiser of every weight (default from the hidden activation, as `dense`). */
  readonly initializer?: InitializerName
  /** The dtype of the parameters and of the batches (default `'float32'`). */
  readonly dtype?: D
}

/**
 * A multilayer perceptron: dense layers of the given sizes, a `Layer` from `[B, first]` to
 * `[B, last]`.
 * @example
 * import { type Mlp, mlp } from 'nabla'
 * const net: Mlp<readonly [784, 128, 10]> = mlp([784, 128, 10])
 */
export interface Mlp<S extends readonly number[] = readonly number[], D extends DType = 'float32'>
  extends Layer<MlpParams<S, D>, [FirstSize<S>], [LastSize<S>], D> {
  readonly kind: 'mlp'
  readonly sizes: S
  /** The configuration as JSON-ready data (save it beside the parameters). */
  readonly config: MlpConfig
  readonly layers: readonly Dense<number, number, D>[]
}

/**
 * A multilayer perceptron with layer sizes `sizes` (input first, output last; at least two).
 * Layer `i` is initialised from `split(k, layers)[i]`.
 * @example
 * import { key, mlp, zeros } from 'nabla'
 * const net = mlp([784, 128, 10])
 * const params = net.init(key(0))  // params[0].w: Tensor<[784, 128]>, params[1].b: Tensor<[10]>
 * const logits = net.apply(params, zeros([32, 784])) // Tensor<[32, 10]>
 */
export const mlp = <const S extends readonly number[], D extends DType = 'float32'>(
  sizes: S,
  options?: MlpOptions<D>,
): Mlp<S, D> => {
  if (!Array.isArray(sizes) || sizes.length < 2)
    throw new ArgumentError(
      'mlp',
      `sizes must list at least an input and an output size, got ${JSON.stringify(sizes) ?? String(sizes)}`,
    )
  sizes.forEach((s, i) => {
    checkSize('mlp', `sizes[${i}]`, s)
  })
  const [act] = checkOptions('mlp', { activation: options?.activation ?? 'relu' })
  const [outAct] = checkOptions('mlp', { activation: options?.outputActivation ?? 'identity' })
  const [, init] = checkOptions('mlp', {
    activation: act,
    ...(options?.initializer === undefined ? {} : { initializer: options.initializer }),
  })
  const dtype = checkDType('mlp', options?.dtype)
  const frozenSizes = Object.freeze([...sizes]) as unknown as S
  const layers: readonly Dense<number, number, D>[] = sizes.slice(1).map((out, i) =>
    dense(sizes[i]!, out, {
      activation: i === sizes.length - 2 ? outAct : act,
      initializer: init,
      dtype,
    }),
  )
  const config: MlpConfig = Object.freeze({
    kind: 'mlp',
    sizes: frozenSizes,
    activation: act,
    outputActivation: outAct,
    initializer: init,
    dtype,
  })
  const checkParams = (params: unknown): readonly DenseParams<number, number, D>[] => {
    if (!Array.isArray(params) || params.length !== layers.length)
      throw new ShapeError(
        'mlp',
        `params must be an array of ${layers.length} layer records, got ${Array.isArray(params) ? `${params.length} entries` : typeof params}`,
      )
    return params
  }
  return Object.freeze({
    kind: 'mlp',
    sizes: frozenSizes,
    config,
    layers: Object.freeze(layers),
    inputShape: Object.freeze([sizes[0]]) as [FirstSize<S>],
    outputShape: Object.freeze([sizes[sizes.length - 1]]) as [LastSize<S>],
    dtype,
    init: (k: Key): MlpParams<S, D> => {
      const keys = split(k, layers.length)
      return Object.freeze(layers.map((layer, i) => layer.init(keys[i]!))) as unknown as MlpParams<S, D>
    },
    apply: <B extends number>(
      params: MlpParams<S, D>,
      x: Tensor<[B, FirstSize<S>], D>,
    ): Tensor<[B, LastSize<S>], D> => {
      const ps = checkParams(params)
      checkInput('mlp', x, sizes[0]!)
      let h = x as Tensor<[number, number], D>
      layers.forEach((layer, i) => {
        h = layer.apply(ps[i]!, h)
      })
      return h as AnyTensor as Tensor<[B, LastSize<S>], D>
    },
  })
}

/**
 * An `mlp` from its saved configuration (the inverse of `net.config`); bad fields are
 * `ArgumentError`s. The dtype is the configuration's (float32 when it records none) unless
 * `options.dtype` chooses another.
 * @example
 * import { mlp, mlpFromConfig } from 'nabla'
 * const net = mlpFromConfig(mlp([4, 8, 3]).config) // same sizes and activations
 */
export const mlpFromConfig = <D extends DType = 'float32'>(
  config: MlpConfig,
  options?: { readonly dtype?: D },
): Mlp<readonly number[], D> => {
  if (typeof config !== 'object' || config === null || config.kind !== 'mlp')
    throw new ArgumentError(
      'mlpFromConfig',
      `config must be an mlp configuration, got ${JSON.stringify(config)}`,
    )
  return mlp(config.sizes, {
    activation: config.activation,
    outputActivation: config.outputActivation,
    initializer: config.initializer,
    dtype: (options?.dtype ?? config.dtype ?? 'float32') as D,
  })
}
