/**
 * Layers and models as plain values: a layer is its configuration (sizes, activation, initialiser)
 * plus two pure functions, `init(key)` → parameters and `apply(params)` → a function from a batch
 * to a batch. Parameters are readonly records of tensors (pytrees) and hold nothing but tensors, so
 * `grad`, the optimizers and the serialisers see exactly the numbers to learn; the configuration
 * stays on the layer.
 *
 * Shapes are in the types: `dense(784, 128).apply(p)` is `Tensor<[B, 784]> → Tensor<[B, 128]>`
 * for any batch size `B`, and `mlp([784, 128, 10])` has parameters typed
 * `[{ w: [784, 128], b: [128] }, { w: [128, 10], b: [10] }]`. Applied layers compose with fp-ts
 * `flow` and `pipe`; composing a layer that outputs `[B, 128]` with one that expects `[B, 64]` does
 * not compile (and is a `ShapeError` at run time when sizes are only known then).
 *
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { dense, key, split, zeros } from 'nabla'
 * const l1 = dense(784, 128, { activation: 'relu' })
 * const l2 = dense(128, 10)
 * const [k1, k2] = split(key(0))
 * const p = { l1: l1.init(k1), l2: l2.init(k2) }
 * const logits = pipe(zeros([32, 784]), l1.apply(p.l1), l2.apply(p.l2)) // Tensor<[32, 10]>
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
import { shapesEqual } from '../tensor/internal.js'
import { type ActivationName, activation as activationByName, isActivationName } from './activations.js'
import { type InitializerName, type InitOptions, initializers } from './init.js'
import { type Key, split } from './random.js'

// ---------------------------------------------------------------------------------------------
// dense

/**
 * The parameters of a dense layer: weights `w: [in, out]` and biases `b: [out]`. (A type alias, not
 * an interface, so it is assignable to `Pytree`.)
 * @example
 * import { type DenseParams, zeros } from 'nabla'
 * const p: DenseParams<3, 2, 'float32'> = { w: zeros([3, 2]), b: zeros([2]) }
 */
export type DenseParams<I extends number = number, O extends number = number, D extends DType = DType> = {
  readonly w: Tensor<[I, O], D>
  readonly b: Tensor<[O], D>
}

/**
 * A function from a batch of `I` features to a batch of `O` features; the batch size is generic.
 * @example
 * import { type BatchFn, dense, key } from 'nabla'
 * const layer = dense(3, 2)
 * const f: BatchFn<3, 2, 'float32'> = layer.apply(layer.init(key(0)))
 */
export type BatchFn<I extends number, O extends number, D extends DType> = <B extends number>(
  x: Tensor<[B, I], D>,
) => Tensor<[B, O], D>

/**
 * Options of `dense`.
 * @example
 * import { dense } from 'nabla'
 * dense(784, 128, { activation: 'relu', initializer: 'heNormal' })
 */
export interface DenseOptions {
  /** Applied after `x·w + b` (default `'identity'`). */
  readonly activation?: ActivationName
  /** How `w` starts (default `heUniform` for relu-like activations, else `glorotUniform`). */
  readonly initializer?: InitializerName
}

/**
 * A dense (fully connected) layer: `activation(x·w + b)`.
 * @example
 * import { type Dense, dense } from 'nabla'
 * const layer: Dense<784, 128> = dense(784, 128, { activation: 'relu' })
 */
export interface Dense<I extends number = number, O extends number = number> {
  readonly kind: 'dense'
  readonly inputs: I
  readonly outputs: O
  readonly activation: ActivationName
  readonly initializer: InitializerName
  /** Fresh parameters from a key: `w` from the initialiser, `b` zeros. */
  readonly init: <D extends DType = 'float32'>(k: Key, options?: InitOptions<D>) => DenseParams<I, O, D>
  /** The layer with these parameters, as a function of a batch. */
  readonly apply: <D extends DType>(params: DenseParams<I, O, D>) => BatchFn<I, O, D>
}

