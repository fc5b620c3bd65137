/**
 * `cnn`: a convolutional classifier as one `Layer` — blocks of convolution, activation and max
 * pooling, then flattening, hidden dense layers and a linear output of class scores (logits). Its
 * `config` is plain JSON and `cnn(config)` rebuilds it, so a run file can carry it.
 *
 * The default is the classic MNIST network: two 5×5 convolutions with 16 and 32 channels, each
 * followed by ReLU and 2×2 max pooling, a dense layer of 128 and 10 outputs
 * (`[1, 28, 28] → [16, 12, 12] → [32, 4, 4] → [128] → [10]`).
 *
 * @module layers/cnn
 */
import {
  type AnyTensor,
  ArgumentError,
  add,
  type DType,
  matmul,
  mul,
  type Tensor,
  zeros,
} from '../../tensor/index.js'
import { type ActivationName, activation as activationByName, isActivationName } from '../activations.js'
import { glorotUniform, heUniform } from '../init.js'
import { checkMasks, type Dropping, type Layer } from '../layer.js'
import { type Key, split } from '../random/index.js'
import { type Conv2dLayerParams, conv2dLayer, flattenLayer, type ImageShape, maxPool2dLayer } from './conv.js'
import { dropoutMask } from './dropout.js'

/**
 * Everything that defines a `cnn` (JSON-ready).
 * @example
 * import { type CnnConfig, cnn } from 'nabla'
 * const config: Partial<CnnConfig> = { channels: [8, 16], hidden: [64] }
 * const net = cnn(config)
 */
export interface CnnConfig {
  readonly [field: string]: unknown
  readonly kind: 'cnn'
  /** Per-example input `[C, H, W]` (default `[1, 28, 28]`). */
  readonly inputShape: ImageShape
  /** Output channels of each convolution block (default `[16, 32]`). */
  readonly channels: readonly number[]
  /** Square kernel size of every convolution (default 5). */
  readonly kernel: number
  /** Convolution padding (default `'valid'`). */
  readonly padding: 'valid' | 'same'
  /** Max-pooling window and stride after each convolution (default 2). */
  readonly pool: number
  /** Hidden dense layer sizes (default `[128]`). */
  readonly hidden: readonly number[]
  /** Number of classes (default 10). */
  readonly classes: number
  /** Activation after every convolution and hidden layer (default `'relu'`). */
  readonly activation: ActivationName
  /**
   * Dropout rate in [0, 1) after each hidden dense layer, in training only (`applyTraining`;
   * default 0). `apply`, the inference pass, never drops.
   */
  readonly dropout: number
  readonly dtype: DType
}

/**
 * The parameters of a `cnn`: one filter bank per convolution block, then the dense layers.
 * @example
 * import { type CnnParams, cnn, key } from 'nabla'
 * const params: CnnParams = cnn().init(key(0))
 */
export type CnnParams<D extends DType = 'float32'> = {
  readonly conv: readonly Conv2dLayerParams<number, number, number, number, D>[]
  readonly dense: readonly { readonly w: Tensor<[number, number], D>; readonly b: Tensor<[number], D> }[]
}

/**
 * A `cnn` layer, plus its training pass with dropout. The dropout masks are tensors, not a key, so a
 * compiled (`jit`) loss takes them as inputs and gets new ones every step (a key read inside a
 * traced function would be frozen at its first value).
 * @example
 * import { type Cnn, cnn, key, zeros } from 'nabla'
 * const net: Cnn = cnn({ dropout: 0.5 })
 * const params = net.init(key(0))
 * const x = zeros([8, 1, 28, 28])
 * const logits = net.applyTraining(params, x, net.dropoutMasks(key(1), 8)) // Tensor<[8, 10]>
 */
export interface Cnn<D extends DType = 'float32'>
  extends Layer<CnnParams<D>, ImageShape, [number], D>,
    Dropping<CnnParams<D>, ImageShape, [number], D> {
  /**
   * The masks of one training step for `batch` examples, one `[batch, size]` tensor per hidden
   * dense layer: each entry 0 with probability `dropout`, else `1 / (1 − dropout)` (inverted
   * dropout). Empty when `dropout` is 0.
   */
  readonly dropoutMasks: (key: Key, batch: number) => Tensor<[number, number], D>[]
  /** `apply` with each hidden dense layer's output multiplied by its mask (`dropoutMasks`): `applyMasked`. */
  readonly applyTraining: <B extends number>(
    params: CnnParams<D>,
    x: Tensor<[B, ...ImageShape], D>,
    masks: readonly Tensor<[number, number], D>[],
  ) => Tensor<[B, number], D>
}

/** The default configuration: the MNIST network of the module header. */
const defaults: CnnConfig = {
  kind: 'cnn',
  inputShape: [1, 28, 28],
  channels: [16, 32],
  kernel: 5,
  padding: 'valid',
  pool: 2,
  hidden: [128],
  classes: 10,
  activation: 'relu',
  dropout: 0,
  dtype: 'float32',
}

const positiveList = (op: string, name: string, value: unknown): readonly number[] => {
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && v > 0))
    throw new ArgumentError(op, `${name} must be a list of positive integers, got ${JSON.stringify(value)}`)
  return value
}

const positive = (op: string, name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ArgumentError(op, `${name} must be a positive integer, got ${JSON.stringify(value)}`)
  return value
}

