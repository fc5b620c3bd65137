/**
 * `sequential(l1, l2, …)`: layers composed into one `Layer`, checked pair by pair. Each layer's
 * per-example output shape must be the next layer's input shape; a mismatch does not compile, and
 * the message names the positions (`layer 2 expects [B,64] but layer 1 gives [B,128]`), and is a
 * `ShapeError` with the same words at run time. Parameters are the tuple of the layers' parameters.
 *
 * The check is a mapped type over the list of layers (not a recursion), so 100 and more layers
 * type-check without "excessively deep" errors.
 *
 * @module sequential
 */

import type { ShapeErrorType, ShapeString } from '../tensor/index.js'
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
import {
  type AnyLayer,
  checkMasks,
  type Dropping,
  type InputShapeOf,
  isDropping,
  type Layer,
  type LayerConfig,
  type OutputShapeOf,
  type ParamsOf,
} from './layer.js'
import { type Key, split } from './random/index.js'

/** The dtype a layer computes in. */
type DTypeOfLayer<L> = L extends { readonly dtype: infer D extends DType } ? D : DType

type Last<Ls extends readonly unknown[]> = Ls extends readonly [...unknown[], infer Z] ? Z : never

/** 1 when two per-example shapes cannot be the same (a `number` dimension matches anything). */
type Differ<A extends Shape, B extends Shape> = number extends A['length']
  ? 0
  : number extends B['length']
    ? 0
    : A['length'] extends B['length']
      ? 1 extends { [K in keyof A]: K extends keyof B ? DimsDiffer<A[K], B[K]> : 0 }[number]
        ? 1
        : 0
      : 1
type DimsDiffer<A, B> = number extends A ? 0 : number extends B ? 0 : [A] extends [B] ? 0 : 1

type Count<N extends string, Acc extends unknown[] = []> = `${Acc['length']}` extends N
  ? Acc
  : Acc['length'] extends 2000
    ? never
    : Count<N, [...Acc, unknown]>
/** `${K + offset}` for a tuple index K (a numeric string). */
type Plus<K, Offset extends unknown[]> = K extends string ? [...Count<K>, ...Offset]['length'] : never

/** Layer K+1 (1-based) of Rest against layer K of Ls: the message when they do not fit. */
type PairMessages<Ls extends readonly unknown[], Rest extends readonly unknown[]> = {
  [K in keyof Rest]: Differ<OutputShapeOf<Ls[K & keyof Ls]>, InputShapeOf<Rest[K]>> extends 1
    ? `layer ${Plus<K, [0, 0]>} expects ${BatchedString<InputShapeOf<Rest[K]>>} but layer ${Plus<K, [0]>} gives ${BatchedString<OutputShapeOf<Ls[K & keyof Ls]>>}`
    : never
}[number]

type BatchedString<S extends Shape> = `[B${S extends readonly [] ? '' : `,${Inner<ShapeString<S>>}`}]`
type Inner<S extends string> = S extends `[${infer I}]` ? I : S

/**
 * `unknown` when every adjacent pair of layers fits, else an error naming the first position.
 * @example
 * import type { CheckSequence, Dense } from 'nabla'
 * type C = CheckSequence<[Dense<4, 128>, Dense<64, 10>]>
 * // ShapeErrorType<'layer 2 expects [B,64] but layer 1 gives [B,128]'>
 */
export type CheckSequence<Ls extends readonly unknown[]> = Ls extends readonly [unknown, ...infer Rest]
  ? [PairMessages<Ls, Rest>] extends [never]
    ? unknown
    : ShapeErrorType<PairMessages<Ls, Rest>>
  : unknown

/**
 * The parameters of `sequential(...layers)`: the tuple of each layer's parameters.
 * @example
 * import { dense, key, sequential, type SequentialParams } from 'nabla'
 * const layers = [dense(4, 8), dense(8, 2)] as const
 * const params: SequentialParams<typeof layers> = sequential(...layers).init(key(0))
 */
export type SequentialParams<Ls extends readonly unknown[]> = { readonly [K in keyof Ls]: ParamsOf<Ls[K]> }

/**
 * The configuration of a `sequential`: its layers' configurations, in order.
 * @example
 * import { dense, sequential } from 'nabla'
 * sequential(dense(4, 8), dense(8, 2)).config.layers.length // 2
 */
export type SequentialConfig = { readonly kind: 'sequential'; readonly layers: readonly LayerConfig[] }

/**
 * Layers in sequence, as one `Layer` from the first input to the last output, with the training
 * pass of the layers that drop (`Dropping`): its masks are theirs, in layer order.
 * @example
 * import { dense, type Sequential, sequential } from 'nabla'
 * const net: Sequential<readonly [ReturnType<typeof dense<4, 8>>, ReturnType<typeof dense<8, 2>>]> =
 *   sequential(dense(4, 8), dense(8, 2))
 */
