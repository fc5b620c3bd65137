/**
 * The dense and sequence layers in the registry — `dense`, `mlp`, `dropout`, `layerNorm`,
 * `embedding`, `positionEmbedding`, `attention` and `transformerBlock` — each with its codec, its
 * constructor call and its shapes by arithmetic. (The image layers are in `imageKinds.ts`,
 * `sequential` in `index.ts`.)
 *
 * @module models/registry/kinds
 */
import type { DType } from '../../tensor/index.js'
import { attention } from '../layers/attention.js'
import { dropout } from '../layers/dropout.js'
import { embedding, positionEmbedding } from '../layers/embedding.js'
import { layerNorm } from '../layers/norm.js'
import { transformerBlock } from '../layers/transformer.js'
import { dense, mlp } from '../layers.js'
import {
  activationName,
  at,
  type ConfigSite,
  dtype,
  fail,
  flag,
  initializerName,
  positiveInteger,
  positiveNumber,
  rate,
  sizes,
  strictConfig,
} from './fields.js'
import { defineKind, type LayerShapes, type ShapeSpec } from './kind.js'

const spec = (shape: readonly number[], d: DType): ShapeSpec => ({ shape, dtype: d })
const denseSpecs = (inputs: number, outputs: number, d: DType) => ({
  w: spec([inputs, outputs], d),
  b: spec([outputs], d),
})
const noParams = { params: {}, featureMaps: [] } as const
const dtypeOf = (c: { readonly dtype?: DType }): DType => c.dtype ?? 'float32'
/** `{ dtype }` when the configuration names one, else nothing (the constructor's default). */
const dtypeOption = <D extends DType>(c: { readonly dtype?: D }) =>
  c.dtype === undefined ? {} : { dtype: c.dtype }

/** dense: `[inputs]` → `[outputs]`, `w: [inputs, outputs]`, `b: [outputs]`. */
const denseKind = defineKind({
  kind: 'dense',
  codec: strictConfig(
    'dense',
    { inputs: positiveInteger, outputs: positiveInteger },
    { activation: activationName, initializer: initializerName, dtype },
  ),
  fromConfig: (c) =>
    dense(c.inputs, c.outputs, {
      ...(c.activation === undefined ? {} : { activation: c.activation }),
      ...(c.initializer === undefined ? {} : { initializer: c.initializer }),
      ...dtypeOption(c),
    }),
  shapes: (c): LayerShapes => ({
    inputShape: [c.inputs],
    outputShape: [c.outputs],
    dtype: dtypeOf(c),
    params: denseSpecs(c.inputs, c.outputs, dtypeOf(c)),
    featureMaps: [],
  }),
})

/** mlp of sizes `[n0, n1, …]`: layer i has `w: [n_i, n_i+1]`, `b: [n_i+1]`; params are a list. */
const mlpKind = defineKind({
  kind: 'mlp',
  codec: strictConfig(
    'mlp',
    {
      sizes,
      activation: activationName,
      outputActivation: activationName,
      initializer: initializerName,
    },
    // run files written before mlp configurations carried a dtype are float32
    { dtype },
  ),
  fromConfig: (c) =>
    mlp(c.sizes, {
      activation: c.activation,
      outputActivation: c.outputActivation,
      initializer: c.initializer,
      ...dtypeOption(c),
    }),
  shapes: (c, site): LayerShapes => {
    if (c.sizes.length < 2) fail(at(site, 'sizes'), 'at least an input and an output size', c.sizes)
    return {
      inputShape: [c.sizes[0]!],
      outputShape: [c.sizes.at(-1)!],
      dtype: dtypeOf(c),
      params: c.sizes.slice(1).map((out, i) => denseSpecs(c.sizes[i]!, out, dtypeOf(c))),
      featureMaps: [],
    }
  },
})

/** dropout: the identity on shapes, no parameters. */
const dropoutKind = defineKind({
  kind: 'dropout',
  codec: strictConfig('dropout', { rate, inputShape: sizes }, { dtype }),
  fromConfig: (c) => dropout(c.rate, c.inputShape, dtypeOption(c)),
  shapes: (c): LayerShapes => ({
    inputShape: c.inputShape,
    outputShape: c.inputShape,
    dtype: dtypeOf(c),
    ...noParams,
  }),
})

/** layerNorm over the last axis: `gamma` and `beta` of that size. */
const layerNormKind = defineKind({
  kind: 'layerNorm',
  codec: strictConfig('layerNorm', { inputShape: sizes }, { eps: positiveNumber, dtype }),
  fromConfig: (c) =>
    layerNorm(c.inputShape as [number, ...number[]], {
      ...(c.eps === undefined ? {} : { eps: c.eps }),
      ...dtypeOption(c),
    }),
  shapes: (c, site): LayerShapes => {
    const last = c.inputShape.at(-1)
    if (last === undefined)
      fail(at(site, 'inputShape'), 'a non-empty list of positive integers', c.inputShape)
    const d = dtypeOf(c)
    return {
      inputShape: c.inputShape,
      outputShape: c.inputShape,
      dtype: d,
      params: { gamma: spec([last!], d), beta: spec([last!], d) },
      featureMaps: [],
    }
  },
})

