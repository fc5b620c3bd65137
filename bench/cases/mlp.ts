/**
 * One training step of a 784-128-10 multilayer perceptron (ReLU, softmax cross-entropy) on a batch
 * of 128: the loss, the gradients of all four parameters, and a plain SGD update, in steps/s. Every
 * implementation starts from the same weights and data. Also exported: nabla's step on its own,
 * for the memory case.
 *
 * @module bench/cases/mlp
 */
import { valueAndGrad } from '../../src/grad/index.js'
import {
  add,
  fromArrayOrThrow,
  logSoftmax,
  matmul,
  mean,
  mul,
  neg,
  relu,
  sub,
  sum,
  type Tensor,
} from '../../src/index.js'
import { randomFloats, useTfBackend } from '../peers.js'
import type { Case, CaseContext, Implementation, Prepared } from './types.js'

const batch = 128
const inputs = 784
const hidden = 128
const classes = 10
const learningRate = 0.01

/** The shared data: inputs in [0, 1), one-hot labels, and initial weights. */
export const mlpData = () => {
  const x = randomFloats(batch * inputs, 5).map((v) => (v + 1) / 2)
  const labels = randomFloats(batch, 6).map((v) => Math.floor(((v + 1) / 2) * classes))
  const y = new Float32Array(batch * classes)
  labels.forEach((label, i) => {
    y[i * classes + label] = 1
  })
  return {
    x,
    y,
    w1: randomFloats(inputs * hidden, 7).map((v) => v * 0.05),
    b1: new Float32Array(hidden),
    w2: randomFloats(hidden * classes, 8).map((v) => v * 0.2),
    b2: new Float32Array(classes),
  }
}

/** The MLP's parameters. */
export type MlpParams = {
  readonly w1: Tensor<[784, 128], 'float32'>
  readonly b1: Tensor<[128], 'float32'>
  readonly w2: Tensor<[128, 10], 'float32'>
  readonly b2: Tensor<[10], 'float32'>
}

/** The shared data as nabla tensors: the batch and the initial parameters. */
export const mlpTensors = () => {
  const data = mlpData()
  const params: MlpParams = {
    w1: fromArrayOrThrow(data.w1, [inputs, hidden]),
    b1: fromArrayOrThrow(data.b1, [hidden]),
    w2: fromArrayOrThrow(data.w2, [hidden, classes]),
    b2: fromArrayOrThrow(data.b2, [classes]),
  }
  return {
    x: fromArrayOrThrow(data.x, [batch, inputs]),
    y: fromArrayOrThrow(data.y, [batch, classes]),
    params,
  }
}

/** nabla's loss of the MLP on a batch (one-hot labels `ys`). */
export const mlpLoss = (p: MlpParams, xs: Tensor<[number, 784]>, ys: Tensor<[number, 10]>): Tensor<[]> => {
  const h = relu(add(matmul(xs, p.w1), p.b1))
  const logits = add(matmul(h, p.w2), p.b2)
  return neg(mean(sum(mul(logSoftmax(logits, -1), ys), -1)))
}

/** A plain SGD update of every parameter. */
export const sgdUpdate = (p: MlpParams, g: MlpParams): MlpParams => {
  // every parameter keeps its shape (generic shapes do not reduce, so the result is asserted)
  const update = <T extends Tensor>(w: T, d: T): T => {
    const before: Tensor = w
    const gradient: Tensor = d
    return sub(before, mul(gradient, learningRate)) as T
  }
  return { w1: update(p.w1, g.w1), b1: update(p.b1, g.b1), w2: update(p.w2, g.w2), b2: update(p.b2, g.b2) }
}

/** nabla's training step as a closure over its parameters (each call replaces them). */
export const nablaStep = (): (() => Tensor) => {
  const { x, y, params: initial } = mlpTensors()
  let params = initial
  return () => {
    const [value, g] = valueAndGrad((p: MlpParams) => mlpLoss(p, x, y))(params)
    params = sgdUpdate(params, g)
    return value
  }
}

