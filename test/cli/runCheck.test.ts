/**
 * Run-file checks before anything is built: the shapes a configuration describes (worked out by
 * arithmetic) equal those of the model's own `init` for random small mlp and cnn configurations;
 * sizes over the memory budget are a ResourceError, shapes that differ from the file's tensors a
 * DecodeError, and `evalDataSource` never takes a directory from the run file.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkRunSizes, describedModel, evalDataSource } from '../../src/cli/runCheck.js'
import {
  ArgumentError,
  cnn,
  conv2dLayer,
  DecodeError,
  key,
  maxPool2dLayer,
  mlp,
  ResourceError,
  setMemoryBudget,
  zeros,
} from '../../src/index.js'
import type { CnnConfig } from '../../src/models/layers/cnn.js'
import type { MlpConfig } from '../../src/models/layers.js'
import { paramLeaves, templateLeaves } from '../../src/models/serialize/tree.js'

const initShapes = (params: unknown): Record<string, readonly number[]> =>
  Object.fromEntries(paramLeaves('test', params).map((l) => [l.segments.join('.'), l.value.shape]))
const describedShapes = (config: MlpConfig | CnnConfig): Record<string, readonly number[]> =>
  Object.fromEntries(describedModel('test', 'f', config).params.map((t) => [t.name, t.shape]))

const withBudget = <A>(bytes: number, f: () => A): A => {
  const previous = setMemoryBudget(bytes)
  try {
    return f()
  } finally {
    setMemoryBudget(previous)
  }
}

const mlpConfig = (sizes: readonly number[]): MlpConfig => mlp(sizes as number[]).config as MlpConfig

describe('describedModel', () => {
  it("gives an mlp's parameter shapes as its init does", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 5 }), (sizes) => {
        const net = mlp(sizes as number[])
        expect(describedShapes(net.config as MlpConfig)).toEqual(initShapes(net.init(key(0))))
      }),
      { seed: 141, numRuns: 40 },
    )
  })

  it("gives a cnn's parameter shapes as its init does, and its feature maps as apply computes them", () => {
    fc.assert(
      fc.property(
        fc.record({
          channels: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
          kernel: fc.integer({ min: 1, max: 3 }),
          pool: fc.integer({ min: 1, max: 2 }),
          padding: fc.constantFrom('valid' as const, 'same' as const),
          hidden: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
          classes: fc.integer({ min: 2, max: 4 }),
          side: fc.integer({ min: 9, max: 13 }),
          inChannels: fc.integer({ min: 1, max: 2 }),
        }),
        ({ side, inChannels, ...rest }) => {
          const net = cnn({ ...rest, inputShape: [inChannels, side, side] })
          const config = net.config as CnnConfig
          expect(describedShapes(config)).toEqual(initShapes(net.init(key(0))))
          // each block's convolution output, as the conv2d layer itself computes it
          let shape = config.inputShape as readonly [number, number, number]
          const convMaps = rest.channels.map((out) => {
            const conv = conv2dLayer(shape, out, rest.kernel, { padding: rest.padding })
            shape = maxPool2dLayer(conv.outputShape as never, { window: rest.pool }).outputShape as never
            return conv.outputShape
          })
          const maps = describedModel('test', 'f', config).featureMaps
          expect(maps.map((m) => m.shape)).toEqual([config.inputShape, ...convMaps])
        },
      ),
      { seed: 142, numRuns: 25 },
    )
  })

  it('names a size that is not a positive integer, and images too small for the blocks', () => {
    expect(() => describedModel('loadRun', 'r.json', { ...mlpConfig([2, 2]), sizes: [2, 1.5] })).toThrow(
      new DecodeError(
        'loadRun',
        "r.json: the run's model.sizes[1] must be a positive integer, got 1.5",
        'metadata.nabla-run.model.sizes[1]',
      ),
    )
    const tiny = { ...(cnn().config as CnnConfig), inputShape: [1, 4, 4] as const }
    expect(() => describedModel('loadRun', 'r.json', tiny)).toThrow(/large enough for convolution block 0/)
  })
})

describe('checkRunSizes', () => {
  const file = 'runs/x/params.json'
  const small = mlp([2, 3, 2])
  const smallParams = small.init(key(0))

  it('accepts the parameters a configuration describes, and returns their template', () => {
    const { template } = checkRunSizes('loadRun', file, small.config as MlpConfig, smallParams)
    const specShapes = Object.fromEntries(
      templateLeaves('test', template).map((l) => [l.segments.join('.'), l.value.shape]),
    )
    expect(specShapes).toEqual(initShapes(smallParams))
  })

  it('rejects sizes over the memory budget before anything is built, naming the size', () => {
    const huge = mlpConfig([20000, 20000, 2])
    const error = withBudget(2 ** 30, () => {
      try {
        checkRunSizes('loadRun', file, huge, smallParams)
      } catch (e) {
        return e
      }
      return undefined
    })
    expect(error).toBeInstanceOf(ResourceError)
    expect((error as ResourceError).bytes).toBe((20000 * 20000 + 20000 + 20000 * 2 + 2) * 4)
    expect((error as Error).message).toContain(
      `loadRun: ${file}: the mlp the run describes (4 parameter tensors, the largest 0.w of shape [20000,20000]) needs 1.5 GiB (1600240008 bytes), more than the memory budget of 1 GiB`,
    )
  })

  it("rejects a cnn whose one image's feature map is over the budget", () => {
    const config = { ...(cnn().config as CnnConfig), inputShape: [1, 20000, 20000] as const }
    expect(() => withBudget(2 ** 31, () => checkRunSizes('loadRun', file, config, {}))).toThrow(
      /computes a feature map conv.0 of shape \[16,19996,19996\] per image, which needs/,
    )
  })

  it('checks any registered stack the same way: budget, nested fields and the layers fitting', () => {
    const stack = (layers: readonly unknown[]) => ({ kind: 'sequential', layers })
    const conv = { kind: 'conv2d', inputShape: [1, 20000, 20000], outChannels: 8, kernel: 3 }
    expect(() =>
      withBudget(2 ** 31, () =>
        checkRunSizes('loadRun', file, stack([conv, { kind: 'flatten', inputShape: [8, 19998, 19998] }]), []),
      ),
    ).toThrow(
      /the sequential the run describes computes a feature map 0 of shape \[8,19998,19998\] per image, which needs/,
    )
    const wide = stack([
      { kind: 'flatten', inputShape: [2] },
      { kind: 'dense', inputs: 2, outputs: 1.5e8 },
    ])
    expect(() => withBudget(2 ** 30, () => checkRunSizes('loadRun', file, wide, []))).toThrow(
      /the sequential the run describes \(2 parameter tensors, the largest 1.w of shape \[2,150000000\]\) needs 1.7 GiB/,
    )
    expect(() =>
      describedModel(
        'loadRun',
        'r.json',
        stack([{ kind: 'dense', inputs: 2, outputs: 2, dtype: 'float16' }]),
      ),
    ).toThrow(
      new DecodeError(
        'loadRun',
        `r.json: the run's model.layers[0].dtype must be one of 'float32', 'float64', got "float16"`,
        'metadata.nabla-run.model.layers[0].dtype',
      ),
    )
    expect(() =>
      describedModel(
        'loadRun',
        'r.json',
        stack([
          { kind: 'flatten', inputShape: [2, 2] },
          { kind: 'dense', inputs: 3, outputs: 1 },
        ]),
      ),
    ).toThrow(
      "r.json: the run's model.layers[1] expects [B,3] but r.json: the run's model.layers[0] gives [B,4]",
    ) // a model that does not give one score per class per example is no classifier
    expect(() =>
      checkRunSizes('loadRun', 'r.json', stack([{ kind: 'flatten', inputShape: [2, 2] }]), []),
    ).not.toThrow()
    expect(() => checkRunSizes('loadRun', 'r.json', { kind: 'layerNorm', inputShape: [2, 2] }, [])).toThrow(
      new DecodeError(
        'loadRun',
        "r.json: the run's model gives [2,2] per example, but a classifier gives one score per class ([classes])",
        'metadata.nabla-run.model',
      ),
    )
  })

  it('rejects described shapes that differ from the tensors the file holds, and extra tensors', () => {
    expect(() => checkRunSizes('loadRun', file, mlpConfig([20000, 20000, 2]), smallParams)).toThrow(
      new DecodeError(
        'loadRun',
        `${file}: the mlp the run describes has a parameter 0.w of shape [20000,20000] (float32, 1.5 GiB (1600000000 bytes)), but the file's tensor 0.w has shape [2,3] (float32)`,
        'params.0.w',
      ),
    )
    expect(() => checkRunSizes('loadRun', file, mlpConfig([2, 3, 2, 2]), smallParams)).toThrow(
      /has a parameter 2.w of shape \[2,2\], but the file holds no tensor 2.w/,
    )
    expect(() =>
      checkRunSizes('loadRun', file, mlpConfig([2, 3, 2]), [...smallParams, { w: zeros([1]) }]),
    ).toThrow(/the file holds a tensor 2.w that the mlp the run describes does not have/)
  })
})

describe('evalDataSource', () => {
  const recorded = { name: 'mnist-idx', seed: 3, dir: '/etc' } as const
  it('never reads the directory a run file names; one from the command line is used', () => {
    expect(() => evalDataSource('eval', recorded, { name: 'mnist-idx' }, 784, true)).toThrow(
      new ArgumentError(
        'eval',
        'mnist-idx reads IDX files from a directory given on the command line (--data-dir DIR); a run file\'s data.dir ("/etc") is not read, since the file may come from anyone',
      ),
    )
    expect(evalDataSource('eval', recorded, { name: 'mnist-idx', dir: '/data' }, 784, true)).toEqual({
      name: 'mnist-idx',
      seed: 3,
      dir: '/data',
    })
    // datasets without a directory never get the recorded one either
    expect(evalDataSource('eval', recorded, { name: 'xor' }, 2, false)).toEqual({ name: 'xor', seed: 3 })
  })
  it("checks the run's row counts against the budget before generating them", () => {
    const spirals = { name: 'spirals', seed: 0, trainSize: 1e9, testSize: 10 } as const
    expect(() =>
      withBudget(2 ** 30, () => evalDataSource('eval', spirals, { name: 'spirals' }, 2, false)),
    ).toThrow(/the run's data \(spirals, 1000000010 rows of 2 features and a label\) needs 22.4 GiB/)
    expect(() =>
      evalDataSource('eval', { ...spirals, trainSize: -1 }, { name: 'spirals' }, 2, false),
    ).toThrow("the run's data.trainSize must be a positive integer, got -1")
  })
})
