/**
 * The layer registry: for every registered kind, on random small layers built by the kind's own
 * constructor, the shapes worked out from the configuration alone (input, output, every parameter)
 * equal those of the built layer's `init` and `apply`, and `layerFromConfig(layer.config)` gives
 * back the same configuration. Every `kind` a layer file writes is registered; bad configurations
 * are DecodeErrors naming the field.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyLayer,
  attention,
  avgPool2dLayer,
  cnn,
  conv2dLayer,
  DecodeError,
  dense,
  describeLayerConfig,
  dropout,
  embedding,
  flattenLayer,
  key,
  type LayerConfig,
  layerConfigCodec,
  layerFromConfig,
  layerKindNames,
  layerNorm,
  maxPool2dLayer,
  mlp,
  positionEmbedding,
  sequential,
  transformerBlock,
  zeros,
} from '../../../src/index.js'
import { paramLeaves, templateLeaves } from '../../../src/models/serialize/tree.js'

const size = (max = 4) => fc.integer({ min: 1, max })
const dtypeArb = fc.constantFrom('float32' as const, 'float64' as const)
const activation = fc.constantFrom('identity' as const, 'relu' as const, 'tanh' as const)
const image = fc.tuple(size(2), fc.integer({ min: 3, max: 7 }), fc.integer({ min: 3, max: 7 }))

/** Builds a layer, or undefined when the constructor rejects the sizes (an image too small, …). */
const attempt = (build: () => AnyLayer): AnyLayer | Error => {
  try {
    return build()
  } catch (error) {
    return error as Error
  }
}

/** A small random layer of every registered kind, built by its own constructor. */
const layers: Readonly<Record<string, fc.Arbitrary<AnyLayer | Error>>> = {
  dense: fc
    .record({ i: size(), o: size(), activation, dtype: dtypeArb })
    .map(({ i, o, ...options }) => dense(i, o, options)),
  mlp: fc
    .record({ sizes: fc.array(size(), { minLength: 2, maxLength: 4 }), activation, dtype: dtypeArb })
    .map(({ sizes, ...options }) => mlp(sizes, options) as AnyLayer),
  dropout: fc
    .record({ rate: fc.double({ min: 0, max: 0.9, noNaN: true }), shape: fc.array(size(), { maxLength: 2 }) })
    .map(({ rate, shape }) => dropout(rate, shape)),
  layerNorm: fc
    .record({ shape: fc.array(size(), { minLength: 1, maxLength: 2 }), dtype: dtypeArb })
    .map(({ shape, dtype }) => layerNorm(shape as [number, ...number[]], { dtype })),
  embedding: fc
    .record({ vocab: size(5), dim: size(), length: size() })
    .map((options) => embedding(options) as AnyLayer),
  positionEmbedding: fc.record({ length: size(), dim: size() }).map((options) => positionEmbedding(options)),
  attention: fc
    .record({ length: size(3), heads: size(2), per: size(2), causal: fc.boolean() })
    .map(({ heads, per, ...rest }) => attention({ ...rest, heads, dim: heads * per }) as AnyLayer),
  transformerBlock: fc
    .record({ length: size(3), heads: size(2), per: size(2), hidden: size(), causal: fc.boolean() })
    .map(({ heads, per, ...rest }) => transformerBlock({ ...rest, heads, dim: heads * per }) as AnyLayer),
  conv2d: fc
    .record({
      input: image,
      out: size(3),
      kernel: fc.oneof(size(3), fc.tuple(size(3), size(3))),
      stride: size(2),
      dilation: size(2),
      padding: fc.constantFrom('valid' as const, 'same' as const, 1),
      activation,
    })
    .map(({ input, out, kernel, ...options }) =>
      attempt(() => conv2dLayer(input, out, kernel, options) as AnyLayer),
    ),
  maxPool2d: fc
    .record({ input: image, window: size(3), stride: size(2), padding: fc.constantFrom('valid' as const, 1) })
    .map(({ input, ...options }) => attempt(() => maxPool2dLayer(input, options) as AnyLayer)),
  avgPool2d: fc
    .record({ input: image, window: size(3), padding: fc.constantFrom('valid' as const, 'same' as const) })
    .map(({ input, ...options }) => attempt(() => avgPool2dLayer(input, options) as AnyLayer)),
  flatten: fc.array(size(), { maxLength: 3 }).map((shape) => flattenLayer(shape) as AnyLayer),
  cnn: fc
    .record({
      channels: fc.array(size(2), { minLength: 1, maxLength: 2 }),
      kernel: size(3),
      pool: size(2),
      padding: fc.constantFrom('valid' as const, 'same' as const),
      hidden: fc.array(size(), { maxLength: 2 }),
      classes: size(),
      dropout: fc.constantFrom(0, 0.5),
      inputShape: image,
    })
    .map((options) => attempt(() => cnn(options) as AnyLayer)),
  sequential: fc.record({ input: image, out: size(2), hidden: size() }).map(({ input, out, hidden }) =>
    attempt(() => {
      const conv = conv2dLayer(input, out, 2, { activation: 'relu' })
      const flat = flattenLayer(conv.outputShape)
      const first = dense(flat.outputShape[0], hidden)
      return sequential(conv, flat, first, sequential(dropout(0.5, [hidden]), dense(hidden, 2))) as AnyLayer
    }),
  ),
}

const shapesOfInit = (params: unknown) =>
  paramLeaves('test', params).map((l) => [l.segments.join('.'), l.value.shape, l.value.dtype])
const shapesOfSpecs = (template: unknown) =>
  templateLeaves('test', template).map((l) => [l.segments.join('.'), l.value.shape, l.value.dtype])