const rate = (run: () => unknown, cleanup?: () => void): Prepared => ({
  run,
  work: 1,
  scale: 1,
  figure: 'rate',
  ...(cleanup === undefined ? {} : { cleanup }),
})

/** The MLP case. */
export const mlpCase = ({ peers }: CaseContext): Case => {
  const implementations: Implementation[] = [{ impl: 'nabla', prepare: async () => rate(nablaStep()) }]
  const { tf, jax } = peers
  if (tf !== undefined)
    for (const backend of ['cpu', 'wasm'] as const)
      implementations.push({
        impl: `tfjs-${backend}`,
        alone: backend === 'cpu',
        prepare: async () => {
          await useTfBackend(tf, backend)
          const data = mlpData()
          const x = tf.tensor2d(data.x, [batch, inputs])
          const y = tf.tensor2d(data.y, [batch, classes])
          const w1 = tf.variable(tf.tensor2d(data.w1, [inputs, hidden]))
          const b1 = tf.variable(tf.tensor1d(data.b1))
          const w2 = tf.variable(tf.tensor2d(data.w2, [hidden, classes]))
          const b2 = tf.variable(tf.tensor1d(data.b2))
          const optimizer = tf.train.sgd(learningRate)
          const loss = () => {
            const h = tf.relu(tf.add(tf.matMul(x, w1), b1))
            const logits = tf.add(tf.matMul(h, w2), b2)
            return tf.losses.softmaxCrossEntropy(y, logits) as import('@tensorflow/tfjs').Scalar
          }
          return rate(
            () => optimizer.minimize(loss, false),
            () => {
              tf.dispose([x, y, w1, b1, w2, b2])
              optimizer.dispose()
            },
          )
        },
      })
  if (jax !== undefined)
    implementations.push({
      impl: 'jax-js jit',
      prepare: async () => {
        const { numpy: np, nn, jit, valueAndGrad: jaxValueAndGrad, tree } = jax
        const data = mlpData()
        const x = np.array(data.x).reshape([batch, inputs])
        const y = np.array(data.y).reshape([batch, classes])
        type P = {
          w1: InstanceType<typeof np.Array>
          b1: InstanceType<typeof np.Array>
          w2: InstanceType<typeof np.Array>
          b2: InstanceType<typeof np.Array>
        }
        let params: P = {
          w1: np.array(data.w1).reshape([inputs, hidden]),
          b1: np.array(data.b1),
          w2: np.array(data.w2).reshape([hidden, classes]),
          b2: np.array(data.b2),
        }
        const loss = (p: P, xs: InstanceType<typeof np.Array>, ys: InstanceType<typeof np.Array>) => {
          const h = nn.relu(np.matmul(xs, p.w1).add(p.b1))
          const logits = np.matmul(h, p.w2).add(p.b2)
          return nn.logSoftmax(logits, -1).mul(ys).sum(-1).mean().neg()
        }
        const step = jit((p: P, xs: InstanceType<typeof np.Array>, ys: InstanceType<typeof np.Array>) => {
          const [value, g] = jaxValueAndGrad(loss)(tree.ref(p), xs, ys)
          const next = tree.map(
            (w: InstanceType<typeof np.Array>, d: InstanceType<typeof np.Array>) =>
              w.sub(d.mul(learningRate)),
            p,
            g,
          ) as P
          return [value, next] as const
        })
        return rate(
          async () => {
            const [value, next] = step(params, x.ref, y.ref) as unknown as [InstanceType<typeof np.Array>, P]
            params = next
            await value.blockUntilReady()
            value.dispose()
          },
          () => {
            x.dispose()
            y.dispose()
            tree.dispose(params)
            step.dispose()
          },
        )
      },
    })
  return { name: 'MLP 784-128-10 b128 step', unit: 'steps/s', higherIsBetter: true, implementations }
}
