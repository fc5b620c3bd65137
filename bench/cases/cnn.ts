/**
 * One training step of a LeNet-size convolutional network on a batch of 64 MNIST-shaped images:
 * conv 5×5 1→16, ReLU, 2×2 max pool, conv 5×5 16→32, ReLU, 2×2 max pool, dense 512→128 ReLU,
 * dense 128→10, softmax cross-entropy, then a plain SGD update — forward and backward, in steps/s.
 * Every implementation starts from the same weights and data; TensorFlow.js runs in its native
 * NHWC layout (the same numbers, transposed), jax-js pools by reshaping (it has no pooling op).
 *
 * @module bench/cases/cnn
 */
import {
  add,
  conv2d,
  fromArrayOrThrow,
  jit,
  logSoftmax,
  matmul,
  maxPool2d,
  mean,
  mul,
  neg,
  relu,
  reshape,
  sub,
  sum,
  type Tensor,
  valueAndGrad,
} from '../../src/index.js'
import { randomFloats, useTfBackend } from '../peers.js'
import type { Case, CaseContext, Implementation, Prepared } from './types.js'

const batch = 64
const classes = 10
const learningRate = 0.01

/** The shared data (NCHW images, OIHW filters, [in, out] dense weights) and one-hot labels. */
const cnnData = () => {
  const labels = randomFloats(batch, 16).map((v) => Math.floor(((v + 1) / 2) * classes))
  const y = new Float32Array(batch * classes)
  labels.forEach((label, i) => {
    y[i * classes + label] = 1
  })
  return {
    x: randomFloats(batch * 28 * 28, 11).map((v) => (v + 1) / 2),
    y,
    k1: randomFloats(16 * 25, 12).map((v) => v * 0.3),
    c1: new Float32Array(16),
    k2: randomFloats(32 * 16 * 25, 13).map((v) => v * 0.08),
    c2: new Float32Array(32),
    w3: randomFloats(512 * 128, 14).map((v) => v * 0.06),
    b3: new Float32Array(128),
    w4: randomFloats(128 * classes, 15).map((v) => v * 0.2),
    b4: new Float32Array(classes),
  }
}

/** OIHW → HWIO (TensorFlow.js's filter layout). */
const toHwio = (w: Float32Array, o: number, i: number, k: number): Float32Array => {
  const out = new Float32Array(w.length)
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < k; y++)
        for (let x = 0; x < k; x++) out[((y * k + x) * i + b) * o + a] = w[((a * i + b) * k + y) * k + x]!
  return out
}

type Params = {
  readonly k1: Tensor<[16, 1, 5, 5], 'float32'>
  readonly c1: Tensor<[16], 'float32'>
  readonly k2: Tensor<[32, 16, 5, 5], 'float32'>
  readonly c2: Tensor<[32], 'float32'>
  readonly w3: Tensor<[512, 128], 'float32'>
  readonly b3: Tensor<[128], 'float32'>
  readonly w4: Tensor<[128, 10], 'float32'>
  readonly b4: Tensor<[10], 'float32'>
}

