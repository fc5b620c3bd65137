/**
 * `nabla export`: a trained run written as ONNX gives, in ONNX Runtime, the probabilities nabla's
 * own forward pass gives (an MLP and the convolutional examples/lenet.json); a missing flag is a
 * usage error (status 2).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as ort from 'onnxruntime-web'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadRun } from '../../src/cli/model.js'
import { key, reshape, softmax, tensor, toFlat, uniform } from '../../src/index.js'
import { runInProcess, tempDir, trainLenet } from './run.js'

ort.env.wasm.numThreads = 1

let dir = ''
let file = ''
beforeAll(async () => {
  dir = tempDir()
  const args = [
    'train',
    '--dataset',
    'xor',
    '--epochs',
    '2',
    '--hidden',
    '6',
    '--train-size',
    '64',
    '--test-size',
    '16',
  ]
  expect((await runInProcess([...args, '--out', dir, '--plain'])).status).toBe(0)
  file = path.join(dir, 'params.json')
})

describe('nabla export', () => {
  it('writes an ONNX model that ONNX Runtime runs to nabla’s probabilities', async () => {
    const out = path.join(dir, 'model.onnx')
    const ran = await runInProcess(['export', '--params', file, '--out', out, '--batch', '3'])
    expect(ran.status).toBe(0)
    expect(ran.stdout).toContain('model.onnx')
    const rows = [
      [0, 0],
      [1, 0],
      [0.3, 0.9],
    ]
    const session = await ort.InferenceSession.create(new Uint8Array(fs.readFileSync(out)))
    const result = await session.run({
      input0: new ort.Tensor('float32', Float32Array.from(rows.flat()), [3, 2]),
    })
    const { net, params } = loadRun(file)
    const expected = toFlat(softmax(net.apply(params, tensor(rows)), -1))
    const got = Array.from(result.output0!.data as Float32Array)
    expect(got).toHaveLength(expected.length)
    got.forEach((v, i) => {
      expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6)
    })
  })

  it('writes a convolutional stack (examples/lenet.json) that ONNX Runtime runs to nabla’s probabilities', async () => {
    const run = tempDir()
    const trained = await trainLenet(run, 32, 16)
    expect(trained.status).toBe(0)
    const params = path.join(run, 'params.json')
    const out = path.join(run, 'lenet.onnx')
    const ran = await runInProcess(['export', '--params', params, '--out', out, '--batch', '2'])
    expect(ran.stderr).toBe('')
    expect(ran.status).toBe(0)
    const x = uniform(key(3), [2, 784])
    const session = await ort.InferenceSession.create(new Uint8Array(fs.readFileSync(out)))
    const result = await session.run({
      input0: new ort.Tensor('float32', Float32Array.from(toFlat(reshape(x, [1568]))), [2, 784]),
    })
    const { net, params: weights } = loadRun(params)
    const expected = toFlat(reshape(softmax(net.apply(weights, x), -1), [20]))
    const got = Array.from(result.output0!.data as Float32Array)
    expect(got).toHaveLength(20)
    got.forEach((v, i) => {
      expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6)
    })
  })

  it('needs --params and --out', async () => {
    expect((await runInProcess(['export', '--out', path.join(dir, 'x.onnx')])).status).toBe(2)
    expect((await runInProcess(['export', '--params', file])).status).toBe(2)
  })
})
