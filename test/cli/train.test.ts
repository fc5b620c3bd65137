/**
 * `nabla train` end to end: in a child process without a terminal (plain lines, exit 0, the three
 * files written and parseable, the SVG well-formed with one line per curve and a point per epoch,
 * the metrics consistent with an independent evaluation of the saved parameters); on generated
 * IDX files (`--dataset mnist-idx DIR`); determinism across runs; and bad flags.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { loadRun } from '../../src/cli/model.js'
import { accuracy, key, layerFromConfig, normal, toFlat, uniform } from '../../src/index.js'
import { twoSpirals } from '../../src/models/data/synthetic.js'
import { foldIn } from '../../src/models/random/index.js'
import { writeIdx } from '../../src/node.js'
import { checkWellFormed } from '../support/xml.js'
import { runChild, runInProcess, tempDir, trainLenet } from './run.js'

describe('nabla train', () => {
  it('trains spirals in a child process and writes params.json, metrics.json and curves.svg', () => {
    const out = tempDir()
    const args = ['train', '--dataset', 'spirals', '--epochs', '3', '--train-size', '96', '--test-size', '64']
    const r = runChild([...args, '--batch', '16', '--seed', '5', '--out', out])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(1 + 3 + 2)
    expect(lines[0]).toMatch(
      /^nabla train: spirals, 96 train \/ 64 test rows .* mlp 2-64-64-2 relu; adam lr 0.01; 3 epochs of 6 batches of 16; seed 5$/,
    )
    lines.slice(1, 4).forEach((line, i) => {
      expect(line).toMatch(
        new RegExp(
          `^epoch ${i + 1}/3  train loss \\d+\\.\\d{4}  test loss \\d+\\.\\d{4}  test accuracy \\d+\\.\\d{2}%`,
        ),
      )
    })
    expect(lines[5]).toBe(
      `wrote ${['params.json', 'metrics.json', 'curves.svg'].map((f) => path.join(out, f)).join(', ')}`,
    )

    // the metrics agree with an independent evaluation of the saved parameters
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'))
    expect(metrics.history).toHaveLength(3)
    expect(metrics.steps).toBe(18)
    expect(metrics.model.sizes).toEqual([2, 64, 64, 2])
    const { net, params, info } = loadRun(path.join(out, 'params.json'))
    expect(info.data).toEqual({ name: 'spirals', seed: 5, trainSize: 96, testSize: 64 })
    const data = twoSpirals(foldIn(key(5), 1), 96, 0.05, { testSize: 64 })
    const reloaded = accuracy(net.apply(params, data.xTest), data.yTest)
    expect(metrics.final.testAccuracy).toBe(reloaded)
    expect(metrics.history[2].testAccuracy).toBe(reloaded)
    expect(lines[4]).toContain(
      `test accuracy ${(100 * reloaded).toFixed(2)}% (${Math.round(reloaded * 64)}/64)`,
    )
    const matrix: number[][] = metrics.final.confusionMatrix
    expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(64)
    expect((matrix[0]![0]! + matrix[1]![1]!) / 64).toBe(reloaded)

    // the picture: well-formed SVG with the train-loss, test-loss and test-accuracy curves
    const svg = fs.readFileSync(path.join(out, 'curves.svg'), 'utf8')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(checkWellFormed(svg)).toBeGreaterThan(20)
    const curves = [
      ...svg.matchAll(/aria-label="[^"]*series: ([^"]+)"[^>]*aria-roledescription="line mark" d="([^"]+)"/g),
    ]
    expect(curves.map((m) => m[1]).sort()).toEqual(['test accuracy', 'test loss', 'train loss'])
    for (const m of curves) expect(m[2]!.match(/[ML]/g)).toHaveLength(3) // one vertex per epoch
    expect(svg).toContain(`test accuracy ${(100 * reloaded).toFixed(2)}%`)
  })

  it('is deterministic: the same seed writes the same parameters', async () => {
    const [a, b] = [tempDir(), tempDir()]
    const args = [
      'train',
      '--dataset',
      'xor',
      '--epochs',
      '2',
      '--train-size',
      '64',
      '--test-size',
      '32',
      '--plain',
    ]
    expect((await runInProcess([...args, '--out', a])).status).toBe(0)
    expect((await runInProcess([...args, '--out', b])).status).toBe(0)
    expect(fs.readFileSync(path.join(a, 'params.json'), 'utf8')).toBe(
      fs.readFileSync(path.join(b, 'params.json'), 'utf8'),
    )
  })

  it('trains a cnn with --model cnn (the run file records it) and eval and predict load it', async () => {
    const out = tempDir()
    const args = ['train', '--model', 'cnn', '--epochs', '1', '--train-size', '128', '--test-size', '64']
    const r = await runInProcess([...args, '--hidden', '16', '--batch', '32', '--out', out, '--plain'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('cnn 1×28×28 → conv 5×5 16, 32 (max-pool 2) → dense 16-10')
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'))
    expect(metrics.model).toMatchObject({
      kind: 'cnn',
      channels: [16, 32],
      kernel: 5,
      hidden: [16],
      classes: 10,
    })
    // the CNN's recipe: lr 2e-3 cosine-decayed, random shifts of up to 1 pixel, dropout 0.5
    expect(r.stdout).toContain('adam lr 0.002 cosine-decayed; random shifts of up to 1 px; dropout 0.5')
    expect(metrics.optimizer).toEqual({ name: 'adam', learningRate: 0.002, schedule: 'cosine' })
    expect(metrics.augmentation).toEqual({ maxShift: 1 })
    expect(metrics.dropout).toBe(0.5)
    expect(metrics.model.dropout).toBe(0.5)
    const file = path.join(out, 'params.json')
    const evaluated = await runInProcess(['eval', '--params', file, '--json'])
    expect(evaluated.status).toBe(0)
    expect(JSON.parse(evaluated.stdout).testAccuracy).toBe(metrics.final.testAccuracy)
    const input = path.join(out, 'row.json')
    fs.writeFileSync(input, JSON.stringify([Array.from({ length: 784 }, (_, i) => (i % 28 === 14 ? 1 : 0))]))
    const predicted = await runInProcess(['predict', '--params', file, '--input', input])
    expect(predicted.status).toBe(0)
    expect(JSON.parse(predicted.stdout).class).toBeGreaterThanOrEqual(0)
    const iris = await runInProcess(['train', '--model', 'cnn', '--dataset', 'iris', '--out', tempDir()])
    expect(iris.status).toBe(2)
    expect(iris.stderr).toContain('--model cnn reads each row as a square image')
  })

  it('trains any registered stack from --model-config; eval rebuilds it from the run file', async () => {
    const dir = tempDir()
    const config = {
      kind: 'sequential',
      layers: [
        { kind: 'dense', inputs: 2, outputs: 16, activation: 'tanh' },
        { kind: 'layerNorm', inputShape: [16] },
        { kind: 'dropout', rate: 0.25, inputShape: [16] },
        { kind: 'dense', inputs: 16, outputs: 2 },
      ],
    }
    const file = path.join(dir, 'model.json')
    fs.writeFileSync(file, JSON.stringify(config))
    const out = path.join(dir, 'run')
    const args = ['train', '--dataset', 'spirals', '--epochs', '2', '--train-size', '64', '--test-size', '32']
    const r = await runInProcess([...args, '--model-config', file, '--out', out, '--plain', '--no-plot'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('sequential dense → layerNorm → dropout → dense')
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'))
    expect(metrics.model.layers.map((l: { kind: string }) => l.kind)).toEqual([
      'dense',
      'layerNorm',
      'dropout',
      'dense',
    ])
    expect(loadRun(path.join(out, 'params.json')).net.config).toEqual(metrics.model)
    const evaluated = await runInProcess(['eval', '--params', path.join(out, 'params.json'), '--json'])
    expect(evaluated.status).toBe(0)
    expect(JSON.parse(evaluated.stdout).testAccuracy).toBe(metrics.final.testAccuracy)
    // a configuration that does not fit the data, or is not a configuration, is refused before training
    const wrong = path.join(dir, 'wrong.json')
    fs.writeFileSync(wrong, JSON.stringify({ ...config, layers: [{ kind: 'dense', inputs: 3, outputs: 2 }] }))
    const refused = await runInProcess([...args, '--model-config', wrong, '--out', path.join(dir, 'w')])
    expect(refused.status).toBe(2)
    expect(refused.stderr).toContain(
      'reads 3 features and scores 2 classes, but the data has 2 features and 2 classes',
    )
    fs.writeFileSync(wrong, JSON.stringify({ kind: 'dense', inputs: 2, outputs: -2 }))
    const bad = await runInProcess([...args, '--model-config', wrong, '--out', path.join(dir, 'b')])
    expect(bad.status).not.toBe(0)
    expect(bad.stderr).toContain(`${wrong}: the model.outputs must be a positive integer, got -2`)
    const both = await runInProcess([
      ...args,
      '--model-config',
      file,
      '--hidden',
      '8',
      '--out',
      path.join(dir, 'c'),
    ])
    expect(both.status).toBe(2)
    expect(both.stderr).toContain('--hidden belongs to the --model recipes')
  })

  it('trains the shipped examples/lenet.json (convolutions, pools and dropout) on MNIST rows', async () => {
    const out = tempDir()
    const r = await trainLenet(out, 128, 64)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(
      'sequential conv2d → maxPool2d → conv2d → maxPool2d → flatten → dense → dropout → dense',
    )
    const run = loadRun(path.join(out, 'params.json'))
    expect(run.net.config).toEqual(
      layerFromConfig(JSON.parse(fs.readFileSync('examples/lenet.json', 'utf8'))).config,
    )
    expect(run.net.dropout).toBeDefined()
  })

  it('trains on IDX files: --dataset mnist-idx DIR (gzip or not)', async () => {
    const dir = tempDir()
    const write = (name: string, array: Parameters<typeof writeIdx>[0], gzip: boolean) => {
      const bytes = writeIdx(array)
      fs.writeFileSync(path.join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes)
    }
    const images = (n: number, seed: number) =>
      Uint8Array.from(toFlat(uniform(key(seed), [n * 16], { min: 0, max: 256 })), (v) => Math.floor(v))
    const labels = (n: number, seed: number) =>
      Uint8Array.from(toFlat(normal(key(seed), [n])), (v) => (v > 0 ? 1 : 0) * 9)
    write('train-images-idx3-ubyte', { type: 'uint8', shape: [40, 4, 4], data: images(40, 1) }, true)
    write('train-labels-idx1-ubyte', { type: 'uint8', shape: [40], data: labels(40, 2) }, false)
    write('t10k-images-idx3-ubyte', { type: 'uint8', shape: [20, 4, 4], data: images(20, 3) }, false)
    write('t10k-labels-idx1-ubyte', { type: 'uint8', shape: [20], data: labels(20, 4) }, true)
    const out = tempDir()
    const r = await runInProcess([
      'train',
      '--dataset',
      'mnist-idx',
      dir,
      '--epochs',
      '1',
      '--hidden',
      '8',
      '--out',
      out,
      '--plain',
    ])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(
      /^nabla train: mnist-idx, 40 train \/ 20 test rows of 16 features, 10 classes; mlp 16-8-10/,
    )
    expect(loadRun(path.join(out, 'params.json')).info.data).toEqual({
      name: 'mnist-idx',
      seed: 0,
      dir: path.resolve(dir),
    })
    const missing = await runInProcess(['train', '--dataset', 'mnist-idx', tempDir(), '--out', tempDir()])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/^nabla train: loadMnistIdx: no train-images-idx3-ubyte \(or \.gz\) in /)
  })

  it('fails with one line and writes nothing when --out cannot be created', async () => {
    const blocker = path.join(tempDir(), 'a-file')
    fs.writeFileSync(blocker, 'not a directory')
    const out = path.join(blocker, 'run')
    const args = [
      'train',
      '--dataset',
      'xor',
      '--epochs',
      '1',
      '--train-size',
      '32',
      '--test-size',
      '8',
      '--plain',
    ]
    const r = await runInProcess([...args, '--out', out])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^nabla train: cannot create the folder .*a-file: (EEXIST|ENOTDIR)\n$/)
    expect(r.stdout).toBe('') // refused before training
    expect(fs.readFileSync(blocker, 'utf8')).toBe('not a directory')
  })

  it('refuses before training: --out naming a file, an earlier run without --force, a run being written', async () => {
    const dir = tempDir()
    const args = [
      'train',
      '--dataset',
      'xor',
      '--epochs',
      '1',
      '--train-size',
      '32',
      '--test-size',
      '8',
      '--plain',
    ]
    const file = path.join(dir, 'a-file')
    fs.writeFileSync(file, 'x')
    const onFile = await runInProcess([...args, '--out', file])
    expect([onFile.status, onFile.stdout]).toEqual([2, ''])
    expect(onFile.stderr).toContain(`--out ${file} is a file, not a folder`)
    const out = path.join(dir, 'run')
    expect((await runInProcess([...args, '--out', out])).status).toBe(0)
    const before = fs.readFileSync(path.join(out, 'params.json'), 'utf8')
    const again = await runInProcess([...args, '--seed', '5', '--out', out])
    expect([again.status, again.stdout]).toEqual([2, ''])
    expect(again.stderr).toContain('already holds a run; pass --force to replace it')
    expect(fs.readFileSync(path.join(out, 'params.json'), 'utf8')).toBe(before)
    const forced = await runInProcess([...args, '--seed', '5', '--out', out, '--force'])
    expect(forced.status).toBe(0)
    expect(fs.readFileSync(path.join(out, 'params.json'), 'utf8')).not.toBe(before)
    expect(fs.readdirSync(dir).sort()).toEqual(['a-file', 'run']) // no temporary folder, lock or old run left
    // a live lock (this process holds it) refuses a second training into the same folder
    fs.writeFileSync(path.join(dir, '.locked.lock'), `${process.ppid}\n`)
    const locked = await runInProcess([...args, '--out', path.join(dir, 'locked')])
    expect(locked.status).toBe(1)
    expect(locked.stderr).toMatch(/another training \(process \d+\) is writing/)
  })

  it('--no-plot writes params.json and metrics.json without the picture', async () => {
    const out = path.join(tempDir(), 'run')
    const args = [
      'train',
      '--dataset',
      'xor',
      '--epochs',
      '1',
      '--train-size',
      '32',
      '--test-size',
      '8',
      '--plain',
    ]
    const r = await runInProcess([...args, '--out', out, '--no-plot'])
    expect(r.status).toBe(0)
    expect(fs.readdirSync(out).sort()).toEqual(['metrics.json', 'params.json'])
  })

  it('predict applies the standardisation saved with an iris run: a setosa is a setosa', async () => {
    const out = path.join(tempDir(), 'iris')
    expect(
      (await runInProcess(['train', '--dataset', 'iris', '--out', out, '--plain', '--no-plot'])).status,
    ).toBe(0)
    const ask = async (input: string) =>
      (await runInProcess(['predict', '--params', path.join(out, 'params.json'), '--input', input])).stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).label)
    // rows 1, 51 and 101 of Fisher's table, raw centimetres
    expect(await ask('5.1,3.5,1.4,0.2;7.0,3.2,4.7,1.4;6.3,3.3,6.0,2.5')).toEqual([
      'setosa',
      'versicolor',
      'virginica',
    ])
    const csv = path.join(out, '..', 'rows.csv')
    fs.writeFileSync(csv, 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n')
    expect(await ask(csv)).toEqual(['setosa'])
  })

  it('--shift, --schedule and --dropout override the recipe; a shift needs square images', async () => {
    const out = tempDir()
    const r = await runInProcess([
      'train',
      '--dataset',
      'xor',
      '--epochs',
      '1',
      '--schedule',
      'cosine',
      '--out',
      out,
      '--plain',
      '--no-plot',
    ])
    expect(r.status).toBe(0)
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'))
    expect(metrics.optimizer.schedule).toBe('cosine')
    expect(metrics.augmentation).toEqual({ maxShift: 0 })
    const shifted = await runInProcess(['train', '--dataset', 'xor', '--shift', '1', '--out', tempDir()])
    expect(shifted.status).toBe(2)
    expect(shifted.stderr).toContain('--shift moves square images, but the rows of xor have 2 features')
    const negative = await runInProcess(['train', '--shift', '-1', '--out', tempDir()])
    expect(negative.status).toBe(2)
    expect(negative.stderr).toContain('--shift must be 0 or more pixels, got -1')
    const unknown = await runInProcess(['train', '--schedule', 'linear', '--out', tempDir()])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('--schedule')
    const mlpDropout = await runInProcess(['train', '--dropout', '0.5', '--out', tempDir()])
    expect(mlpDropout.status).toBe(2)
    expect(mlpDropout.stderr).toContain('--dropout is for --model cnn; the mlp has no dropout (got 0.5)')
    const badRate = await runInProcess(['train', '--model', 'cnn', '--dropout', '1', '--out', tempDir()])
    expect(badRate.status).toBe(2)
    expect(badRate.stderr).toContain("--dropout must be a rate in [0, 1), got '1'")
  })

  it('rejects bad flags in a child process with status 2 and one line', () => {
    const r = runChild(['train', '--epochs', 'many'])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      "nabla train: --epochs must be a positive integer, got 'many' (see nabla train --help)\n",
    )
  })
})