describe('the layer registry', () => {
  it('has an arbitrary here for every registered kind (so every kind is checked below)', () => {
    expect([...layerKindNames].sort()).toEqual(Object.keys(layers).sort())
  })

  it('registers every kind a layer file writes in a config', () => {
    const root = path.join(import.meta.dirname, '../../../src/models')
    const files = [
      'layers.ts',
      'sequential.ts',
      ...fs.readdirSync(path.join(root, 'layers')).map((f) => path.join('layers', f)),
    ]
    const written = new Set(
      files.flatMap((f) =>
        [...fs.readFileSync(path.join(root, f), 'utf8').matchAll(/kind: '(\w+)'/g)].map((m) => m[1]!),
      ),
    )
    expect(written.size).toBeGreaterThan(10)
    expect([...written].filter((kind) => !layerKindNames.includes(kind))).toEqual([])
  })

  for (const [kind, arbitrary] of Object.entries(layers))
    it(`${kind}: the shapes from the configuration alone are those of the built layer`, () => {
      let built = 0
      fc.assert(
        fc.property(arbitrary, (layer) => {
          if (layer instanceof Error) return // the constructor refused these sizes
          built++
          const config = JSON.parse(JSON.stringify(layer.config)) as LayerConfig
          expect(config.kind).toBe(kind)
          const { shapes } = describeLayerConfig(config)
          expect(shapes.inputShape).toEqual([...layer.inputShape])
          expect(shapes.outputShape).toEqual([...layer.outputShape])
          expect(shapes.dtype).toBe(layer.dtype)
          const params = layer.init(key(0))
          expect(shapesOfSpecs(shapes.params)).toEqual(shapesOfInit(params))
          const rebuilt = layerFromConfig(config)
          expect(JSON.parse(JSON.stringify(rebuilt.config))).toEqual(config)
          expect(shapesOfInit(rebuilt.init(key(1)))).toEqual(shapesOfInit(params))
          const x = zeros([2, ...layer.inputShape], { dtype: layer.dtype })
          expect(rebuilt.apply(params, x as never).shape).toEqual([2, ...shapes.outputShape])
        }),
        { seed: 1010, numRuns: 12 },
      )
      expect(built).toBeGreaterThan(0)
    })

  it('rejects, where a constructor would, sizes that do not fit, naming the field', () => {
    // the same refusals as the constructors, but as DecodeErrors by arithmetic alone
    fc.assert(
      fc.property(
        fc.record({
          side: fc.integer({ min: 1, max: 6 }),
          kernel: size(5),
          dilation: size(2),
          stride: size(2),
        }),
        ({ side, ...options }) => {
          const config = { kind: 'conv2d', inputShape: [1, side, side], outChannels: 1, ...options }
          const built = attempt(() => conv2dLayer([1, side, side], 1, options.kernel, options) as AnyLayer)
          if (built instanceof Error)
            expect(() => describeLayerConfig(config)).toThrow(/config.inputShape must be large enough/)
          else expect(describeLayerConfig(config).shapes.outputShape).toEqual([...built.outputShape])
        },
      ),
      { seed: 1011, numRuns: 60 },
    )
  })

  it('names the field of a bad size, an unknown field or kind, and layers that do not fit', () => {
    const bad = (config: unknown, message: string, at: string) => {
      let error: unknown
      try {
        describeLayerConfig(config)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(DecodeError)
      expect((error as DecodeError).message).toBe(`layerConfig: ${message}`)
      expect((error as DecodeError).path).toBe(at)
    }
    const d = (i: number, o: number) => ({ kind: 'dense', inputs: i, outputs: o })
    bad(
      { kind: 'dense', inputs: 0, outputs: 2 },
      'config.inputs must be a positive integer, got 0',
      'config.inputs',
    )
    bad(
      {
        kind: 'sequential',
        layers: [
          d(2, 3),
          {
            kind: 'mlp',
            sizes: [3, 1.5],
            activation: 'relu',
            outputActivation: 'identity',
            initializer: 'heUniform',
          },
        ],
      },
      'config.layers[1].sizes[1] must be a positive integer, got 1.5',
      'config.layers[1].sizes[1]',
    )
    bad(
      { ...d(2, 3), kernal: 3 },
      'config.kernal must be absent: a dense configuration has the fields kind, inputs, outputs, activation, initializer, dtype, got 3',
      'config.kernal',
    )
    bad(
      { kind: 'conv3d' },
      `config.kind must be one of ${layerKindNames.join(', ')}, got "conv3d"`,
      'config.kind',
    )
    bad(
      { kind: 'dense', inputs: 2 },
      'config.outputs must be a positive integer, got nothing (the field is missing)',
      'config.outputs',
    )
    bad(
      { kind: 'sequential', layers: [d(2, 3), d(4, 1)] },
      'config.layers[1] expects [B,4] but config.layers[0] gives [B,3]',
      'config.layers[1]',
    )
    bad(
      { kind: 'sequential', layers: [] },
      'config.layers must be a list of at least one layer configuration, got []',
      'config.layers',
    )
    bad(
      { kind: 'maxPool2d', inputShape: [1, 4, 4], window: 2, padding: 2 },
      'config.padding must be smaller than the window (2) on each axis, got 2',
      'config.padding',
    )
    bad(
      { kind: 'attention', length: 2, dim: 5, heads: 2 },
      'config.heads must be a divisor of dim (5), got 2',
      'config.heads',
    )
    let nested: unknown = d(1, 1)
    for (let i = 0; i < 40; i++) nested = { kind: 'sequential', layers: [nested] }
    expect(() => describeLayerConfig(nested)).toThrow(/nested at most 32 sequentials deep/)
    expect(layerConfigCodec.is({ kind: 'sequential', layers: [d(2, 3), d(3, 1)] })).toBe(true)
  })
})
