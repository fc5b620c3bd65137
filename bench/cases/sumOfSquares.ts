/**
 * A fused reduction: the squared error `Σ (x − y)²` over 1e6 float32 elements, in µs per call —
 * eager (a subtraction, a square and a sum, each a pass over memory), jitted (one generated kernel
 * that reads x and y once and sums as it goes) and TensorFlow.js wasm. Public API, plain loop.
 *
 * @module bench/cases/sumOfSquares
 */
import { fromArrayOrThrow, jit, square, sub, sum, type Tensor } from '../../src/index.js'
import { randomFloats, useTfBackend } from '../peers.js'
import { type Case, type CaseContext, type Implementation, timedPerCall } from './types.js'

const size = 1_000_000

/** `Σ (x − y)²` over 1e6 float32 elements: nabla eager and jitted, TensorFlow.js wasm. */
export const sumOfSquaresCase = ({ peers }: CaseContext): Case => {
  const data = [21, 22].map((seed) => randomFloats(size, seed))
  const inputs = (): [Tensor, Tensor] => {
    const [x, y] = data.map((d): Tensor => fromArrayOrThrow(d, [size]))
    return [x!, y!]
  }
  const f = (x: Tensor, y: Tensor) => sum(square(sub(x, y)))
  const implementations: Implementation[] = [
    {
      impl: 'nabla',
      prepare: async () => {
        const [x, y] = inputs()
        return timedPerCall(() => f(x, y))
      },
    },
    {
      impl: 'nabla jit',
      prepare: async () => {
        const [x, y] = inputs()
        const g = jit(f)
        return timedPerCall(() => g(x, y))
      },
    },
  ]
  const { tf } = peers
  if (tf !== undefined)
    implementations.push({
      impl: 'tfjs-wasm',
      prepare: async () => {
        await useTfBackend(tf, 'wasm')
        const [x, y] = data.map((d) => tf.tensor1d(d))
        return timedPerCall(
          () => tf.tidy(() => tf.sum(tf.square(tf.sub(x!, y!)))).dispose(),
          () => tf.dispose([x!, y!]),
        )
      },
    })
  return { name: 'Σ(x−y)² 1e6 f32', unit: 'µs', higherIsBetter: false, implementations }
}