const tableCodec = <K extends string>(kind: K) =>
  strictConfig(kind, { rows: positiveInteger, dim: positiveInteger, length: positiveInteger }, { dtype })

/** embedding: `[length]` tokens → `[length, dim]`, `table: [rows, dim]`. */
const embeddingKind = defineKind({
  kind: 'embedding',
  codec: tableCodec('embedding'),
  fromConfig: (c) => embedding({ vocab: c.rows, dim: c.dim, length: c.length, ...dtypeOption(c) }),
  shapes: (c): LayerShapes => ({
    inputShape: [c.length],
    outputShape: [c.length, c.dim],
    dtype: dtypeOf(c),
    params: { table: spec([c.rows, c.dim], dtypeOf(c)) },
    featureMaps: [],
  }),
})

/** positionEmbedding: `[length, dim]` in and out, `table: [length, dim]` (rows = length). */
const positionEmbeddingKind = defineKind({
  kind: 'positionEmbedding',
  codec: tableCodec('positionEmbedding'),
  fromConfig: (c) => positionEmbedding({ length: c.length, dim: c.dim, ...dtypeOption(c) }),
  shapes: (c, site): LayerShapes => {
    if (c.rows !== c.length) fail(at(site, 'rows'), `the length (${c.length})`, c.rows)
    return {
      inputShape: [c.length, c.dim],
      outputShape: [c.length, c.dim],
      dtype: dtypeOf(c),
      params: { table: spec([c.length, c.dim], dtypeOf(c)) },
      featureMaps: [],
    }
  },
})

const headDimOf = (site: ConfigSite, dim: number, heads: number, headDim: number | undefined): number =>
  headDim ?? (dim % heads === 0 ? dim / heads : fail(at(site, 'heads'), `a divisor of dim (${dim})`, heads))

const attentionSpecs = (dim: number, heads: number, headDim: number, d: DType) => ({
  wq: spec([dim, heads, headDim], d),
  wk: spec([dim, heads, headDim], d),
  wv: spec([dim, heads, headDim], d),
  wo: spec([heads, headDim, dim], d),
  bo: spec([dim], d),
})

/** attention: `[length, dim]` in and out; projections `[dim, heads, headDim]`, `wo`, `bo`. */
const attentionKind = defineKind({
  kind: 'attention',
  codec: strictConfig(
    'attention',
    { length: positiveInteger, dim: positiveInteger, heads: positiveInteger },
    { headDim: positiveInteger, causal: flag, dtype },
  ),
  fromConfig: (c) =>
    attention({
      length: c.length,
      dim: c.dim,
      heads: c.heads,
      ...(c.headDim === undefined ? {} : { headDim: c.headDim }),
      ...(c.causal === undefined ? {} : { causal: c.causal }),
      ...dtypeOption(c),
    }),
  shapes: (c, site): LayerShapes => ({
    inputShape: [c.length, c.dim],
    outputShape: [c.length, c.dim],
    dtype: dtypeOf(c),
    params: attentionSpecs(c.dim, c.heads, headDimOf(site, c.dim, c.heads, c.headDim), dtypeOf(c)),
    featureMaps: [],
  }),
})

/** transformerBlock: `[length, dim]` in and out; two norms, attention and a feed-forward pair. */
const transformerBlockKind = defineKind({
  kind: 'transformerBlock',
  codec: strictConfig(
    'transformerBlock',
    { length: positiveInteger, dim: positiveInteger, heads: positiveInteger, hidden: positiveInteger },
    { causal: flag, dropout: rate, dtype },
  ),
  fromConfig: (c) =>
    transformerBlock({
      length: c.length,
      dim: c.dim,
      heads: c.heads,
      hidden: c.hidden,
      ...(c.causal === undefined ? {} : { causal: c.causal }),
      ...(c.dropout === undefined ? {} : { dropout: c.dropout }),
      ...dtypeOption(c),
    }),
  shapes: (c, site): LayerShapes => {
    const d = dtypeOf(c)
    const norm = { gamma: spec([c.dim], d), beta: spec([c.dim], d) }
    return {
      inputShape: [c.length, c.dim],
      outputShape: [c.length, c.dim],
      dtype: d,
      params: {
        norm1: norm,
        attention: attentionSpecs(c.dim, c.heads, headDimOf(site, c.dim, c.heads, undefined), d),
        norm2: norm,
        feedForward: {
          w1: spec([c.dim, c.hidden], d),
          b1: spec([c.hidden], d),
          w2: spec([c.hidden, c.dim], d),
          b2: spec([c.dim], d),
        },
      },
      featureMaps: [{ name: 'feedForward', shape: [c.length, c.hidden], dtype: d }],
    }
  },
})

/**
 * The dense and sequence kinds, in the order the registry lists them.
 * @example
 * import { denseKinds } from './kinds.js'
 * denseKinds.map((k) => k.kind) // ['dense', 'mlp', 'dropout', 'layerNorm', …]
 */
export const denseKinds = [
  denseKind,
  mlpKind,
  dropoutKind,
  layerNormKind,
  embeddingKind,
  positionEmbeddingKind,
  attentionKind,
  transformerBlockKind,
] as const
