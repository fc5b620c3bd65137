/**
 * Matrix product of two square float32 matrices (and nabla in float64), in GFLOP/s (2n³ flops).
 *
 * @module bench/cases/matmul
 */
import { availableParallelism } from 'node:os'
import { fromArrayOrThrow, matmul } from '../../src/index.js'
import { randomFloats, useTfBackend } from '../peers.js'
import {
  peakImplementation,
  peakReferenceName,
  threadsPeakImplementation,
  threadsPeakReferenceName,
} from './peak.js'
import type { Case, CaseContext, Implementation, Prepared } from './types.js'

const rate = (run: () => unknown, n: number, cleanup?: () => void): Prepared => ({
  run,
  work: 2 * n ** 3,
  scale: 1e9,
  figure: 'rate',
  ...(cleanup === undefined ? {} : { cleanup }),
})

/** The matmul cases, one per size. */
export const matmulCases = ({ peers, quick }: CaseContext): Case[] =>
  [64, 256, 512, 1024].map((n) => {
    const a = randomFloats(n * n, 1)
    const b = randomFloats(n * n, 2)
    const implementations: Implementation[] = [
      {
        impl: 'nabla',
        prepare: async () => {
          const x = fromArrayOrThrow(a, [n, n])
          const y = fromArrayOrThrow(b, [n, n])
          return rate(() => matmul(x, y), n)
        },
      },
      {
        impl: 'nabla f64',
        prepare: async () => {
          const x = fromArrayOrThrow(Float64Array.from(a), [n, n])
          const y = fromArrayOrThrow(Float64Array.from(b), [n, n])
          return rate(() => matmul(x, y), n)
        },
      },
    ]
    const { tf, jax } = peers
    if (tf !== undefined)
      for (const backend of ['cpu', 'wasm'] as const) {
        // the cpu back end runs at about 0.5 GFLOP/s: 1024² takes seconds per product
        if (backend === 'cpu' && n > (quick ? 256 : 512)) continue
        implementations.push({
          impl: `tfjs-${backend}`,
          alone: backend === 'cpu',
          prepare: async () => {
            await useTfBackend(tf, backend)
            const x = tf.tensor2d(a, [n, n])
            const y = tf.tensor2d(b, [n, n])
            return rate(
              () => tf.matMul(x, y).dispose(),
              n,
              () => tf.dispose([x, y]),
            )
          },
        })
      }
    if (jax !== undefined)
      implementations.push({
        impl: 'jax-js',
        prepare: async () => {
          const np = jax.numpy
          const x = np.array(a).reshape([n, n])
          const y = np.array(b).reshape([n, n])
          return rate(
            async () => {
              const c = np.matmul(x.ref, y.ref)
              await c.blockUntilReady()
              c.dispose()
            },
            n,
            () => {
              x.dispose()
              y.dispose()
            },
          )
        },
      })
    // the GFLOP/s targets are on 512²: the machine's ceiling is measured in the same rounds there,
    // on one thread and on as many as a product splits across
    if (n === 512) {
      const threads = availableParallelism()
      implementations.push(peakImplementation(peakReferenceName))
      if (threads > 1)
        implementations.push(threadsPeakImplementation(threadsPeakReferenceName(threads), threads))
    }
    return { name: `matmul ${n}² f32`, unit: 'GFLOP/s', higherIsBetter: true, implementations }
  })
