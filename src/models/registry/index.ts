/**
 * The layer registry: every layer kind with a `config` registers here once — its configuration
 * codec (io-ts, strict: unknown fields and bad sizes are errors naming the field), how to build
 * the layer from a configuration, and the shapes the configuration describes, by arithmetic
 * alone. The CLI's run files store a layer configuration and rebuild the model through
 * `layerFromConfig`; `describeLayerConfig` checks a configuration from anyone (sizes, how the
 * layers fit, the parameter shapes and their bytes) before a single tensor is allocated.
 *
 * `sequential` configurations nest: `{ kind: 'sequential', layers: [config, …] }`.
 *
 * Adding a layer kind: give its constructor a `config` with a `kind`, and add one `defineKind`
 * entry (codec, `fromConfig`, `shapes`) to `kinds.ts` or `imageKinds.ts`. A `kind` written in a
 * layer file but not registered fails test/models/registry/index.test.ts.
 *
 * @example
 * import { describeLayerConfig, key, layerFromConfig, zeros } from 'nabla'
 * const config = {
 *   kind: 'sequential',
 *   layers: [
 *     { kind: 'conv2d', inputShape: [1, 8, 8], outChannels: 4, kernel: 3, activation: 'relu' },
 *     { kind: 'maxPool2d', inputShape: [4, 6, 6], window: 2 },
 *     { kind: 'flatten', inputShape: [4, 3, 3] },
 *     { kind: 'dense', inputs: 36, outputs: 10 },
 *   ],
 * }
 * describeLayerConfig(config).shapes.outputShape // [10]
 * const net = layerFromConfig(config)
 * net.apply(net.init(key(0)), zeros([2, 1, 8, 8])).shape // [2, 10]
 *
 * @module models/registry
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { DecodeError, type DType } from '../../tensor/index.js'
import type { AnyLayer, LayerConfig } from '../layer.js'
import { sequential } from '../sequential.js'
import { at, type ConfigSite, decodeAt, fail, strictConfig } from './fields.js'
import { imageKinds } from './imageKinds.js'
import { defineKind, type LayerKind, type LayerShapes } from './kind.js'
import { denseKinds } from './kinds.js'

export type { ConfigSite } from './fields.js'
export type { LayerShapes, ShapeSpec, SpecTree } from './kind.js'

const defaultSite: ConfigSite = { op: 'layerConfig', label: 'config', path: 'config' }

/** How many `sequential`s may nest (a file from anyone could nest them until the stack breaks). */
const maxNesting = 32

const validateLayer = (u: unknown, c: t.Context): t.Validation<LayerConfig> => {
  const depth = c.filter((entry) => entry.key === 'layers').length
  if (depth > maxNesting) return t.failure(u, c, `a layer nested at most ${maxNesting} sequentials deep`)
  if (typeof u !== 'object' || u === null || Array.isArray(u))
    return t.failure(u, c, `a layer configuration (an object with a kind: ${layerKindNames.join(', ')})`)
  const kind = (u as { readonly kind?: unknown }).kind
  const entry = typeof kind === 'string' && Object.hasOwn(kinds, kind) ? kinds[kind] : undefined
  if (entry === undefined)
    return t.failure(kind, t.appendContext(c, 'kind', t.string, kind), `one of ${layerKindNames.join(', ')}`)
  return entry.codec.validate(u, c) as t.Validation<LayerConfig>
}

/**
 * The codec of any registered layer configuration: it reads `kind` and decodes the rest with
 * that kind's codec (nested `sequential`s included).
 * @example
 * import { layerConfigCodec } from 'nabla'
 * layerConfigCodec.is({ kind: 'dense', inputs: 3, outputs: 2 }) // true
 * layerConfigCodec.is({ kind: 'dense', inputs: 3, outputs: 2, kernal: 3 }) // false
 */
export const layerConfigCodec: t.Type<LayerConfig, LayerConfig, unknown> = new t.Type<
  LayerConfig,
  LayerConfig,
  unknown
>(
  'a layer configuration',
  (u): u is LayerConfig => E.isRight(validateLayer(u, [])),
  validateLayer,
  t.identity,
)

const formatBatched = (shape: readonly number[]): string => `[B${shape.map((d) => `,${d}`).join('')}]`