const checkConfig = (options: Partial<CnnConfig>): CnnConfig => {
  const op = 'cnn'
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError(op, `the configuration must be an object, got ${JSON.stringify(options)}`)
  if (options.kind !== undefined && options.kind !== 'cnn')
    throw new ArgumentError(op, `the configuration is of kind ${JSON.stringify(options.kind)}, not 'cnn'`)
  const config = { ...defaults, ...options }
  positiveList(op, 'channels', config.channels)
  positiveList(op, 'hidden', config.hidden)
  positive(op, 'kernel', config.kernel)
  positive(op, 'pool', config.pool)
  positive(op, 'classes', config.classes)
  if (config.padding !== 'valid' && config.padding !== 'same')
    throw new ArgumentError(op, `padding must be 'valid' or 'same', got ${JSON.stringify(config.padding)}`)
  if (!isActivationName(config.activation)) activationByName(config.activation, op) // throws, listing the names
  if (typeof config.dropout !== 'number' || !(config.dropout >= 0 && config.dropout < 1))
    throw new ArgumentError(op, `dropout must be a rate in [0, 1), got ${JSON.stringify(config.dropout)}`)
  if (config.dtype !== 'float32' && config.dtype !== 'float64')
    throw new ArgumentError(op, `dtype must be 'float32' or 'float64', got ${JSON.stringify(config.dtype)}`)
  return config
}

/**
 * A convolutional classifier (see the module header); every field of the configuration is
 * optional and defaults to the MNIST network. Images too small for the blocks are an error here,
 * naming the shapes.
 * @example
 * import { cnn, key, zeros } from 'nabla'
 * const net = cnn()                                  // [1, 28, 28] → 10 logits
 * const params = net.init(key(0))
 * const logits = net.apply(params, zeros([8, 1, 28, 28])) // Tensor<[8, 10]>
 * cnn({ channels: [8], hidden: [], inputShape: [3, 8, 8], classes: 4 }).outputShape // [4]
 */
export const cnn = <D extends DType = 'float32'>(
  options: Partial<CnnConfig> & { readonly dtype?: D } = {},
): Cnn<D> => {
  const config = checkConfig(options)
  const dtype = config.dtype as D
  const convs: ReturnType<typeof conv2dLayer>[] = []
  const pools: ReturnType<typeof maxPool2dLayer>[] = []
  let shape: ImageShape = config.inputShape
  for (const channels of config.channels) {
    const conv = conv2dLayer(shape, channels, config.kernel, {
      padding: config.padding,
      activation: config.activation,
      dtype,
    }) as unknown as ReturnType<typeof conv2dLayer>
    const pool = maxPool2dLayer(conv.outputShape as unknown as ImageShape, { window: config.pool })
    convs.push(conv)
    pools.push(pool)
    shape = pool.outputShape as unknown as ImageShape
  }
  const flat = flattenLayer(shape)
  const sizes = [flat.outputShape[0], ...config.hidden, config.classes]
  const act = activationByName(config.activation, 'cnn')
  const forward = (params: CnnParams<D>, x: Tensor, masks: readonly Tensor[]) => {
    let h = x
    convs.forEach((conv, i) => {
      h = pools[i]!.apply({}, conv.apply(params.conv[i] as never, h as never)) as Tensor
    })
    h = flat.apply({}, h as never) as Tensor
    params.dense.forEach((layer, i) => {
      const z = add(
        matmul(h as Tensor<[number, number]>, layer.w as Tensor<[number, number]>),
        layer.b as Tensor,
      ) as Tensor
      const hidden = i < params.dense.length - 1
      h = hidden ? act(z) : z
      if (hidden && masks[i] !== undefined) h = mul(h, masks[i]!) as Tensor
    })
    return h as never
  }
  const hiddenSizes = config.hidden
  const maskShapes = config.dropout > 0 ? hiddenSizes.map((size) => [size]) : []
  const training = <B extends number>(
    params: CnnParams<D>,
    x: Tensor<[B, ...ImageShape], D>,
    masks: readonly AnyTensor[],
  ): Tensor<[B, number], D> => {
    checkMasks('cnn.applyTraining', maskShapes, masks, x.shape[0])
    return forward(params, x as Tensor, masks as readonly Tensor[]) as Tensor<[B, number], D>
  }
  return {
    config,
    inputShape: config.inputShape,
    outputShape: [config.classes],
    dtype,
    init: (k: Key) => {
      const keys = split(k, convs.length + sizes.length - 1)
      return {
        conv: convs.map((conv, i) => conv.init(keys[i]!) as unknown as CnnParams<D>['conv'][number]),
        dense: sizes.slice(1).map((out, i) => {
          const initializer = i === sizes.length - 2 ? glorotUniform : heUniform
          return {
            w: initializer(keys[convs.length + i]!, [sizes[i]!, out], { dtype }),
            b: zeros([out], { dtype }),
          }
        }),
      }
    },
    apply: (params, x) => forward(params, x as Tensor, []),
    maskShapes,
    applyMasked: training,
    applyTraining: training,
    dropoutMasks: (k: Key, batch: number) => {
      const rate = config.dropout
      if (rate === 0) return []
      const keys = split(k, hiddenSizes.length)
      return hiddenSizes.map(
        (size, i) => dropoutMask(keys[i]!, [batch, size], rate, dtype) as Tensor<[number, number], D>,
      )
    },
  }
}
