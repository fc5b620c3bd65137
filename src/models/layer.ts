/**
 * The `Layer` contract every layer and network implements: parameters made from a PRNG key, and a
 * pure function of those parameters and a batch. The batch dimension stays generic (`B`); `In` and
 * `Out` are the per-example shapes (`[784]` for a dense layer on flat digits, `[1, 28, 28]` for a
 * convolution on images). The dtype is chosen when the layer is built and fixed after.
 *
 * `config` is JSON-ready data that names the layer's kind and sizes: the serialisers and the CLI
 * save it beside the parameters and rebuild the layer from it (`layerFromConfig`).
 *
 * Laws: `apply` does not mutate `params` or `x`; `init(k)` is a function of `k` (same key, same
 * parameters); `apply(params, x)` for a batch equals stacking `apply(params, row)` over its rows,
 * for every layer except those whose documentation says otherwise (normalisation over the batch).
 *
 * @module layer
 */
import {
  type AnyTensor,
  ArgumentError,
  type DType,
  formatShape,
  type Shape,
  ShapeError,
  type Tensor,
} from '../tensor/index.js'
import { shapesEqual } from '../tensor/internal.js'
import type { Key } from './random/index.js'

/**
 * JSON-ready description of a layer: its kind and whatever rebuilds it.
 * @example
 * import type { LayerConfig } from 'nabla'
 * const config: LayerConfig = { kind: 'dense', inputs: 784, outputs: 10 }
 */
export interface LayerConfig {
  readonly kind: string
  readonly [field: string]: unknown
}

/**
 * A layer: `init` makes parameters from a key, `apply` maps a batch `[B, ...In]` to `[B, ...Out]`.
 * @example
 * import { key, type Layer, tensor } from 'nabla'
 * // a layer with no parameters that passes its batch through
 * const identity: Layer<null, [3], [3]> = {
 *   config: { kind: 'identity', size: 3 },
 *   inputShape: [3],
 *   outputShape: [3],
 *   dtype: 'float32',
 *   init: () => null,
 *   apply: (_params, x) => x,
 * }
 * identity.apply(identity.init(key(0)), tensor([[1, 2, 3]])).shape // [1, 3]
 */
export interface Layer<
  P,
  In extends readonly number[],
  Out extends readonly number[],
  D extends DType = 'float32',
> {
  readonly config: LayerConfig
  /** The per-example input shape (without the batch dimension). */
  readonly inputShape: In
  /** The per-example output shape (without the batch dimension). */
  readonly outputShape: Out
  readonly dtype: D
  /** Fresh parameters from a key. */
  readonly init: (key: Key) => P
  /** The layer as a pure function of its parameters and a batch. */
  readonly apply: <B extends number>(params: P, x: Tensor<[B, ...In], D>) => Tensor<[B, ...Out], D>
}

/**
 * The parameters type of a layer (read from `init`, so it works for any layer-shaped value).
 * @example
 * import { dense, type ParamsOf } from 'nabla'
 * type P = ParamsOf<ReturnType<typeof dense<3, 2>>> // DenseParams<3, 2, 'float32'>
 */
export type ParamsOf<L> = L extends { readonly init: (key: Key) => infer P } ? P : never
/**
 * The per-example input shape of a layer.
 * @example
 * import { dense, type InputShapeOf } from 'nabla'
 * type In = InputShapeOf<ReturnType<typeof dense<3, 2>>> // [3]
 */
export type InputShapeOf<L> = L extends { readonly inputShape: infer In extends readonly number[] }
  ? In
  : never
/**
 * The per-example output shape of a layer.
 * @example
 * import { dense, type OutputShapeOf } from 'nabla'
 * type Out = OutputShapeOf<ReturnType<typeof dense<3, 2>>> // [2]
 */
export type OutputShapeOf<L> = L extends { readonly outputShape: infer Out extends readonly number[] }
  ? Out
  : never

/**
 * Any layer, whatever its parameters, shapes and dtype: what a list of layers holds. (`apply` is
 * a method here, compared bivariantly, so a layer with a literal input shape belongs.)
 * @example
 * import { type AnyLayer, dense } from 'nabla'
 * const layers: AnyLayer[] = [dense(2, 3), dense(3, 1, { dtype: 'float64' })]
 */
