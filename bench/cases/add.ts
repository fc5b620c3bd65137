/**
 * Elementwise sum of two 1e6-element float32 tensors into a new tensor, in GB/s (12 bytes moved
 * per element: two reads, one write). With it, in the same rounds, the machine's reference: a plain
 * `Float32Array.prototype.slice()` of one operand (8 bytes moved per element: one read, one write
 * into fresh memory), the least any op with a new 4 MB result costs here. On this virtual machine
 * the memory's speed drifts from minute to minute, and a fresh result's cost depends on the
 * allocator's state of the whole process; the reference moves with both, so the ratio to it says
 * what is nabla's own doing.
 *
 * @module bench/cases/add
 */
import { add, fromArrayOrThrow } from '../../src/index.js'
import { randomFloats, useTfBackend } from '../peers.js'
import type { Case, CaseContext, Implementation, Prepared } from './types.js'

const size = 1_000_000

const rate = (run: () => unknown, cleanup?: () => void): Prepared => ({
  run,
  work: 12 * size,
  scale: 1e9,
  figure: 'rate',
  ...(cleanup === undefined ? {} : { cleanup }),
})

/** The add case. */
export const addCase = ({ peers }: CaseContext): Case => {
  const a = randomFloats(size, 3)
  const b = randomFloats(size, 4)
  const implementations: Implementation[] = [
    {
      impl: 'nabla',
      prepare: async () => {
        const x = fromArrayOrThrow(a, [size])
        const y = fromArrayOrThrow(b, [size])
        return rate(() => add(x, y))
      },
    },
    {
      impl: 'machine: fresh copy',
      prepare: async () => ({ run: () => a.slice(), work: 8 * size, scale: 1e9, figure: 'rate' }),
    },
  ]
  const { tf, jax } = peers
  if (tf !== undefined)
    for (const backend of ['cpu', 'wasm'] as const)
      implementations.push({
        impl: `tfjs-${backend}`,
        alone: backend === 'cpu',
        prepare: async () => {
          await useTfBackend(tf, backend)
          const x = tf.tensor1d(a)
          const y = tf.tensor1d(b)
          return rate(
            () => tf.add(x, y).dispose(),
            () => tf.dispose([x, y]),
          )
        },
      })
  if (jax !== undefined)
    implementations.push({
      impl: 'jax-js',
      prepare: async () => {
        const np = jax.numpy
        const x = np.array(a)
        const y = np.array(b)
        return rate(
          async () => {
            const c = np.add(x.ref, y.ref)
            await c.blockUntilReady()
            c.dispose()
          },
          () => {
            x.dispose()
            y.dispose()
          },
        )
      },
    })
  return { name: 'add 1e6 f32', unit: 'GB/s', higherIsBetter: true, implementations }
}
