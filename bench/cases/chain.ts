/**
 * A chain of 1000 elementwise ops on a shape-[4] tensor, then a sum, differentiated: forward and
 * backward, in µs per op. The tensors are tiny, so this measures per-op overhead (dispatch, tracing,
 * allocation), not arithmetic. The chain cycles through sin, ×1.01, tanh and +0.5.
 *
 * @module bench/cases/chain
 */
import { grad } from '../../src/grad/index.js'
import { add, fromArrayOrThrow, mul, sin, sum, type Tensor, tanh } from '../../src/index.js'
import { useTfBackend } from '../peers.js'
import type { Case, CaseContext, Implementation, Prepared } from './types.js'

/** Ops in the chain. */
export const chainLength = 1000

const start = new Float32Array([0.1, -0.2, 0.3, 0.4])

const perOp = (run: () => unknown, cleanup?: () => void): Prepared => ({
  run,
  work: chainLength,
  scale: 1e-6,
  figure: 'time',
  ...(cleanup === undefined ? {} : { cleanup }),
})

/** The chain case. */
export const chainCase = ({ peers, quick }: CaseContext): Case => {
  const implementations: Implementation[] = [
    {
      impl: 'nabla',
      prepare: async () => {
        const x0 = fromArrayOrThrow(start, [4])
        const f = (x: Tensor<[4], 'float32'>): Tensor<[], 'float32'> => {
          let t: Tensor<[4], 'float32'> = x
          for (let i = 0; i < chainLength; i++) {
            const k = i % 4
            t = k === 0 ? sin(t) : k === 1 ? mul(t, 1.01) : k === 2 ? tanh(t) : add(t, 0.5)
          }
          return sum(t)
        }
        const df = grad(f)
        return perOp(() => df(x0))
      },
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
          const x0 = tf.tensor1d(start)
          const f = (x: import('@tensorflow/tfjs').Tensor) => {
            let t = x
            for (let i = 0; i < chainLength; i++) {
              const k = i % 4
              t = k === 0 ? tf.sin(t) : k === 1 ? tf.mul(t, 1.01) : k === 2 ? tf.tanh(t) : tf.add(t, 0.5)
            }
            return tf.sum(t)
          }
          const df = tf.grad(f)
          return perOp(
            () => tf.tidy(() => df(x0)).dispose(),
            () => x0.dispose(),
          )
        },
      })
  // jax-js runs this chain eagerly at about 8 ms per op (its jit overflows the stack on 1000 ops):
  // one warm-up call and two timed ones take half a minute, too long for --quick
  if (jax !== undefined && !quick)
    implementations.push({
      impl: 'jax-js',
      prepare: async () => {
        const { numpy: np, grad: jaxGrad } = jax
        const x0 = np.array(start)
        type A = InstanceType<typeof np.Array>
        const f = (x: A): A => {
          let t = x
          for (let i = 0; i < chainLength; i++) {
            const k = i % 4
            t = k === 0 ? np.sin(t) : k === 1 ? t.mul(1.01) : k === 2 ? np.tanh(t) : t.add(0.5)
          }
          return t.sum()
        }
        const df = jaxGrad(f)
        return {
          ...perOp(
            async () => {
              const g = df(x0.ref) as A
              await g.blockUntilReady()
              g.dispose()
            },
            () => x0.dispose(),
          ),
          budget: { warmupMs: 0, warmupCalls: 1, sampleMs: 0, samples: 2 },
        }
      },
    })
  return { name: 'chain 1000 ops [4] fwd+bwd', unit: 'µs/op', higherIsBetter: false, implementations }
}