export interface AnyLayer {
  readonly config: LayerConfig
  readonly inputShape: readonly number[]
  readonly outputShape: readonly number[]
  readonly dtype: DType
  init(key: Key): unknown
  apply(params: any, x: Tensor<[number, ...number[]], any>): AnyTensor
}

/**
 * The training pass of a layer that drops (dropout, or a network holding dropout): the masks of one
 * step are drawn from a key as tensors, and `applyMasked` multiplies them in. Masks are tensors, not
 * a key, so a compiled (`jit`) loss takes them as inputs and gets new ones every step (a key read
 * inside a traced function would be frozen at its first value). `sequential` gathers the masks of
 * its layers in order, and the CLI trains any `--model-config` stack through this contract.
 *
 * Laws: `applyMasked(p, x, masks)` with every mask entry 1 equals `apply(p, x)`; `dropoutMasks(k, b)`
 * is a function of `k` and gives one `[b, ...maskShapes[i]]` tensor per entry of `maskShapes`, each
 * entry 0 or `1 / (1 − rate)` (inverted dropout); a layer with rate 0 has no masks.
 * @example
 * import { dense, dropout, key, sequential, zeros } from 'nabla'
 * const net = sequential(dense(4, 8, { activation: 'relu' }), dropout(0.5, [8]), dense(8, 2))
 * net.maskShapes // [[8]]
 * const masks = net.dropoutMasks(key(1), 3) // one [3, 8] tensor of 0s and 2s
 * net.applyMasked(net.init(key(0)), zeros([3, 4]), masks).shape // [3, 2]
 */
export interface Dropping<P, In extends readonly number[], Out extends readonly number[], D extends DType> {
  /** The per-example shape of each mask one training step uses (empty: the layer never drops). */
  readonly maskShapes: readonly (readonly number[])[]
  /** The masks of one training step for `batch` examples, one per entry of `maskShapes`. */
  readonly dropoutMasks: (key: Key, batch: number) => Tensor<Shape, D>[]
  /** `apply` in training: the layer's dropped values multiplied by `masks` (from `dropoutMasks`). */
  readonly applyMasked: <B extends number>(
    params: P,
    x: Tensor<[B, ...In], D>,
    masks: readonly AnyTensor[],
  ) => Tensor<[B, ...Out], D>
}

/**
 * Whether a layer has a training pass with dropout masks (`Dropping`).
 * @example
 * import { dense, dropout, isDropping } from 'nabla'
 * isDropping(dropout(0.5, [4])) // true
 * isDropping(dense(4, 2))       // false
 */
export const isDropping = <L extends AnyLayer>(
  layer: L,
): layer is L & Dropping<ParamsOf<L>, InputShapeOf<L>, OutputShapeOf<L>, L['dtype']> => {
  const candidate = layer as Partial<Dropping<unknown, [], [], DType>>
  return (
    Array.isArray(candidate.maskShapes) &&
    typeof candidate.dropoutMasks === 'function' &&
    typeof candidate.applyMasked === 'function'
  )
}

/**
 * Checks the masks handed to `applyMasked`: as many as `maskShapes`, each `[batch, ...shape]`.
 * @example
 * import { checkMasks } from './layer.js'
 * checkMasks('dropout', [[4]], [], 2) // ok: nothing expected, nothing given
 */
export const checkMasks = (
  op: string,
  maskShapes: readonly (readonly number[])[],
  masks: readonly AnyTensor[],
  batch: number,
): void => {
  if (!Array.isArray(masks) || masks.length !== maskShapes.length)
    throw new ArgumentError(
      op,
      `expected ${maskShapes.length} dropout masks (from dropoutMasks), got ${Array.isArray(masks) ? masks.length : typeof masks}`,
    )
  maskShapes.forEach((shape, i) => {
    const expected = [batch, ...shape]
    const mask = masks[i]!
    if (!shapesEqual(mask.shape, expected))
      throw new ShapeError(
        op,
        `mask ${i + 1} must be ${formatShape(expected)}, got ${formatShape(mask.shape)}`,
      )
  })
}
