/**
 * Image layers implementing the `Layer` contract over batches `[B, C, H, W]`: `conv2dLayer`
 * (filters `[O, C/groups, kH, kW]` and a bias per output channel, then an activation),
 * `maxPool2dLayer`, `avgPool2dLayer` and `flattenLayer` (`[B, ...S]` → `[B, size]`). Each knows
 * its per-example output shape — in the type where the sizes are literals, and at run time always.
 * `cnn` (in `cnn.ts`) composes them into a classifier.
 *
 * @example
 * import { conv2dLayer, flattenLayer, key, maxPool2dLayer, zeros } from 'nabla'
 * const conv = conv2dLayer([1, 28, 28], 16, 5, { activation: 'relu' }) // outputShape [16, 24, 24]
 * const pool = maxPool2dLayer(conv.outputShape, { window: 2 })          // [16, 12, 12]
 * const flat = flattenLayer(pool.outputShape)                           // [2304]
 * const p = conv.init(key(0))
 * const h = flat.apply({}, pool.apply({}, conv.apply(p, zeros([8, 1, 28, 28])))) // Tensor<[8, 2304]>
 *
 * @module layers/conv
 */
import {
  avgPool2d,
  type Conv2dOptions,
  type Conv2dShape,
  conv2d,
  maxPool2d,
  type Pair,
  type Pool2dOptions,
  type Pool2dShape,
} from '../../conv/index.js'
import {
  type AnyTensor,
  ArgumentError,
  add,
  type DType,
  reshape,
  type SizeOf,
  type Tensor,
  zeros,
} from '../../tensor/index.js'
import { type ActivationName, activation as activationByName, isActivationName } from '../activations.js'
import type { Layer } from '../layer.js'
import { type Key, uniform } from '../random/index.js'

/** A per-example image shape `[C, H, W]`. */
export type ImageShape = readonly [number, number, number]

type Tail<S> = S extends readonly [number, ...infer R extends number[]] ? R : number[]
type First<K> = K extends number ? K : K extends readonly [infer H extends number, number] ? H : number
type Second<K> = K extends number ? K : K extends readonly [number, infer W extends number] ? W : number
type DTypeOption<O> = O extends { readonly dtype: infer X extends DType } ? X : 'float32'

/**
 * The parameters of a convolution layer: filters `w: [O, C/groups, kH, kW]` and biases `b: [O]`.
 * @example
 * import { type Conv2dLayerParams, zeros } from 'nabla'
 * const p: Conv2dLayerParams<16, 1, 5, 5> = { w: zeros([16, 1, 5, 5]), b: zeros([16]) }
 */
export type Conv2dLayerParams<
  O extends number = number,
  C extends number = number,
  KH extends number = number,
  KW extends number = number,
  D extends DType = 'float32',
> = {
  readonly w: Tensor<[O, C, KH, KW], D>
  readonly b: Tensor<[O], D>
}

/**
 * Options of `conv2dLayer`: those of `conv2d`, the activation (default `'identity'`) and the dtype.
 * @example
 * import type { Conv2dLayerOptions } from 'nabla'
 * const options: Conv2dLayerOptions = { padding: 'same', activation: 'relu' }
 */
export interface Conv2dLayerOptions extends Conv2dOptions {
  readonly activation?: ActivationName
  readonly dtype?: DType
}

const checkActivation = (op: string, name: unknown): ActivationName => {
  const act = name ?? 'identity'
  if (!isActivationName(act)) activationByName(act as ActivationName, op) // throws, listing the names
  return act as ActivationName
}

const checkImageShape = (op: string, shape: unknown): ImageShape => {
  const ok =
    Array.isArray(shape) &&
    shape.length === 3 &&
    shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)
  if (!ok)
    throw new ArgumentError(
      op,
      `inputShape must be [channels, height, width] of positive integers, got ${JSON.stringify(shape)}`,
    )
  return shape as unknown as ImageShape
}

/** The per-example output shape of `f` on one example of `inputShape` (shapes only; tiny run). */
const outputShapeOf = (inputShape: ImageShape, f: (x: AnyTensor) => AnyTensor): number[] =>
  f(zeros([1, ...inputShape])).shape.slice(1)

/**
 * A convolution layer: `activation(conv2d(x, w, options) + b)` over `[B, C, H, W]`; `w` starts
 * He-uniform (fan-in `C/groups · kH · kW`), `b` at zero. `config` records everything to rebuild it.
 * @example
 * import { conv2dLayer, key, zeros } from 'nabla'
 * const layer = conv2dLayer([1, 28, 28], 16, 5, { activation: 'relu' })
 * layer.outputShape // [16, 24, 24]
 * const y = layer.apply(layer.init(key(0)), zeros([4, 1, 28, 28])) // Tensor<[4, 16, 24, 24]>
 */
export const conv2dLayer = <
  const In extends ImageShape,
  const O extends number,
  const K extends number | Pair,
  const Opt extends Conv2dLayerOptions = Record<never, never>,
>(
  inputShape: In,
  outChannels: O,
  kernel: K,
  options?: Opt,
): Layer<
  Conv2dLayerParams<O, In[0], First<K>, Second<K>, DTypeOption<Opt>>,
  In,
  Tail<Conv2dShape<[1, ...In], [O, In[0], First<K>, Second<K>], Opt>>,
  DTypeOption<Opt>
