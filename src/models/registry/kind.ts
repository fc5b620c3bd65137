/**
 * What registering a layer kind means: its configuration codec, how to build the layer from a
 * configuration, and the shapes it describes — worked out by arithmetic on the configuration
 * alone, without allocating a tensor, so a run file from anyone can be checked against the memory
 * budget and against its own tensors before anything is built.
 *
 * @module models/registry/kind
 */
import type * as t from 'io-ts'
import type { DType } from '../../tensor/index.js'
import type { AnyLayer, LayerConfig } from '../layer.js'
import type { ConfigSite } from './fields.js'

/**
 * The shape and dtype of one parameter tensor (a `TensorSpec` leaf of a parameter template).
 * @example
 * import type { ShapeSpec } from './kind.js'
 * const w: ShapeSpec = { shape: [784, 128], dtype: 'float32' }
 */
export interface ShapeSpec {
  readonly shape: readonly number[]
  readonly dtype: DType
}

/**
 * A parameter template of specs, nested as the layer's `init` nests its tensors.
 * @example
 * import type { SpecTree } from './kind.js'
 * const dense: SpecTree = { w: { shape: [3, 2], dtype: 'float32' }, b: { shape: [2], dtype: 'float32' } }
 */
export type SpecTree = ShapeSpec | readonly SpecTree[] | { readonly [name: string]: SpecTree }

/**
 * What a configuration describes, per example (no batch dimension).
 * @example
 * import type { LayerShapes } from './kind.js'
 * const dense: LayerShapes = {
 *   inputShape: [3], outputShape: [2], dtype: 'float32', featureMaps: [],
 *   params: { w: { shape: [3, 2], dtype: 'float32' }, b: { shape: [2], dtype: 'float32' } },
 * }
 */
export interface LayerShapes {
  readonly inputShape: readonly number[]
  readonly outputShape: readonly number[]
  readonly dtype: DType
  /** The parameters as `{ shape, dtype }` specs, nested as `init` makes them. */
  readonly params: SpecTree
  /** Intermediate results of one example worth checking against the memory budget (named). */
  readonly featureMaps: readonly {
    readonly name: string
    readonly shape: readonly number[]
    readonly dtype: DType
  }[]
}

/**
 * One registered layer kind. `shapes` throws a `DecodeError` naming the field (under `site`) when
 * the sizes do not fit together (an image too small for its kernel, heads that do not divide a
 * dimension); it must agree with what `fromConfig(config)` builds, which the registry's tests
 * check by property for every kind.
 * @example
 * import type { LayerKind } from './kind.js'
 * type K = LayerKind<{ readonly kind: 'identity'; readonly size: number }>
 */
export interface LayerKind<C extends LayerConfig> {
  readonly kind: C['kind']
  readonly codec: t.Decoder<unknown, C>
  readonly fromConfig: (config: C) => AnyLayer
  readonly shapes: (config: C, site: ConfigSite) => LayerShapes
}

/**
 * Declares a kind (the identity, there for inference: the configuration type comes from the codec).
 * @example
 * import { defineKind } from './kind.js'
 * import { positiveInteger, strictConfig } from './fields.js'
 * import { flattenLayer } from '../layers/conv.js'
 * const kind = defineKind({
 *   kind: 'flat',
 *   codec: strictConfig('flat', { size: positiveInteger }, {}),
 *   fromConfig: (c) => flattenLayer([c.size]),
 *   shapes: (c) => ({ inputShape: [c.size], outputShape: [c.size], dtype: 'float32', params: {}, featureMaps: [] }),
 * })
 */
export const defineKind = <C extends LayerConfig>(entry: LayerKind<C>): LayerKind<C> => entry
