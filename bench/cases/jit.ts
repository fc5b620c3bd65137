/**
 * The jitted cases: nabla's MLP training step and tiny-op chain under `jit` (added as a `nabla jit`
 * implementation of those cases, so their rows compare it with the same peers), a fused
 * elementwise case `tanh(x·a + b)·c` over 1e6 float32 elements (eager against jitted, where the
 * jitted plan runs it as one generated WebAssembly kernel), and memory growth over jitted steps.
 * Every case calls the public API in a plain synchronous loop.
 *
 * @module bench/cases/jit
 */
import {
  add,
  fromArrayOrThrow,
  grad,
  jit,
  mul,
  sin,
  sum,
  type Tensor,
  tanh,
  valueAndGrad,
} from '../../src/index.js'
import type { Result } from '../measure.js'
import { randomFloats, useTfBackend } from '../peers.js'
import { chainLength } from './chain.js'
import { collect, megabytes } from './memory.js'
import { type MlpParams, mlpLoss, mlpTensors, sgdUpdate } from './mlp.js'
import { type Case, type CaseContext, type Implementation, timedPerCall } from './types.js'

/**
 * nabla's MLP step, the whole step (loss, gradients, SGD update) under one `jit`; with `donate`, the
 * parameters are donated (`params = step(params, x, y)` updates them in place).
 */
export const nablaJitStep = (donate = false): (() => Tensor) => {
  const { x, y, params: initial } = mlpTensors()
  let params = initial
  const step = jit(
    (p: MlpParams, xs: typeof x, ys: typeof y): [Tensor, MlpParams] => {
      const [value, g] = valueAndGrad((q: MlpParams) => mlpLoss(q, xs, ys))(p)
      return [value, sgdUpdate(p, g)]
    },
    { donate: donate ? [0] : [] },
  )
  return () => {
    const [value, next] = step(params, x, y)
    params = next
    return value
  }
}

/**
 * nabla's MLP step with the loss jitted and differentiated outside (`valueAndGrad(jit(loss))`): the
 * jitted loss is one call primitive whose forward and pullback are compiled plans; the SGD update
 * runs eagerly.
 */
export const nablaGradOfJitStep = (): (() => Tensor) => {
  const { x, y, params: initial } = mlpTensors()
  let params = initial
  const loss = jit(mlpLoss)
  return () => {
    const [value, g] = valueAndGrad((q: MlpParams) => loss(q, x, y))(params)
    params = sgdUpdate(params, g)
    return value
  }
}

/** The `nabla grad(jit)` implementation of the MLP case. */
export const gradOfJitMlpImplementation: Implementation = {
  impl: 'nabla grad(jit)',
  prepare: async () => ({ run: nablaGradOfJitStep(), work: 1, scale: 1, figure: 'rate' }),
}

/** The `nabla jit` implementation of the MLP case. */
export const jitMlpImplementation: Implementation = {
  impl: 'nabla jit',
  prepare: async () => ({ run: nablaJitStep(), work: 1, scale: 1, figure: 'rate' }),
}

/** The `nabla jit donated` implementation of the MLP case: the parameters are donated to the step. */
export const jitDonatedMlpImplementation: Implementation = {
  impl: 'nabla jit donated',
  prepare: async () => ({ run: nablaJitStep(true), work: 1, scale: 1, figure: 'rate' }),
}

/** The `nabla jit` implementation of the chain case: `jit(grad(f))` of the same chain. */
export const jitChainImplementation: Implementation = {
  impl: 'nabla jit',
  prepare: async () => {
    const x0 = fromArrayOrThrow(new Float32Array([0.1, -0.2, 0.3, 0.4]), [4])
    const f = (x: Tensor): Tensor => {
      let t = x
      for (let i = 0; i < chainLength; i++) {
        const k = i % 4
        t = k === 0 ? sin(t) : k === 1 ? mul(t, 1.01) : k === 2 ? tanh(t) : add(t, 0.5)
      }
      return sum(t)
    }
    const df = jit(grad(f))
    return { run: () => df(x0), work: chainLength, scale: 1e-6, figure: 'time' }
  },
}

const addSize = 1_000_000

/**
 * The `nabla jit` implementation of the add case: `jit(add)` over the same two 1e6-element
 * tensors. A jitted call returns a new immutable tensor, so its output is not a reused buffer (no
 * donation): this is what a user of `jit` gets for an elementwise step.
 */