export interface Sequential<Ls extends readonly AnyLayer[]>
  extends Layer<SequentialParams<Ls>, InputShapeOf<Ls[0]>, OutputShapeOf<Last<Ls>>, DTypeOfLayer<Ls[0]>>,
    Dropping<SequentialParams<Ls>, InputShapeOf<Ls[0]>, OutputShapeOf<Last<Ls>>, DTypeOfLayer<Ls[0]>> {
  readonly kind: 'sequential'
  readonly layers: Ls
  readonly config: SequentialConfig
  /** `applyMasked` with masks drawn from `key` (`dropoutMasks(key, batch)`): for eager training. */
  readonly applyTraining: <B extends number>(
    params: SequentialParams<Ls>,
    x: Tensor<[B, ...InputShapeOf<Ls[0]>], DTypeOfLayer<Ls[0]>>,
    key: Key,
  ) => Tensor<[B, ...OutputShapeOf<Last<Ls>>], DTypeOfLayer<Ls[0]>>
}

/**
 * Composes layers: `sequential(a, b, c).apply(p, x)` is `c.apply(p[2], b.apply(p[1], a.apply(p[0], x)))`.
 * Layer `i` is initialised from `split(k, layers.length)[i]`. Every layer must use the same dtype.
 * In training, `applyMasked(p, x, masks)` runs the layers that drop (`dropout`, `cnn`,
 * `transformerBlock`, a nested `sequential`) with their masks; `dropoutMasks(k, batch)` draws them,
 * layer `i`'s from `split(k, layers.length)[i]`.
 * @example
 * import { dense, key, sequential, zeros } from 'nabla'
 * const net = sequential(dense(784, 128, { activation: 'relu' }), dense(128, 10))
 * const logits = net.apply(net.init(key(0)), zeros([32, 784])) // Tensor<[32, 10]>
 * // sequential(dense(784, 128), dense(64, 10)) does not compile:
 * // ShapeErrorType<'layer 2 expects [B,64] but layer 1 gives [B,128]'>
 */
export const sequential = <const Ls extends readonly [AnyLayer, ...AnyLayer[]]>(
  ...layers: Ls & CheckSequence<Ls>
): Sequential<Ls> => {
  const list: readonly AnyLayer[] = layers
  if (list.length === 0) throw new ArgumentError('sequential', 'needs at least one layer')
  list.forEach((layer, i) => {
    if (typeof layer !== 'object' || layer === null || typeof layer.apply !== 'function')
      throw new ArgumentError('sequential', `layer ${i + 1} is not a layer`)
    if (i === 0) return
    const previous = list[i - 1]!
    if (!shapesEqual(previous.outputShape, layer.inputShape))
      throw new ShapeError(
        'sequential',
        `layer ${i + 1} expects ${batched(layer.inputShape)} but layer ${i} gives ${batched(previous.outputShape)}`,
      )
    if (previous.dtype !== layer.dtype)
      throw new ArgumentError(
        'sequential',
        `layer ${i + 1} computes in ${layer.dtype} but layer ${i} in ${previous.dtype}`,
      )
  })
  const first = list[0]!
  const last = list[list.length - 1]!
  const config: SequentialConfig = Object.freeze({
    kind: 'sequential',
    layers: Object.freeze(list.map((l) => l.config)),
  })
  // the layers that drop (undefined for the others), in order; run hands each its own masks
  const dropping = list.map((layer) => (isDropping(layer) && layer.maskShapes.length > 0 ? layer : undefined))
  const maskShapes = Object.freeze(dropping.flatMap((layer) => layer?.maskShapes ?? []))
  const dropoutMasks = (k: Key, batch: number): AnyTensor[] => {
    if (maskShapes.length === 0) return []
    const keys = split(k, list.length)
    return dropping.flatMap((layer, i) => layer?.dropoutMasks(keys[i]!, batch) ?? [])
  }
  const run = (params: readonly unknown[], x: AnyTensor, masks: readonly AnyTensor[] | undefined) => {
    if (!Array.isArray(params) || params.length !== list.length)
      throw new ShapeError(
        'sequential',
        `params must be an array of ${list.length} layer parameters, got ${Array.isArray(params) ? `${params.length} entries` : typeof params}`,
      )
    let next = 0
    return list.reduce<AnyTensor>((h, layer, i) => {
      const drops = dropping[i]
      const input = h as Tensor<[number], DType>
      if (masks === undefined || drops === undefined) return layer.apply(params[i], input)
      const own = masks.slice(next, next + drops.maskShapes.length)
      next += own.length
      return drops.applyMasked(params[i], input, own)
    }, x)
  }
  return Object.freeze({
    kind: 'sequential',
    layers,
    config,
    inputShape: first.inputShape,
    outputShape: last.outputShape,
    dtype: first.dtype,
    init: (k: Key) => {
      const keys = split(k, list.length)
      return Object.freeze(list.map((layer, i) => layer.init(keys[i]!)))
    },
    apply: (params: readonly unknown[], x: AnyTensor) => run(params, x, undefined),
    maskShapes,
    dropoutMasks,
    applyMasked: (params: readonly unknown[], x: AnyTensor, masks: readonly AnyTensor[]) => {
      checkMasks('sequential', maskShapes, masks, x.shape[0]!)
      return run(params, x, masks)
    },
    applyTraining: (params: readonly unknown[], x: AnyTensor, k: Key) =>
      run(params, x, dropoutMasks(k, x.shape[0]!)),
  }) as unknown as Sequential<Ls>
}

const batched = (shape: readonly number[]): string =>
  shape.length === 0 ? '[B]' : `[B,${formatShape(shape).slice(1)}`
