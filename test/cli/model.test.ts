/**
 * Run files: parameters and the run description round-trip bit for bit; a file without the run
 * metadata, with broken metadata, or whose parameters do not fit the recorded model is a
 * DecodeError naming the problem.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  classifierFor,
  classifierFromConfig,
  classifierLoss,
  loadRun,
  logitsInChunks,
  type Params,
  saveRun,
} from '../../src/cli/model.js'
import {
  createWasmKernels,
  DecodeError,
  dense,
  flatten,
  fromArrayOrThrow,
  item,
  key,
  mlp,
  mul,
  softmaxCrossEntropy,
  tensor,
  toFlat,
  uniform,
  useKernels,
} from '../../src/index.js'
import { FileError, saveParams } from '../../src/node.js'
import { tempDir } from './run.js'

const net = mlp([3, 5, 2] as readonly number[], { activation: 'tanh' })
const params = net.init(key(7))
const info = {
  model: net.config,
  data: { name: 'xor' as const, seed: 4, trainSize: 10 },
  classes: ['0', '1'],
}

describe('run files', () => {
  it('round-trip the parameters bit for bit, with the model and data source', () => {
    const file = path.join(tempDir(), 'params.json')
    saveRun(file, params, info)
    const run = loadRun(file)
    expect(run.info).toEqual(info)
    expect(run.net.config).toEqual(net.config)
    const [a] = flatten(params)
    const [b] = flatten(run.params)
    expect(b.map(toFlat)).toEqual(a.map(toFlat))
    // the reloaded network computes the same loss
    const batch = { x: tensor([[0.1, 0.2, 0.3]]), y: tensor([1]) }
    expect(item(classifierLoss(run.net)(run.params, batch))).toBe(
      item(softmaxCrossEntropy(net.apply(params, batch.x), batch.y)),
    )
  })

  it('rejects files that are not runs, broken metadata and parameters of another shape', () => {
    const dir = tempDir()
    const plain = path.join(dir, 'plain.json')
    saveParams(plain, params)
    expect(() => loadRun(plain)).toThrow(DecodeError)
    expect(() => loadRun(plain)).toThrow(/no 'nabla-run' metadata/)
    const broken = path.join(dir, 'broken.json')
    saveParams(broken, params, { metadata: { 'nabla-run': '{"model":' } })
    expect(() => loadRun(broken)).toThrow(/not JSON/)
    const wrongKind = path.join(dir, 'kind.json')
    saveParams(wrongKind, params, {
      metadata: { 'nabla-run': JSON.stringify({ ...info, data: { name: 'cifar', seed: 0 } }) },
    })
    expect(() => loadRun(wrongKind)).toThrow(/not a run description/)
    const mismatch = path.join(dir, 'mismatch.json')
    const other = mlp([3, 4, 2] as readonly number[])
    saveRun(mismatch, other.init(key(0)) as Params, info)
    expect(() => loadRun(mismatch)).toThrow(DecodeError)
    const text = path.join(dir, 'text.json')
    fs.writeFileSync(text, '{"format": "nabla-params",')
    expect(() => loadRun(text)).toThrow(/malformed JSON/)
    expect(() => loadRun(path.join(dir, 'missing.json'))).toThrow(FileError)
  })
})

describe('run files written before the layer registry', () => {
  const fixtures = path.join(import.meta.dirname, 'fixtures')
  // the fixtures' logits were computed by products with a separate multiply and add (Node 20 had
  // no relaxed SIMD then): the same kernels give them bit for bit; the fused multiply-add rounds
  // once where they rounded twice, so its last bits differ
  let previous: ReturnType<typeof useKernels>
  beforeAll(() => {
    previous = useKernels(createWasmKernels({ fma: false, threads: 0 })!)
  })
  afterAll(() => {
    useKernels(previous)
  })
  const expected = JSON.parse(fs.readFileSync(path.join(fixtures, 'logits-5e7d133.json'), 'utf8')) as Record<
    string,
    { x: number[]; logits: number[]; description: string }
  >

  it('load unchanged (mlp and cnn) and compute the logits the older code computed', () => {
    for (const [kind, features] of [
      ['mlp', 2],
      ['cnn', 64],
    ] as const) {
      const run = loadRun(path.join(fixtures, `${kind}-run-5e7d133.json`))
      const { x, logits, description } = expected[kind]!
      expect(run.info.model.kind).toBe(kind)
      expect(run.net.description).toBe(description)
      expect(toFlat(run.net.apply(run.params, fromArrayOrThrow(x, [2, features])))).toEqual(logits)
    }
  })

  it('load a cnn run written before cnn configurations had a dropout field', () => {
    const dir = tempDir()
    const text = fs.readFileSync(path.join(fixtures, 'cnn-run-5e7d133.json'), 'utf8')
    const file = JSON.parse(text) as { metadata: Record<string, string> }
    const run = JSON.parse(file.metadata['nabla-run']!) as { model: Record<string, unknown> }
    delete run.model['dropout']
    file.metadata['nabla-run'] = JSON.stringify(run)
    const older = path.join(dir, 'older.json')
    fs.writeFileSync(older, JSON.stringify(file))
    const { net, params } = loadRun(older)
    expect(net.dropout).toBeUndefined()
    expect(toFlat(net.apply(params, fromArrayOrThrow(expected.cnn!.x, [2, 64])))).toEqual(
      expected.cnn!.logits,
    )
  })
})

describe('logitsInChunks', () => {
  it('gives the logits of one pass, a few rows at a time (uneven last chunk included)', () => {
    const net = classifierFor('cnn', { features: 256, classes: 3, hidden: [4], activation: 'relu' })
    const params = net.init(key(2))
    const x = uniform(key(3), [10, 256])
    const whole = toFlat(net.apply(params, x))
    const chunked = logitsInChunks(net, params, x, 3)
    expect(chunked.shape).toEqual([10, 3])
    toFlat(chunked).forEach((v, i) => {
      expect(v).toBeCloseTo(whole[i]!, 5)
    })
    expect(toFlat(logitsInChunks(net, params, x, 10))).toEqual(whole)
  })

  it('train any configuration with dropout layers through their masks; without them, no training pass', () => {
    const config = {
      kind: 'sequential',
      layers: [
        { kind: 'dense', inputs: 4, outputs: 8, activation: 'relu' },
        { kind: 'dropout', rate: 0.5, inputShape: [8] },
        { kind: 'dense', inputs: 8, outputs: 3 },
      ],
    }
    const net = classifierFromConfig(config)
    const training = net.dropout!
    const params = net.init(key(4))
    const [p0, , p2] = params as unknown as readonly [never, never, never]
    const x = uniform(key(5), [6, 4])
    const masks = training.masks(key(6), 6)
    expect(masks.map((m) => m.shape)).toEqual([[6, 8]])
    const [first, , last] = [dense(4, 8, { activation: 'relu' }), null, dense(8, 3)]
    const byHand = last.apply(p2, mul(first.apply(p0, x), masks[0]!) as never)
    expect(toFlat(training.apply(params, x, masks))).toEqual(toFlat(byHand))
    expect(toFlat(training.apply(params, x, masks))).not.toEqual(toFlat(net.apply(params, x)))
    const rateZero = {
      ...config,
      layers: config.layers.map((l) => (l.kind === 'dropout' ? { ...l, rate: 0 } : l)),
    }
    expect(classifierFromConfig(rateZero).dropout).toBeUndefined()
    expect(classifierFromConfig(config.layers[0]).dropout).toBeUndefined()
  })
})