> => {
  const op = 'conv2dLayer'
  const input = checkImageShape(op, inputShape)
  if (typeof outChannels !== 'number' || !Number.isInteger(outChannels) || outChannels < 1)
    throw new ArgumentError(op, `outChannels must be a positive integer, got ${JSON.stringify(outChannels)}`)
  const [kh, kw] = typeof kernel === 'number' ? [kernel, kernel] : (kernel as Pair)
  const act = checkActivation(op, options?.activation)
  const dtype = (options?.dtype ?? 'float32') as DTypeOption<Opt>
  const { activation: _a, dtype: _d, ...convOptions } = options ?? {}
  const groups = (convOptions as Conv2dOptions).groups ?? 1
  const wShape = [outChannels, input[0] / groups, kh, kw] as const
  const run = (x: AnyTensor, w: AnyTensor) => conv2d(x, w, convOptions as Conv2dOptions) as AnyTensor
  const outputShape = outputShapeOf(input, (x) => run(x, zeros(wShape)))
  const fn = activationByName(act, op)
  const fanIn = (input[0] / groups) * kh * kw
  const bound = Math.sqrt(6 / fanIn)
  return {
    config: {
      kind: 'conv2d',
      inputShape: [...input],
      outChannels,
      kernel: [kh, kw],
      ...convOptions,
      activation: act,
      dtype,
    },
    inputShape,
    outputShape: outputShape as never,
    dtype,
    init: (k: Key) =>
      ({
        w: uniform(k, wShape, { min: -bound, max: bound, dtype }),
        b: zeros([outChannels], { dtype }),
      }) as never,
    apply: (params, x) => {
      const p = params as unknown as Conv2dLayerParams<number, number, number, number, DType>
      return fn(add(run(x as AnyTensor, p.w), reshape(p.b, [outChannels, 1, 1]) as AnyTensor)) as never
    },
  }
}

/**
 * A max-pooling layer over `[B, C, H, W]` (no parameters: `init` gives `{}`). Ties share the
 * gradient equally, as for `max`.
 * @example
 * import { maxPool2dLayer, zeros } from 'nabla'
 * const pool = maxPool2dLayer([16, 24, 24], { window: 2 })
 * pool.outputShape // [16, 12, 12]
 * pool.apply({}, zeros([4, 16, 24, 24])) // Tensor<[4, 16, 12, 12]>
 */
export const maxPool2dLayer = <const In extends ImageShape, const Opt extends Pool2dOptions>(
  inputShape: In,
  options: Opt & { readonly dtype?: DType },
): Layer<Record<string, never>, In, Tail<Pool2dShape<[1, ...In], Opt>>, DTypeOption<Opt>> =>
  poolLayer('maxPool2d', inputShape, options, (x, o) => maxPool2d(x, o) as AnyTensor) as never

/**
 * An average-pooling layer over `[B, C, H, W]` (padding counts as zeros; no parameters).
 * @example
 * import { avgPool2dLayer, zeros } from 'nabla'
 * avgPool2dLayer([16, 24, 24], { window: 2 }).apply({}, zeros([4, 16, 24, 24])) // Tensor<[4, 16, 12, 12]>
 */
export const avgPool2dLayer = <const In extends ImageShape, const Opt extends Pool2dOptions>(
  inputShape: In,
  options: Opt & { readonly dtype?: DType },
): Layer<Record<string, never>, In, Tail<Pool2dShape<[1, ...In], Opt>>, DTypeOption<Opt>> =>
  poolLayer('avgPool2d', inputShape, options, (x, o) => avgPool2d(x, o) as AnyTensor) as never

const poolLayer = (
  kind: 'maxPool2d' | 'avgPool2d',
  inputShape: ImageShape,
  options: Pool2dOptions & { readonly dtype?: DType },
  pool: (x: AnyTensor, options: Pool2dOptions) => AnyTensor,
): Layer<Record<string, never>, ImageShape, readonly number[], DType> => {
  const op = `${kind}Layer`
  const input = checkImageShape(op, inputShape)
  const { dtype = 'float32', ...poolOptions } = options ?? ({} as Pool2dOptions)
  const outputShape = outputShapeOf(input, (x) => pool(x, poolOptions))
  return {
    config: { kind, inputShape: [...input], ...poolOptions, dtype },
    inputShape: inputShape as never,
    outputShape: outputShape as never,
    dtype: dtype as never,
    init: () => ({}),
    apply: (_params, x) => pool(x as AnyTensor, poolOptions) as never,
  }
}

/**
 * Flattens each example: `[B, ...S]` → `[B, size of S]` (no parameters). The size is typed when
 * `S` is literal; otherwise it is `number`.
 * @example
 * import { flattenLayer, zeros } from 'nabla'
 * const flat = flattenLayer([32, 4, 4])
 * flat.outputShape // [512]
 * flat.apply({}, zeros([8, 32, 4, 4])).shape // [8, 512]
 */
export const flattenLayer = <const In extends readonly number[], D extends DType = 'float32'>(
  inputShape: In,
  options?: { readonly dtype?: D },
): Layer<Record<string, never>, In, [SizeOf<In>], D> => {
  if (!Array.isArray(inputShape) || !inputShape.every((d) => Number.isInteger(d) && d >= 0))
    throw new ArgumentError(
      'flattenLayer',
      `inputShape must be an array of sizes, got ${JSON.stringify(inputShape)}`,
    )
  const size = inputShape.reduce((a, b) => a * b, 1)
  const dtype = (options?.dtype ?? 'float32') as D
  return {
    config: { kind: 'flatten', inputShape: [...inputShape], dtype },
    inputShape,
    outputShape: [size] as never,
    dtype,
    init: () => ({}),
    apply: (_params, x) => reshape(x as AnyTensor, [(x as AnyTensor).shape[0]!, size]) as never,
  }
}
