/**
 * Dropout (Srivastava et al., 2014), keyed: during training each element is kept with probability
 * `1 − rate` and scaled by `1 / (1 − rate)` (inverted dropout, so the expected value is unchanged);
 * at inference it is the identity. The training mask comes from an explicit PRNG key, so a step is
 * a pure function of its key: same key, same mask.
 *
 * @module layers/dropout
 */
import { type AnyTensor, ArgumentError, type DType, div, mul, type Tensor } from '../../tensor/index.js'
import { checkMasks, type Dropping, type Layer, type LayerConfig } from '../layer.js'
import { bernoulli, type Key } from '../random/index.js'
import { dtypeOption, expectBatch, positiveInteger } from './checks.js'

/**
 * Parameters of a layer that has none (dropout): an empty record.
 * @example
 * import type { NoParams } from 'nabla'
 * const p: NoParams = {}
 */
export type NoParams = { readonly [name: string]: never }

/**
 * One inverted-dropout mask: each entry 0 with probability `rate`, else `1 / (1 − rate)`, drawn
 * from `key` (what `dropout`, `cnn` and `transformerBlock` multiply their values by in training).
 * @example
 * import { key } from 'nabla'
 * import { dropoutMask } from './dropout.js'
 * dropoutMask(key(0), [2, 4], 0.5, 'float32') // entries 0 or 2
 */
export const dropoutMask = (key: Key, shape: readonly number[], rate: number, dtype: DType): AnyTensor =>
  div(bernoulli(key, shape, 1 - rate, { dtype }) as AnyTensor, 1 - rate)

/**
 * The configuration of a `dropout`.
 * @example
 * import { dropout } from 'nabla'
 * dropout(0.1, [16]).config // { kind: 'dropout', rate: 0.1, inputShape: [16], dtype: 'float32' }
 */
export interface DropoutConfig extends LayerConfig {
  readonly kind: 'dropout'
  readonly rate: number
  readonly inputShape: readonly number[]
  readonly dtype: DType
}

/**
 * A dropout layer: `apply` is the identity (inference); `applyTraining` drops with a key, and
 * `applyMasked` with the mask `dropoutMasks` drew (the `Dropping` contract, for `jit` and `sequential`).
 * @example
 * import { type Dropout, dropout } from 'nabla'
 * const drop: Dropout<[16], 'float32'> = dropout(0.1, [16])
 */
export interface Dropout<In extends readonly number[], D extends DType>
  extends Layer<NoParams, In, In, D>,
    Dropping<NoParams, In, In, D> {
  readonly rate: number
  /** The mask of one training step for `batch` examples (none at rate 0): entries 0 or `1 / (1 − rate)`. */
  readonly dropoutMasks: <B extends number>(key: Key, batch: B) => Tensor<[B, ...In], D>[]
  /** Keeps each element with probability `1 − rate`, scaled by `1 / (1 − rate)`; the mask is drawn from `key`. */
  readonly applyTraining: <B extends number>(
    params: NoParams,
    x: Tensor<[B, ...In], D>,
    key: Key,
  ) => Tensor<[B, ...In], D>
}

/**
 * Dropout with probability `rate` in `[0, 1)` over examples of shape `inputShape`.
 * @example
 * import { dropout, key, ones } from 'nabla'
 * const drop = dropout(0.5, [4])
 * const x = ones([2, 4])
 * drop.apply({}, x)                   // x itself (inference)
 * drop.applyTraining({}, x, key(0))   // each entry 0 or 2, the mask fixed by key(0)
 * drop.applyMasked({}, x, drop.dropoutMasks(key(0), 2)) // the same
 */
export const dropout = <const In extends readonly number[], D extends DType = 'float32'>(
  rate: number,
  inputShape: In,
  options?: { readonly dtype?: D },
): Dropout<In, D> => {
  const op = 'dropout'
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
    throw new ArgumentError(op, `rate must be a probability in [0, 1), got ${String(rate)}`)
  if (!Array.isArray(inputShape))
    throw new ArgumentError(op, `inputShape must be an array of sizes, got ${String(inputShape)}`)
  inputShape.forEach((d, i) => {
    positiveInteger(op, `inputShape[${i}]`, d)
  })
  const dtype = dtypeOption(op, options?.dtype)
  const shape = Object.freeze([...inputShape]) as unknown as In
  const config: DropoutConfig = Object.freeze({ kind: 'dropout', rate, inputShape: shape, dtype })
  const maskShapes: readonly (readonly number[])[] = rate === 0 ? [] : [shape]
  const dropoutMasks = <B extends number>(key: Key, batch: B): Tensor<[B, ...In], D>[] =>
    rate === 0 ? [] : [dropoutMask(key, [batch, ...shape], rate, dtype) as Tensor<[B, ...In], D>]
  const applyMasked = <B extends number>(
    _params: NoParams,
    x: Tensor<[B, ...In], D>,
    masks: readonly AnyTensor[],
  ): Tensor<[B, ...In], D> => {
    expectBatch(op, x, shape)
    checkMasks(op, maskShapes, masks, x.shape[0])
    return masks.length === 0 ? x : (mul(x as AnyTensor, masks[0]!) as Tensor<[B, ...In], D>)
  }
  return Object.freeze({
    config,
    rate,
    inputShape: shape,
    outputShape: shape,
    dtype,
    init: (_key: Key): NoParams => Object.freeze({}),
    apply: <B extends number>(_params: NoParams, x: Tensor<[B, ...In], D>): Tensor<[B, ...In], D> => {
      expectBatch(op, x, shape)
      return x
    },
    maskShapes,
    dropoutMasks,
    applyMasked,
    applyTraining: <B extends number>(params: NoParams, x: Tensor<[B, ...In], D>, key: Key) =>
      applyMasked(params, x, dropoutMasks(key, x.shape[0])),
  })
}
