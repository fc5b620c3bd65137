/**
 * The CLI's datasets: each name loads with the documented sizes and seed behaviour, limits cut
 * rows (never more than there are), and a missing IDX directory or an over-large MNIST split is a usage error.
 */
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../src/cli/args.js'
import {
  datasetArgument,
  datasetHelp,
  datasetNames,
  datasets,
  defaultsFor,
  loadDataset,
} from '../../src/cli/datasets.js'
import { toFlat } from '../../src/index.js'

describe('datasets', () => {
  it('has defaults for every dataset; MNIST runs 784-128-10 with Adam 1e-3 for 10 epochs of 64', () => {
    for (const name of datasetNames) expect(defaultsFor(name).epochs).toBeGreaterThan(0)
    expect(defaultsFor('mnist')).toEqual({ hidden: [128], epochs: 10, batch: 64, lr: 1e-3 })
  })

  it('loads the synthetic sets and iris with the requested sizes, the same for the same seed', () => {
    const a = loadDataset('train', { name: 'spirals', seed: 3, trainSize: 50, testSize: 20 })
    expect([a.xTrain.shape, a.xTest.shape]).toEqual([
      [50, 2],
      [20, 2],
    ])
    const b = loadDataset('train', { name: 'spirals', seed: 3, trainSize: 50, testSize: 20 })
    expect(toFlat(a.xTrain)).toEqual(toFlat(b.xTrain))
    const c = loadDataset('train', { name: 'spirals', seed: 4, trainSize: 50, testSize: 20 })
    expect(toFlat(c.xTrain)).not.toEqual(toFlat(a.xTrain))
    expect(loadDataset('train', { name: 'xor', seed: 0 }).xTrain.shape).toEqual([400, 2])
    const iris = loadDataset('train', { name: 'iris', seed: 0, trainSize: 30 })
    expect([iris.xTrain.shape, iris.xTest.shape, iris.classes.length]).toEqual([[30, 4], [30, 4], 3])
  })

  it('loads MNIST with its seeded split and sizes', () => {
    const m = loadDataset('train', { name: 'mnist', seed: 0, trainSize: 100, testSize: 50 })
    expect([m.xTrain.shape, m.xTest.shape, m.classes.length]).toEqual([[100, 784], [50, 784], 10])
    expect(() => loadDataset('train', { name: 'mnist', seed: 0, trainSize: 9000 })).toThrow(UsageError)
  })

  it('refuses more rows than a dataset has instead of cutting silently', () => {
    expect(() => loadDataset('train', { name: 'iris', seed: 0, trainSize: 100_000 })).toThrow(
      new UsageError('train', '--train-size 100000 is more than the 120 training rows of iris'),
    )
    expect(() => loadDataset('train', { name: 'iris', seed: 0, testSize: 31 })).toThrow(
      /--test-size 31 is more than the 30 test rows of iris/,
    )
  })

  it('is one table: every name has a summary in the help text and a loader', () => {
    for (const name of datasetNames) {
      expect(datasetHelp()).toContain(name)
      expect(typeof datasets[name].load).toBe('function')
    }
  })

  it('needs a directory for mnist-idx', () => {
    expect(() => loadDataset('train', { name: 'mnist-idx', seed: 0 })).toThrow(/mnist-idx DIR/)
  })

  it('reads --dataset (default mnist), --data-dir, or the directory after mnist-idx; nothing else positional', () => {
    expect(datasetArgument('train', undefined, undefined, [])).toEqual({ name: 'mnist' })
    expect(datasetArgument('train', 'mnist-idx', undefined, ['/d'])).toEqual({ name: 'mnist-idx', dir: '/d' })
    expect(datasetArgument('eval', 'mnist-idx', '/e', [])).toEqual({ name: 'mnist-idx', dir: '/e' })
    expect(datasetArgument('train', 'iris', '/e', [])).toEqual({ name: 'iris', dir: '/e' })
    expect(() => datasetArgument('train', 'xor', undefined, ['/d'])).toThrow(
      new UsageError('train', "unexpected argument '/d'"),
    )
    expect(() => datasetArgument('train', 'mnist-idx', '/e', ['/d'])).toThrow("unexpected argument '/d'")
    expect(() => datasetArgument('train', 'cifar', undefined, [])).toThrow(UsageError)
  })
})