/** sequential: its layers in order, each one's output the next one's input; params are a list. */
const sequentialKind = defineKind({
  kind: 'sequential',
  codec: strictConfig(
    'sequential',
    { layers: t.array(layerConfigCodec, 'a list of layer configurations') },
    {},
  ),
  fromConfig: (c) => sequential(...(c.layers.map((layer) => layerFromConfig(layer)) as [AnyLayer] as never)),
  shapes: (c, site): LayerShapes => {
    if (c.layers.length === 0)
      fail(at(site, 'layers'), 'a list of at least one layer configuration', c.layers)
    const children = c.layers.map((layer, i) => shapesOf(layer, at(site, 'layers', i)))
    children.forEach((child, i) => {
      const previous = children[i - 1]
      if (previous === undefined) return
      const here = at(site, 'layers', i)
      const before = at(site, 'layers', i - 1)
      const fits =
        child.inputShape.length === previous.outputShape.length &&
        child.inputShape.every((d, j) => d === previous.outputShape[j])
      if (!fits)
        throw new DecodeError(
          site.op,
          `${here.label} expects ${formatBatched(child.inputShape)} but ${before.label} gives ${formatBatched(previous.outputShape)}`,
          here.path,
        )
      if (child.dtype !== previous.dtype)
        throw new DecodeError(
          site.op,
          `${here.label} computes in ${child.dtype} but ${before.label} in ${previous.dtype}`,
          here.path,
        )
    })
    return {
      inputShape: children[0]!.inputShape,
      outputShape: children.at(-1)!.outputShape,
      dtype: children[0]!.dtype,
      params: children.map((child) => child.params),
      featureMaps: children.flatMap((child, i) => [
        ...child.featureMaps.map((map) => ({ ...map, name: `${i}.${map.name}` })),
        { name: String(i), shape: child.outputShape, dtype: child.dtype },
      ]),
    }
  },
})

const registered: readonly LayerKind<LayerConfig>[] = [
  ...denseKinds,
  ...imageKinds,
  sequentialKind,
] as unknown as readonly LayerKind<LayerConfig>[]

const kinds: Readonly<Record<string, LayerKind<LayerConfig>>> = Object.freeze(
  Object.fromEntries(registered.map((entry) => [entry.kind, entry])),
)

/**
 * The registered layer kinds, in order.
 * @example
 * import { layerKindNames } from 'nabla'
 * layerKindNames.includes('conv2d') // true
 */
export const layerKindNames: readonly string[] = Object.freeze(registered.map((entry) => entry.kind))

const shapesOf = (config: LayerConfig, site: ConfigSite): LayerShapes =>
  kinds[config.kind]!.shapes(config, site)

/**
 * Decodes a layer configuration from anyone (JSON, a run file) and works out, without allocating,
 * the shapes it describes: per-example input and output, the parameter template and the feature
 * maps of one example. Every problem is a `DecodeError` naming the field under `site` (a bad size,
 * an unknown kind or field, layers that do not fit together).
 * @example
 * import { describeLayerConfig } from 'nabla'
 * const { shapes } = describeLayerConfig({ kind: 'mlp', sizes: [4, 8, 3], activation: 'relu', outputActivation: 'identity', initializer: 'heUniform' })
 * shapes.params // [{ w: { shape: [4, 8], … }, b: … }, { w: { shape: [8, 3], … }, b: … }]
 */
export const describeLayerConfig = (
  value: unknown,
  site: ConfigSite = defaultSite,
): { readonly config: LayerConfig; readonly shapes: LayerShapes } => {
  const config = decodeAt(layerConfigCodec, value, site)
  return { config, shapes: shapesOf(config, site) }
}

/**
 * The layer a configuration describes (the inverse of `layer.config` for every registered kind),
 * checked first as `describeLayerConfig` checks it.
 * @example
 * import { dense, layerFromConfig } from 'nabla'
 * const rebuilt = layerFromConfig(dense(3, 2, { activation: 'tanh' }).config)
 * rebuilt.outputShape // [2]
 */
export const layerFromConfig = (value: unknown, site: ConfigSite = defaultSite): AnyLayer => {
  const { config } = describeLayerConfig(value, site)
  return kinds[config.kind]!.fromConfig(config)
}

/**
 * The dtype a configuration computes in (`float32` when it names none).
 * @example
 * import { layerConfigDType } from 'nabla'
 * layerConfigDType({ kind: 'dense', inputs: 3, outputs: 2, dtype: 'float64' }) // 'float64'
 */
export const layerConfigDType = (value: unknown): DType => describeLayerConfig(value).shapes.dtype
