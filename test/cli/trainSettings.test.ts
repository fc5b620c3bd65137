/**
 * `trainSettings`: the command line of `nabla train` read once into settings — the dataset's
 * defaults, the cnn recipe's defaults, flags overriding both, `--model-config` read and checked
 * before training, and usage errors naming the flag.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../src/cli/args.js'
import { defaultsFor } from '../../src/cli/datasets.js'
import { type TrainSettings, trainSettings } from '../../src/cli/trainSettings.js'
import { DecodeError } from '../../src/index.js'
import { tempDir } from './run.js'

const read = (argv: readonly string[]): TrainSettings => {
  const settings = trainSettings(argv)
  if (settings === 'help') throw new Error('unexpected help')
  return settings
}

describe('trainSettings', () => {
  it("fills in the dataset's defaults for the mlp recipe", () => {
    const mnist = defaultsFor('mnist')
    const s = read([])
    expect(s.source).toEqual({ name: 'mnist', seed: 0 })
    expect(s.out).toBe(path.join('runs', 'mnist'))
    expect([s.modelKind, s.hidden, s.epochs, s.batchSize, s.lr]).toEqual([
      'mlp',
      mnist.hidden,
      mnist.epochs,
      mnist.batch,
      mnist.lr,
    ])
    expect([s.optimizerName, s.schedule, s.shift, s.dropout, s.activation]).toEqual([
      'adam',
      'constant',
      0,
      0,
      'relu',
    ])
    expect([s.plot, s.plain, s.jit, s.force]).toEqual([true, false, true, false])
    expect(s.modelConfig).toBeUndefined()
  })

  it("takes the cnn recipe's defaults, and flags override recipe and dataset alike", () => {
    const cnn = read(['--model', 'cnn'])
    expect([cnn.shift, cnn.schedule, cnn.dropout, cnn.lr, cnn.epochs]).toEqual([1, 'cosine', 0.5, 2e-3, 12])
    const s = read(
      ['--model', 'cnn', '--shift', '0', '--schedule', 'constant', '--dropout', '0.25', '--lr', '0.1'].concat(
        ['--epochs', '2', '--dataset', 'xor', '--seed', '7', '--train-size', '30', '--no-jit', '--force'],
      ),
    )
    expect([s.shift, s.schedule, s.dropout, s.lr, s.epochs, s.jit, s.force]).toEqual([
      0,
      'constant',
      0.25,
      0.1,
      2,
      false,
      true,
    ])
    expect(s.source).toEqual({ name: 'xor', seed: 7, trainSize: 30 })
    expect(trainSettings(['--help'])).toBe('help')
  })

  it('reads and checks --model-config before anything is trained', () => {
    const dir = tempDir()
    const file = path.join(dir, 'model.json')
    const config = { kind: 'dense', inputs: 2, outputs: 2 }
    fs.writeFileSync(file, JSON.stringify(config))
    expect(read(['--model-config', file]).modelConfig).toEqual(config)
    fs.writeFileSync(file, JSON.stringify({ kind: 'dense', inputs: 2, outputs: 2, kernal: 3 }))
    expect(() => read(['--model-config', file])).toThrow(DecodeError)
    expect(() => read(['--model-config', file])).toThrow(`${file}: the model.kernal must be absent`)
    expect(() => read(['--model-config', file, '--model', 'cnn'])).toThrow(
      new UsageError('train', '--model-config gives the whole model; --model belongs to the --model recipes'),
    )
  })

  it('names the flag of a bad value', () => {
    expect(() => read(['--epochs', 'many'])).toThrow(/--epochs must be a positive integer, got 'many'/)
    expect(() => read(['--dropout', '1'])).toThrow("--dropout must be a rate in [0, 1), got '1'")
    expect(() => read(['--shift', '-2'])).toThrow('--shift must be 0 or more pixels, got -2')
    expect(() => read(['--dataset', 'xor', 'extra'])).toThrow("unexpected argument 'extra'")
    expect(() => read(['--optimizer', 'lbfgs'])).toThrow(UsageError)
  })
})
