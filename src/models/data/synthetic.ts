/**
 * Small synthetic classification problems in the plane, generated from a PRNG key: two
 * interleaved spirals (not linearly separable; a small MLP needs a few hundred steps) and XOR
 * (the classic problem a single layer cannot solve). The test set is drawn independently from the
 * same distribution with its own key.
 *
 * @module synthetic
 */
import { ArgumentError, allocate, type DType, describe, makeTensor, storage } from '../../tensor/internal.js'
import { type Key, normal, split, uniform } from '../random/index.js'
import { type Dataset, type DatasetDTypeOption, dtypeOption, integerArgument } from './dataset.js'

/**
 * Options of the synthetic datasets.
 * @example
 * import { key, xor } from 'nabla'
 * xor(key(0), 100, 0, { testSize: 1000, dtype: 'float64' })
 */
export interface SyntheticOptions<D extends DType> extends DatasetDTypeOption<D> {
  /** Test points (default: as many as training points). */
  readonly testSize?: number
}

const binary = Object.freeze(['0', '1'])

type Sampler = (k: Key, n: number) => { x: Float64Array; y: Float64Array }

const build = <D extends DType>(
  op: string,
  name: string,
  k: Key,
  n: number,
  sampler: Sampler,
  options: SyntheticOptions<D> | undefined,
): Dataset<2, D> => {
  const dtype = dtypeOption(op, options)
  const trainSize = integerArgument(op, 'n', n, 1, 2 ** 24)
  const testSize = integerArgument(op, 'testSize', options?.testSize ?? trainSize, 0, 2 ** 24)
  const [trainKey, testKey] = split(k)
  const tensors = (sample: { x: Float64Array; y: Float64Array }, count: number) => {
    const x = allocate(dtype, 2 * count)
    x.set(sample.x)
    const y = allocate(dtype, count)
    y.set(sample.y)
    return [
      makeTensor<[number, 2], D>([count, 2], dtype, x),
      makeTensor<[number], D>([count], dtype, y),
    ] as const
  }
  const [xTrain, yTrain] = tensors(sampler(trainKey, trainSize), trainSize)
  const [xTest, yTest] = tensors(sampler(testKey, testSize), testSize)
  return Object.freeze({
    name,
    xTrain,
    yTrain,
    xTest,
    yTest,
    classes: binary,
    featureShape: Object.freeze([2]),
  })
}

const checkNoise = (op: string, noise: unknown): number => {
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0)
    throw new ArgumentError(op, `noise must be a finite number ≥ 0, got ${describe(noise)}`)
  return noise
}

/** `n` float64 uniforms and `2n` Gaussian noise values (zeros when `noise` is 0). */
const draw = (k: Key, n: number, noise: number) => {
  const [tKey, noiseKey] = split(k)
  const t = storage(uniform(tKey, [n], { dtype: 'float64' }))
  const eps =
    noise === 0
      ? new Float64Array(2 * n)
      : storage(normal(noiseKey, [n, 2], { dtype: 'float64', std: noise }))
  return { t, eps }
}

/**
 * Two interleaved spirals of `n` training points (labels alternate 0, 1, 0, …). Point i of class
 * c sits at angle θ = (0.25 + 0.75·t)·3π with t ~ U[0, 1), on the arm (θ/3π)·(cos(θ + cπ),
 * sin(θ + cπ)) inside the unit disc, plus Gaussian noise of standard deviation `noise` per
 * coordinate.
 * @example
 * import { key, twoSpirals } from 'nabla'
 * const data = twoSpirals(key(0), 400, 0.05)
 * data.xTrain.shape // [400, 2]
 */
export const twoSpirals = <D extends DType = 'float32'>(
  k: Key,
  n = 200,
  noise = 0.1,
  options?: SyntheticOptions<D>,
): Dataset<2, D> => {
  const sigma = checkNoise('twoSpirals', noise)
  return build(
    'twoSpirals',
    'two-spirals',
    k,
    n,
    (key, count) => {
      const { t, eps } = draw(key, count, sigma)
      const x = new Float64Array(2 * count)
      const y = new Float64Array(count)
      for (let i = 0; i < count; i++) {
        const c = i % 2
        const theta = (0.25 + 0.75 * t[i]!) * 3 * Math.PI
        const r = theta / (3 * Math.PI)
        x[2 * i] = r * Math.cos(theta + c * Math.PI) + eps[2 * i]!
        x[2 * i + 1] = r * Math.sin(theta + c * Math.PI) + eps[2 * i + 1]!
        y[i] = c
      }
      return { x, y }
    },
    options,
  )
}

/**
 * XOR in the plane: `n` points uniform in [−1, 1)², label 1 when exactly one coordinate is
 * positive (x₀·x₁ < 0), else 0. Optional Gaussian `noise` is added to the features after labelling.
 * @example
 * import { key, xor } from 'nabla'
 * const data = xor(key(0), 200)
 * data.classes // ['0', '1']
 */
export const xor = <D extends DType = 'float32'>(
  k: Key,
  n = 200,
  noise = 0,
  options?: SyntheticOptions<D>,
): Dataset<2, D> => {
  const sigma = checkNoise('xor', noise)
  return build(
    'xor',
    'xor',
    k,
    n,
    (key, count) => {
      const [pointKey, noiseKey] = split(key)
      const points = storage(uniform(pointKey, [count, 2], { min: -1, max: 1, dtype: 'float64' }))
      const { eps } = draw(noiseKey, count, sigma)
      const x = new Float64Array(2 * count)
      const y = new Float64Array(count)
      for (let i = 0; i < count; i++) {
        const a = points[2 * i]!
        const b = points[2 * i + 1]!
        y[i] = a * b < 0 ? 1 : 0
        x[2 * i] = a + eps[2 * i]!
        x[2 * i + 1] = b + eps[2 * i + 1]!
      }
      return { x, y }
    },
    options,
  )
}