const defaultInit = (a: ActivationName): InitializerName =>
  a === 'relu' || a === 'leakyRelu' ? 'heUniform' : 'glorotUniform'

const checkSize = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ArgumentError(op, `${name} must be a positive integer, got ${String(value)}`)
  return value
}

const checkOptions = (op: string, options: DenseOptions | undefined): [ActivationName, InitializerName] => {
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
 * const params = layer.init(key(0))        // { w: Tensor<[3, 2]>, b: Tensor<[2]> }
 * const y = layer.apply(params)(ones([5, 3]))    // Tensor<[5, 2]>
 */
export const dense = <const I extends number, const O extends number>(
  inputs: I,
  outputs: O,
  options?: DenseOptions,
): Dense<I, O> => {
  checkSize('dense', 'inputs', inputs)
  checkSize('dense', 'outputs', outputs)
  const [act, init] = checkOptions('dense', options)
  const f = activationByName(act)
  const initializer = initializers[init]
  return Object.freeze({
    kind: 'dense',
    inputs,
    outputs,
    activation: act,
    initializer: init,
    init: <D extends DType = 'float32'>(k: Key, opts?: InitOptions<D>): DenseParams<I, O, D> => {
      const dtype = (opts?.dtype ?? 'float32') as D
      return Object.freeze({
        w: initializer(k, [inputs, outputs] as [I, O], { dtype }),
        b: zeros([outputs] as [O], { dtype }),
      })
    },
    apply:
      <D extends DType>(params: DenseParams<I, O, D>): BatchFn<I, O, D> =>
      <B extends number>(x: Tensor<[B, I], D>): Tensor<[B, O], D> => {
        checkShape('dense', 'params.w', params.w, [inputs, outputs])
        checkShape('dense', 'params.b', params.b, [outputs])
        checkInput('dense', x, inputs)
        const z: AnyTensor = add(
          matmul(x as Tensor<[number, number], DType>, params.w as Tensor<[number, number]>),
          params.b as AnyTensor,
        )
        return f(z) as Tensor<[B, O], D>
      },
  })
}

// ---------------------------------------------------------------------------------------------
// mlp

type IsTuple<S extends readonly number[]> = number extends S['length'] ? false : true

type LayerParams<S extends readonly number[], D extends DType> = S extends readonly [
  infer A extends number,
  infer B extends number,
  ...infer R extends readonly number[],
]
  ? readonly [DenseParams<A, B, D>, ...LayerParams<readonly [B, ...R], D>]
  : readonly []

/**
 * The parameters of `mlp(sizes)`: one `DenseParams` per consecutive pair of sizes. For a literal
 * tuple every shape is literal; for sizes known only at run time, a readonly array.
 * @example
 * import { key, mlp, type MlpParams } from 'nabla'
 * const params: MlpParams<readonly [4, 8, 3]> = mlp([4, 8, 3]).init(key(0))
 */
export type MlpParams<S extends readonly number[], D extends DType = 'float32'> =
  IsTuple<S> extends true ? LayerParams<S, D> : readonly DenseParams<number, number, D>[]

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
export interface MlpConfig {
  readonly kind: 'mlp'
  readonly sizes: readonly number[]
  readonly activation: ActivationName
  readonly outputActivation: ActivationName
  readonly initializer: InitializerName
}

/**
 * Options of `mlp`.
 * @example
 * import { mlp } from 'nabla'
 * mlp([2, 16, 1], { activation: 'tanh', outputActivation: 'sigmoid' })
 */
export interface MlpOptions {
  /** Between hidden layers (default `'relu'`). */
  readonly activation?: ActivationName
  /** After the last layer (default `'identity'`: the network outputs logits). */
  readonly outputActivation?: ActivationName
  /** Initialiser of every weight (default from the hidden activation, as `dense`). */
  readonly initializer?: InitializerName
}

/**
 * A multilayer perceptron: dense layers of the given sizes.
 * @example
 * import { type Mlp, mlp } from 'nabla'
 * const net: Mlp<readonly [784, 128, 10]> = mlp([784, 128, 10])
 */
export interface Mlp<S extends readonly number[] = readonly number[]> {
  readonly kind: 'mlp'
  readonly sizes: S
  /** The configuration as JSON-ready data (save it beside the parameters). */
  readonly config: MlpConfig
  readonly layers: readonly Dense[]
  /** Fresh parameters: layer `i` is initialised from `split(k, layers)[i]`. */
  readonly init: <D extends DType = 'float32'>(k: Key, options?: InitOptions<D>) => MlpParams<S, D>
  /** The network with these parameters, as a function of a batch. */
  readonly apply: <D extends DType>(params: MlpParams<S, D>) => BatchFn<FirstSize<S>, LastSize<S>, D>
}

/**
 * A multilayer perceptron with layer sizes `sizes` (input first, output last; at least two).
 * @example
 * import { key, mlp, zeros } from 'nabla'
 * const net = mlp([784, 128, 10])
 * const params = net.init(key(0))  // params[0].w: Tensor<[784, 128]>, params[1].b: Tensor<[10]>
 * const logits = net.apply(params)(zeros([32, 784])) // Tensor<[32, 10]>
 */
export const mlp = <const S extends readonly number[]>(sizes: S, options?: MlpOptions): Mlp<S> => {
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
  const frozenSizes = Object.freeze([...sizes]) as unknown as S
  const layers = sizes
    .slice(1)
    .map((out, i) =>
      dense(sizes[i]!, out, { activation: i === sizes.length - 2 ? outAct : act, initializer: init }),
    )
  const config: MlpConfig = Object.freeze({
    kind: 'mlp',
    sizes: frozenSizes,
    activation: act,
    outputActivation: outAct,
    initializer: init,
  })
  const checkParams = (params: unknown): readonly DenseParams[] => {
    if (!Array.isArray(params) || params.length !== layers.length)
      throw new ShapeError(
        'mlp',
        `params must be an array of ${layers.length} layer records, got ${Array.isArray(params) ? `${params.length} entries` : typeof params}`,
      )
    return params as readonly DenseParams[]
  }
  return Object.freeze({
    kind: 'mlp',
    sizes: frozenSizes,
    config,
    layers: Object.freeze(layers),
    init: <D extends DType = 'float32'>(k: Key, opts?: InitOptions<D>): MlpParams<S, D> => {
      const keys = split(k, layers.length)
      return Object.freeze(layers.map((layer, i) => layer.init(keys[i]!, opts))) as unknown as MlpParams<S, D>
    },
    apply:
      <D extends DType>(params: MlpParams<S, D>): BatchFn<FirstSize<S>, LastSize<S>, D> =>
      <B extends number>(x: Tensor<[B, FirstSize<S>], D>): Tensor<[B, LastSize<S>], D> => {
        const ps = checkParams(params)
        checkInput('mlp', x, sizes[0]!)
        let h = x as Tensor<[number, number], DType>
        layers.forEach((layer, i) => {
          h = layer.apply(ps[i]!)(h)
        })
        return h as unknown as Tensor<[B, LastSize<S>], D>
      },
  })
}

/**
 * An `mlp` from its saved configuration (the inverse of `net.config`); bad fields are
 * `ArgumentError`s.
 * @example
 * import { mlp, mlpFromConfig } from 'nabla'
 * const net = mlpFromConfig(mlp([4, 8, 3]).config) // same sizes and activations
 */
export const mlpFromConfig = (config: MlpConfig): Mlp => {
  if (typeof config !== 'object' || config === null || config.kind !== 'mlp')
    throw new ArgumentError(
      'mlpFromConfig',
      `config must be an mlp configuration, got ${JSON.stringify(config)}`,
    )
  return mlp(config.sizes, {
    activation: config.activation,
    outputActivation: config.outputActivation,
    initializer: config.initializer,
  }) as unknown as Mlp
}
