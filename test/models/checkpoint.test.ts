/**
 * Checkpoint files: a run stopped mid-epoch, saved with `saveCheckpoint`, reloaded with
 * `loadCheckpoint` and resumed ends bit-identical to the uninterrupted run (Adam state and an
 * empty clipping state included); bad files are DecodeErrors naming the problem.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DecodeError, flatten, type Tensor, toFlat } from '../../src/index.js'
import { checkpointKey, loadCheckpoint, saveCheckpoint } from '../../src/models/checkpoint.js'
import { xor } from '../../src/models/data/synthetic.js'
import { mlp } from '../../src/models/layers.js'
import { softmaxCrossEntropy } from '../../src/models/losses.js'
import { adam, chain, clipByGlobalNorm } from '../../src/models/optim/index.js'
import { key } from '../../src/models/random/index.js'
import * as training from '../../src/models/train/index.js'
import { saveParams } from '../../src/node.js'

const data = xor(key(11), 90)
const net = mlp([2, 8, 2], { activation: 'tanh' })
const optimizer = chain(clipByGlobalNorm(1), adam(0.05))
const params = net.init(key(12))
const options = {
  params,
  optimizer,
  loss: (p: typeof params, b: { x: Tensor<[number, 2], 'float32'>; y: Tensor<[number]> }) =>
    softmaxCrossEntropy(net.apply(p, b.x), b.y),
  train: { x: data.xTrain, y: data.yTrain },
  epochs: 3,
  batchSize: 16,
  key: key(13),
}
const template = { params, state: optimizer.init(params) }
const bits = (tree: unknown) => flatten(tree)[0].map(toFlat)
const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-checkpoint-'))

describe('checkpoint files', () => {
  it('resume from a saved checkpoint and end bit-identical to an uninterrupted run', () => {
    const full = training.fit(options)
    const file = path.join(dir(), 'checkpoint.json')
    training.fit({
      ...options,
      onStep: (info) => {
        if (info.step !== 8) return undefined
        saveCheckpoint(file, info.checkpoint)
        return 'stop'
      },
    })
    const loaded = loadCheckpoint(file, template)
    expect(loaded.step).toBe(8)
    const resumed = training.fit({ ...options, resume: loaded })
    const same = (a: number[][], b: number[][]) =>
      a.every((xs, i) => xs.every((x, j) => Object.is(x, b[i]![j])))
    expect(same(bits(resumed.params), bits(full.params))).toBe(true)
    expect(same(bits(resumed.state), bits(full.state))).toBe(true)
    expect(resumed.history.map((h) => h.trainLoss)).toEqual(full.history.slice(1).map((h) => h.trainLoss))
  })

  it('rejects files that are not checkpoints, broken metadata and another structure', () => {
    const d = dir()
    const plain = path.join(d, 'plain.json')
    saveParams(plain, template as never)
    expect(() => loadCheckpoint(plain, template)).toThrow(DecodeError)
    expect(() => loadCheckpoint(plain, template)).toThrow(/not a checkpoint/)
    const broken = path.join(d, 'broken.json')
    saveParams(broken, template as never, { metadata: { [checkpointKey]: '{"step": -1, "key": [0, 0]}' } })
    expect(() => loadCheckpoint(broken, template)).toThrow(/must be \{ step, key/)
    const file = path.join(d, 'good.json')
    saveCheckpoint(file, { params, state: template.state, step: 0, key: key(0) })
    const other = mlp([2, 4, 2]).init(key(0))
    expect(() => loadCheckpoint(file, { params: other, state: optimizer.init(other) })).toThrow(DecodeError)
    // decode errors name the file
    expect(() => loadCheckpoint(file, { params: other, state: optimizer.init(other) })).toThrow(
      `loadCheckpoint: ${file}: params.params`,
    )
    const malformed = path.join(d, 'malformed.json')
    fs.writeFileSync(malformed, '{"format":')
    expect(() => loadCheckpoint(malformed, template)).toThrow(`loadCheckpoint: ${malformed}: malformed JSON`)
  })
})