/** nabla's step, eager or with the loss and gradient compiled by `jit` (as `nabla train` runs it). */
const nablaStep = (compiled: boolean): (() => Tensor) => {
  const data = cnnData()
  const x = fromArrayOrThrow(data.x, [batch, 1, 28, 28])
  const y = fromArrayOrThrow(data.y, [batch, classes])
  let params: Params = {
    k1: fromArrayOrThrow(data.k1, [16, 1, 5, 5]),
    c1: fromArrayOrThrow(data.c1, [16]),
    k2: fromArrayOrThrow(data.k2, [32, 16, 5, 5]),
    c2: fromArrayOrThrow(data.c2, [32]),
    w3: fromArrayOrThrow(data.w3, [512, 128]),
    b3: fromArrayOrThrow(data.b3, [128]),
    w4: fromArrayOrThrow(data.w4, [128, classes]),
    b4: fromArrayOrThrow(data.b4, [classes]),
  }
  const loss = (p: Params): Tensor<[], 'float32'> => {
    const h1 = maxPool2d(relu(add(conv2d(x, p.k1), reshape(p.c1, [16, 1, 1]))), { window: 2 })
    const h2 = maxPool2d(relu(add(conv2d(h1, p.k2), reshape(p.c2, [32, 1, 1]))), { window: 2 })
    const h3 = relu(add(matmul(reshape(h2, [batch, 512]), p.w3), p.b3))
    const logits = add(matmul(h3, p.w4), p.b4)
    return neg(mean(sum(mul(logSoftmax(logits, -1), y), -1)))
  }
  const update = <T extends Tensor>(p: T, g: T): T => {
    const before: Tensor = p
    const gradient: Tensor = g
    return sub(before, mul(gradient, learningRate)) as T
  }
  const lossAndGradient = compiled ? jit(valueAndGrad(loss)) : valueAndGrad(loss)
  return () => {
    const [value, g] = lossAndGradient(params)
    params = Object.fromEntries(
      Object.entries(params).map(([name, p]) => [name, update(p, g[name as keyof Params] as Tensor)]),
    ) as unknown as Params
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

/** The CNN case. */
export const cnnCase = ({ peers }: CaseContext): Case => {
  const implementations: Implementation[] = [
    { impl: 'nabla', prepare: async () => rate(nablaStep(false)) },
    { impl: 'nabla jit', prepare: async () => rate(nablaStep(true)) },
  ]
  const { tf, jax } = peers
  if (tf !== undefined)
    for (const backend of ['cpu', 'wasm'] as const)
      implementations.push({
        impl: `tfjs-${backend}`,
        alone: backend === 'cpu',
        prepare: async () => {
          await useTfBackend(tf, backend)
          const data = cnnData()
          // NCHW with one channel is NHWC with one channel: the same numbers
          const x = tf.tensor4d(data.x, [batch, 28, 28, 1])
          const y = tf.tensor2d(data.y, [batch, classes])
          const k1 = tf.variable(tf.tensor4d(toHwio(data.k1, 16, 1, 5), [5, 5, 1, 16]))
          const c1 = tf.variable(tf.tensor1d(data.c1))
          const k2 = tf.variable(tf.tensor4d(toHwio(data.k2, 32, 16, 5), [5, 5, 16, 32]))
          const c2 = tf.variable(tf.tensor1d(data.c2))
          const w3 = tf.variable(tf.tensor2d(data.w3, [512, 128]))
          const b3 = tf.variable(tf.tensor1d(data.b3))
          const w4 = tf.variable(tf.tensor2d(data.w4, [128, classes]))
          const b4 = tf.variable(tf.tensor1d(data.b4))
          const optimizer = tf.train.sgd(learningRate)
          const loss = () => {
            type T4 = import('@tensorflow/tfjs').Tensor4D
            const block = (h: T4, k: T4, c: typeof c1) =>
              tf.maxPool(tf.relu(tf.add(tf.conv2d(h, k, 1, 'valid'), c)) as T4, 2, 2, 'valid')
            const h2 = block(block(x, k1, c1), k2, c2)
            // flatten in NCHW order so the dense weights mean the same as nabla's
            const flat = tf.reshape(tf.transpose(h2, [0, 3, 1, 2]), [batch, 512])
            const h3 = tf.relu(tf.add(tf.matMul(flat, w3), b3))
            const logits = tf.add(tf.matMul(h3, w4), b4)
            return tf.losses.softmaxCrossEntropy(y, logits) as import('@tensorflow/tfjs').Scalar
          }
          return rate(
            () => optimizer.minimize(loss, false),
            () => {
              tf.dispose([x, y, k1, c1, k2, c2, w3, b3, w4, b4])
              optimizer.dispose()
            },
          )
        },
      })
  if (jax !== undefined)
    implementations.push({
      impl: 'jax-js jit',
      prepare: async () => {
        const { numpy: np, nn, lax, jit, valueAndGrad: jaxValueAndGrad, tree } = jax
        type A = InstanceType<typeof np.Array>
        const data = cnnData()
        const x = np.array(data.x).reshape([batch, 1, 28, 28])
        const y = np.array(data.y).reshape([batch, classes])
        type P = { k1: A; c1: A; k2: A; c2: A; w3: A; b3: A; w4: A; b4: A }
        let params: P = {
          k1: np.array(data.k1).reshape([16, 1, 5, 5]),
          c1: np.array(data.c1).reshape([16, 1, 1]),
          k2: np.array(data.k2).reshape([32, 16, 5, 5]),
          c2: np.array(data.c2).reshape([32, 1, 1]),
          w3: np.array(data.w3).reshape([512, 128]),
          b3: np.array(data.b3),
          w4: np.array(data.w4).reshape([128, classes]),
          b4: np.array(data.b4),
        }
        const pool = (h: A, c: number, size: number) =>
          h.reshape([batch, c, size / 2, 2, size / 2, 2]).max([3, 5])
        const loss = (p: P, xs: A, ys: A) => {
          const h1 = pool(nn.relu(lax.conv(xs, p.k1, [1, 1], 'VALID').add(p.c1)), 16, 24)
          const h2 = pool(nn.relu(lax.conv(h1, p.k2, [1, 1], 'VALID').add(p.c2)), 32, 8)
          const h3 = nn.relu(np.matmul(h2.reshape([batch, 512]), p.w3).add(p.b3))
          const logits = np.matmul(h3, p.w4).add(p.b4)
          return nn.logSoftmax(logits, -1).mul(ys).sum(-1).mean().neg()
        }
        const step = jit((p: P, xs: A, ys: A) => {
          const [value, g] = jaxValueAndGrad(loss)(tree.ref(p), xs, ys)
          const next = tree.map((w: A, d: A) => w.sub(d.mul(learningRate)), p, g) as P
          return [value, next] as const
        })
        return rate(
          async () => {
            const [value, next] = step(params, x.ref, y.ref) as unknown as [A, P]
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
  return { name: 'CNN LeNet-size b64 step', unit: 'steps/s', higherIsBetter: true, implementations }
}
