/** Tests of the iris loader: sizes, classes, stratification, standardisation and determinism. */
import { describe, expect, it } from 'vitest'
import { toFlat } from '../../../src/io/index.js'
import { loadIris } from '../../../src/models/data/iris.js'
import { ArgumentError } from '../../../src/tensor/index.js'

const column = (flat: number[], j: number) => flat.filter((_, i) => i % 4 === j)

describe('loadIris', () => {
  it('has 150 rows of 4 features in 3 classes, split 120 / 30 with 10 of each species held out', () => {
    const iris = loadIris({ seed: 0 })
    expect(iris.xTrain.shape).toEqual([120, 4])
    expect(iris.xTest.shape).toEqual([30, 4])
    expect(iris.classes).toEqual(['setosa', 'versicolor', 'virginica'])
    expect(iris.featureShape).toEqual([4])
    for (let c = 0; c < 3; c++) {
      expect(toFlat(iris.yTest).filter((y) => y === c).length).toBe(10)
      expect(toFlat(iris.yTrain).filter((y) => y === c).length).toBe(40)
    }
  })
  it('standardises with training statistics: train columns have mean 0 and standard deviation 1', () => {
    const iris = loadIris({ seed: 4, dtype: 'float64' })
    const train = toFlat(iris.xTrain)
    for (let j = 0; j < 4; j++) {
      const col = column(train, j)
      const mean = col.reduce((a, b) => a + b, 0) / col.length
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length)
      expect(Math.abs(mean)).toBeLessThan(1e-12)
      expect(Math.abs(sd - 1)).toBeLessThan(1e-12)
    }
    // the test set uses the training statistics, so its columns are not exactly standardised
    const testMean = column(toFlat(iris.xTest), 0).reduce((a, b) => a + b, 0) / 30
    expect(testMean).not.toBe(0)
    expect(Math.abs(testMean)).toBeLessThan(1)
  })
  it('is deterministic for a seed and honours testFraction', () => {
    expect(toFlat(loadIris({ seed: 2 }).xTest)).toEqual(toFlat(loadIris({ seed: 2 }).xTest))
    expect(toFlat(loadIris({ seed: 2 }).yTrain)).not.toEqual(toFlat(loadIris({ seed: 3 }).yTrain))
    const all = loadIris({ testFraction: 0 })
    expect(all.xTrain.shape).toEqual([150, 4])
    expect(all.xTest.shape).toEqual([0, 4])
    expect(loadIris({ testFraction: 0.5 }).xTest.shape).toEqual([75, 4])
  })
  it('rejects a testFraction outside [0, 1)', () => {
    for (const f of [-0.1, 1, Number.NaN]) expect(() => loadIris({ testFraction: f })).toThrow(ArgumentError)
  })
})