export const jitAddImplementation: Implementation = {
  impl: 'nabla jit',
  prepare: async () => {
    const x = fromArrayOrThrow(randomFloats(addSize, 3), [addSize])
    const y = fromArrayOrThrow(randomFloats(addSize, 4), [addSize])
    const f = jit((a: Tensor, b: Tensor) => add(a, b))
    return { run: () => f(x, y), work: 12 * addSize, scale: 1e9, figure: 'rate' }
  },
}

/**
 * The `nabla jit donated` implementation of the add case: `x = f(x, y)` with `x` donated, so each
 * call writes its sum over the donated tensor's memory (JAX's `donate_argnums`): an elementwise step
 * whose output buffer is reused, the counterpart of tfjs-wasm's disposed and reused output. Same
 * work per call (two 1e6 reads, one 1e6 write).
 */
export const jitDonatedAddImplementation: Implementation = {
  impl: 'nabla jit donated',
  prepare: async () => {
    let x: Tensor = fromArrayOrThrow(randomFloats(addSize, 3), [addSize])
    const y = fromArrayOrThrow(randomFloats(addSize, 4), [addSize])
    const f = jit((a: Tensor, b: Tensor) => add(a, b), { donate: [0] })
    return {
      run: () => {
        x = f(x, y)
        return x
      },
      work: 12 * addSize,
      scale: 1e9,
      figure: 'rate',
    }
  },
}

const fusedSize = 1_000_000

/** Name of the fused elementwise case (also used by the PyTorch peer). */
export const fusedCaseName = 'tanh(x·a+b)·c 1e6 f32'

/** `tanh(x·a + b)·c` over 1e6 float32 elements, in µs per call: eager, jitted, TensorFlow.js. */
export const fusedCase = ({ peers }: CaseContext): Case => {
  const data = [11, 12, 13, 14].map((seed) => randomFloats(fusedSize, seed))
  const nabla = (): [Tensor, Tensor, Tensor, Tensor] => {
    const [x, a, b, c] = data.map((d): Tensor => fromArrayOrThrow(d, [fusedSize]))
    return [x!, a!, b!, c!]
  }
  const f = (x: Tensor, a: Tensor, b: Tensor, c: Tensor) => mul(tanh(add(mul(x, a), b)), c)
  const implementations: Implementation[] = [
    {
      impl: 'nabla',
      prepare: async () => {
        const [x, a, b, c] = nabla()
        return timedPerCall(() => f(x, a, b, c))
      },
    },
    {
      impl: 'nabla jit',
      prepare: async () => {
        const [x, a, b, c] = nabla()
        const g = jit(f)
        return timedPerCall(() => g(x, a, b, c))
      },
    },
  ]
  const { tf } = peers
  if (tf !== undefined)
    implementations.push({
      impl: 'tfjs-wasm',
      prepare: async () => {
        await useTfBackend(tf, 'wasm')
        const [x, a, b, c] = data.map((d) => tf.tensor1d(d))
        return timedPerCall(
          () => tf.tidy(() => tf.mul(tf.tanh(tf.add(tf.mul(x!, a!), b!)), c!)).dispose(),
          () => tf.dispose([x!, a!, b!, c!]),
        )
      },
    })
  return { name: fusedCaseName, unit: 'µs', higherIsBetter: false, implementations }
}

/** Heap and RSS growth over `steps` jitted MLP steps, in MB. */
export const jitMemoryResults = (steps: number): Result[] => {
  const step = nablaJitStep()
  for (let i = 0; i < 50; i++) step()
  collect()
  const before = process.memoryUsage()
  for (let i = 0; i < steps; i++) step()
  collect()
  const after = process.memoryUsage()
  const result = (name: string, value: number): Result => ({
    case: `${name} over ${steps} MLP steps`,
    impl: 'nabla jit',
    median: value,
    min: value,
    max: value,
    unit: 'MB',
  })
  return [
    result('heap growth', megabytes(after.heapUsed - before.heapUsed)),
    result('RSS growth', megabytes(after.rss - before.rss)),
  ]
}

/** The case with `implementation` added right after nabla's own. */
export const withImplementation = (c: Case, implementation: Implementation): Case => ({
  ...c,
  implementations: [c.implementations[0]!, implementation, ...c.implementations.slice(1)],
})
