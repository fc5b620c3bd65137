/**
 * Data in and out: 1e6 float32 values copied from a `Float32Array` into a tensor, and out of a
 * tensor into a typed array (nabla's `toTypedArray`, TensorFlow.js's `dataSync`) or a `number[]`
 * (nabla's `toFlat`), in GB/s (8 bytes moved per element: one read, one write).
 *
 * @module bench/cases/io
 */
import { fromArrayOrThrow, toFlat, toTypedArray } from '../../src/index.js'
import { randomFloats, useTfBackend } from '../peers.js'
import type { Case, CaseContext, Implementation, Prepared } from './types.js'

const size = 1_000_000

const rate = (run: () => unknown, cleanup?: () => void): Prepared => ({
  run,
  work: 8 * size,
  scale: 1e9,
  figure: 'rate',
  ...(cleanup === undefined ? {} : { cleanup }),
})

/** The data-in case (typed array → tensor) and the data-out case (tensor → typed array). */
export const ioCases = ({ peers }: CaseContext): Case[] => {
  const values = randomFloats(size, 5)
  const inputs: Implementation[] = [
    { impl: 'nabla', prepare: async () => rate(() => fromArrayOrThrow(values, [size])) },
  ]
  const outputs: Implementation[] = [
    {
      impl: 'nabla',
      prepare: async () => {
        const t = fromArrayOrThrow(values, [size])
        return rate(() => toTypedArray(t))
      },
    },
    {
      impl: 'nabla toFlat',
      prepare: async () => {
        const t = fromArrayOrThrow(values, [size])
        return rate(() => toFlat(t))
      },
    },
  ]
  const { tf } = peers
  if (tf !== undefined)
    for (const backend of ['cpu', 'wasm'] as const) {
      // TensorFlow.js's cpu back end keeps the caller's array and dataSync returns its own storage:
      // no copy is made in either direction, so its figure is not a copy rate
      const label = backend === 'cpu' ? 'tfjs-cpu (no copy)' : 'tfjs-wasm'
      inputs.push({
        impl: label,
        alone: backend === 'cpu',
        prepare: async () => {
          await useTfBackend(tf, backend)
          // the first read forces the upload, so each call really copies the values in
          return rate(() => {
            const t = tf.tensor1d(values)
            t.dataSync()
            t.dispose()
          })
        },
      })
      outputs.push({
        impl: label,
        alone: backend === 'cpu',
        prepare: async () => {
          await useTfBackend(tf, backend)
          const t = tf.tensor1d(values)
          return rate(
            () => t.dataSync(),
            () => t.dispose(),
          )
        },
      })
    }
  return [
    { name: 'data in 1e6 f32', unit: 'GB/s', higherIsBetter: true, implementations: inputs },
    { name: 'data out 1e6 f32', unit: 'GB/s', higherIsBetter: true, implementations: outputs },
  ]
}
