/**
 * Tests of the MNIST loaders: the embedded package's seeded stratified split (deterministic,
 * disjoint, exact sizes, labels and pixel ranges, no Math.random), and the IDX directory loader
 * on generated files (plain and gzip) and broken ones.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { toFlat } from '../../../src/io/index.js'
import { loadMnist, loadMnistIdx } from '../../../src/models/data/mnist.js'
import { key } from '../../../src/models/random/index.js'
import { type AnyTensor, ArgumentError, DecodeError } from '../../../src/tensor/index.js'
import { storage } from '../../../src/tensor/tensor.js'

/** A 53-bit FNV-style hash of each row's float bits (cheap identity for 784-pixel rows). */
const rowsOf = (x: AnyTensor): number[] => {
  const bits = new Uint32Array(Float32Array.from(storage(x)).buffer)
  const width = x.shape[1]!
  return Array.from({ length: x.shape[0]! }, (_, i) => {
    let h1 = 0x811c9dc5
    let h2 = 0x01000193
    for (let j = i * width; j < (i + 1) * width; j++) {
      h1 = Math.imul(h1 ^ bits[j]!, 0x01000193) >>> 0
      h2 = Math.imul(h2 ^ bits[j]!, 0x5bd1e995) >>> 0
    }
    return h1 * 2 ** 21 + (h2 >>> 11)
  })
}
const countLabels = (y: AnyTensor): number[] => {
  const counts = new Array<number>(10).fill(0)
  for (const label of toFlat(y)) counts[label]!++
  return counts
}
/** Examples per digit in the package: the split must be proportional to these. */
const perDigit = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]

describe('loadMnist', () => {
  const a = loadMnist({ seed: 7 })
  it('has the default sizes, 784 features of 28×28, labels 0..9 and pixels in [0, 1]', () => {
    expect(a.xTrain.shape).toEqual([8000, 784])
    expect(a.yTrain.shape).toEqual([8000])
    expect(a.xTest.shape).toEqual([2000, 784])
    expect(a.featureShape).toEqual([28, 28])
    expect(a.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    for (const y of [a.yTrain, a.yTest])
      expect(toFlat(y).every((l) => Number.isInteger(l) && l >= 0 && l <= 9)).toBe(true)
    for (const x of [a.xTrain, a.xTest]) {
      const flat = storage(x)
      expect(flat.every((v) => v >= 0 && v <= 1)).toBe(true)
      expect(Math.max(...flat.subarray(0, 784 * 50))).toBe(1)
    }
  })
  it('is deterministic for a seed and a key, and differs between seeds', () => {
    const again = loadMnist({ seed: 7 })
    expect(toFlat(again.yTrain)).toEqual(toFlat(a.yTrain))
    expect(rowsOf(again.xTest)).toEqual(rowsOf(a.xTest))
    const viaKey = loadMnist({ seed: key(7), trainSize: 100, testSize: 10 })
    expect(toFlat(viaKey.yTest)).toEqual(toFlat(loadMnist({ seed: 7, trainSize: 100, testSize: 10 }).yTest))
    expect(toFlat(loadMnist({ seed: 8, trainSize: 100, testSize: 10 }).yTrain)).not.toEqual(
      toFlat(loadMnist({ seed: 7, trainSize: 100, testSize: 10 }).yTrain),
    )
  })
  it('keeps train and test disjoint and each image with its own label', () => {
    const train = new Set(rowsOf(a.xTrain))
    expect(train.size).toBe(8000)
    expect(rowsOf(a.xTest).filter((r) => train.has(r))).toEqual([])
    // with everything used, every package image appears exactly once
    expect(new Set([...train, ...rowsOf(a.xTest)]).size).toBe(10_000)
    expect(countLabels(a.yTrain).map((c, d) => c + countLabels(a.yTest)[d]!)).toEqual(perDigit)
  })
  it('is stratified: each digit within one example of its proportional share', () => {
    const small = loadMnist({ seed: 3, trainSize: 1000, testSize: 300 })
    expect(small.xTrain.shape).toEqual([1000, 784])
    expect(small.xTest.shape).toEqual([300, 784])
    countLabels(small.yTest).forEach((c, d) => {
      expect(Math.abs(c - (300 * perDigit[d]!) / 10_000)).toBeLessThan(1)
    })
    // shuffled, not sorted by class
    const labels = toFlat(small.yTrain)
    expect(labels).not.toEqual([...labels].sort((x, y) => x - y))
  })
  it('never calls Math.random (the package’s own split is unseeded)', () => {
    const spy = vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random was called')
    })
    try {
      expect(loadMnist({ seed: 1, trainSize: 10, testSize: 10 }).yTest.shape).toEqual([10])
    } finally {
      spy.mockRestore()
    }
  })
  it('rejects sizes that do not fit', () => {
    expect(() => loadMnist({ trainSize: 9000, testSize: 2000 })).toThrow(ArgumentError)
    expect(() => loadMnist({ trainSize: -1 })).toThrow(/loadMnist: trainSize must be an integer/)
    expect(() => loadMnist({ testSize: 1.5 })).toThrow(ArgumentError)
    expect(() => loadMnist({ seed: Number.NaN })).toThrow(ArgumentError)
  })
})

describe('loadMnistIdx', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-idx-'))
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

  const idx = (type: number, dims: number[], values: number[]): Buffer => {
    const header = Buffer.alloc(4 + 4 * dims.length)
    header[2] = type
    header[3] = dims.length
    dims.forEach((d, i) => {
      header.writeUInt32BE(d, 4 + 4 * i)
    })
    return Buffer.concat([header, Buffer.from(values)])
  }
  /** A directory of the four files: `count` images of 3×2 pixels with pixel value = label·25. */
  const makeDir = (
    name: string,
    counts: [number, number],
    options: { gzip?: boolean; kaggle?: boolean } = {},
  ) => {
    const dir = path.join(root, name)
    fs.mkdirSync(dir)
    for (const [set, count] of [
      ['train', counts[0]],
      ['t10k', counts[1]],
    ] as const) {
      const labels = Array.from({ length: count }, (_, i) => (i * 7) % 10)
      const pixels = labels.flatMap((l) => new Array<number>(6).fill(l * 25))
      const sep = options.kaggle === true ? '.' : '-'
      const write = (file: string, bytes: Buffer) =>
        fs.writeFileSync(
          path.join(dir, options.gzip === true ? `${file}.gz` : file),
          options.gzip === true ? gzipSync(bytes) : bytes,
        )
      write(`${set}-images${sep}idx3-ubyte`, idx(8, [count, 3, 2], pixels))
      write(`${set}-labels${sep}idx1-ubyte`, idx(8, [count], labels))
    }
    return dir
  }

  it('reads the four files, plain, gzipped or with Kaggle names, scaling pixels to [0, 1]', () => {
    for (const [name, options] of [
      ['plain', {}],
      ['gzip', { gzip: true }],
      ['kaggle', { kaggle: true }],
    ] as const) {
      const data = loadMnistIdx(makeDir(name, [12, 5], options), { dtype: 'float64' })
      expect(data.xTrain.shape).toEqual([12, 6])
      expect(data.xTest.shape).toEqual([5, 6])
      expect(data.featureShape).toEqual([3, 2])
      const labels = toFlat(data.yTrain)
      expect(labels).toEqual(Array.from({ length: 12 }, (_, i) => (i * 7) % 10))
      expect(toFlat(data.xTrain).slice(0, 12)).toEqual([
        ...new Array(6).fill(0),
        ...new Array(6).fill(175 / 255),
      ])
    }
  })
  it('names a missing file', () => {
    const dir = makeDir('missing', [3, 3])
    fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte'))
    expect(() => loadMnistIdx(dir)).toThrow(ArgumentError)
    expect(() => loadMnistIdx(dir)).toThrow(/no t10k-labels-idx1-ubyte/)
  })
  it('rejects corrupt files, mismatched counts, wrong types and labels above 9 with DecodeErrors naming the file', () => {
    const corrupt = makeDir('corrupt', [3, 3])
    fs.writeFileSync(path.join(corrupt, 'train-images-idx3-ubyte'), Buffer.from([0, 0, 8, 3, 0, 0]))
    expect(() => loadMnistIdx(corrupt)).toThrow(/train-images-idx3-ubyte: readIdx: truncated header/)

    const counts = makeDir('counts', [3, 3])
    fs.writeFileSync(path.join(counts, 'train-labels-idx1-ubyte'), idx(8, [2], [1, 2]))
    expect(() => loadMnistIdx(counts)).toThrow(/has 2 labels but .* has 3 images/)

    const labels = makeDir('labels', [3, 3])
    fs.writeFileSync(path.join(labels, 't10k-labels-idx1-ubyte'), idx(8, [3], [1, 12, 2]))
    expect(() => loadMnistIdx(labels)).toThrow(/label 12 is not a digit/)

    const rank = makeDir('rank', [3, 3])
    fs.writeFileSync(path.join(rank, 'train-images-idx3-ubyte'), idx(8, [3, 6], new Array(18).fill(0)))
    try {
      loadMnistIdx(rank)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError)
      expect((error as DecodeError).message).toMatch(/expected uint8 images of rank 3/)
    }
  })
})
