/**
 * Type-level tests of models (checked by `tsc`): `mlp` parameter types computed from the literal
 * sizes, batch-generic apply, and composition that does not compile when a layer outputting
 * `[B, 128]` feeds one expecting `[B, 64]` — for dense layers, `mlp` and a hand-written two-layer
 * network, with fp-ts `flow`, `pipe` and plain calls.
 */
import { flow, pipe } from 'fp-ts/lib/function.js'
import { expectTypeOf } from 'vitest'
import {
  adam,
  add,
  type DenseParams,
  dense,
  fit as fitModel,
  grad,
  key,
  matmul,
  mlp,
  relu,
  softmaxCrossEntropy,
  type Tensor,
  zeros,
} from '../../src/index.js'

const k = key(0)

// mlp: parameter types from a literal sizes tuple
const net = mlp([784, 128, 10])
const p = net.init(k)
expectTypeOf(p[0].w).toEqualTypeOf<Tensor<[784, 128], 'float32'>>()
expectTypeOf(p[0].b).toEqualTypeOf<Tensor<[128], 'float32'>>()
expectTypeOf(p[1].w).toEqualTypeOf<Tensor<[128, 10], 'float32'>>()
expectTypeOf(p[1].b).toEqualTypeOf<Tensor<[10], 'float32'>>()
expectTypeOf(mlp([784, 128, 10], { dtype: 'float64' }).init(k)[1].w).toEqualTypeOf<
  Tensor<[128, 10], 'float64'>
>()
expectTypeOf(net.apply(p, zeros([32, 784]))).toEqualTypeOf<Tensor<[32, 10], 'float32'>>()
const x: Tensor<[number, 784], 'float32'> = zeros([3, 784])
expectTypeOf(net.apply(p, x)).toEqualTypeOf<Tensor<[number, 10], 'float32'>>()
// gradients have the parameters' type
expectTypeOf(grad((q: typeof p) => softmaxCrossEntropy(net.apply(q, x), zeros([3])))(p)).toEqualTypeOf<
  typeof p
>()
// sizes known only at run time: shapes fall back to number
const hidden: number = 64
const dynamic = mlp([784, hidden, 10] as number[])
expectTypeOf(dynamic.init(k)).toEqualTypeOf<readonly DenseParams<number, number, 'float32'>[]>()

// dense layers compose with flow, pipe and plain calls when the sizes agree …
const a = dense(784, 128)
const b = dense(64, 10)
const c = dense(128, 10)
const pa = a.init(k)
const pb = b.init(k)
const pc = c.init(k)
// layers are applied with their parameters; `applied` turns one into a function of a batch for flow/pipe
const applied =
  <P, I extends number, O extends number>(
    layer: { apply: <B extends number>(p: P, x: Tensor<[B, I]>) => Tensor<[B, O]> },
    params: P,
  ) =>
  <B extends number>(input: Tensor<[B, I]>): Tensor<[B, O]> =>
    layer.apply(params, input)
expectTypeOf(flow(applied(a, pa), applied(c, pc))(zeros([5, 784]))).toEqualTypeOf<
  Tensor<[5, 10], 'float32'>
>()
expectTypeOf(pipe(x, applied(a, pa), applied(c, pc))).toEqualTypeOf<Tensor<[number, 10], 'float32'>>()
expectTypeOf(c.apply(pc, a.apply(pa, x))).toEqualTypeOf<Tensor<[number, 10], 'float32'>>()
// … and do not compile when [B, 128] meets [B, 64]
// @ts-expect-error 128 is not 64
flow(applied(a, pa), applied(b, pb))
// @ts-expect-error 128 is not 64
pipe(x, applied(a, pa), applied(b, pb))
// @ts-expect-error 128 is not 64
b.apply(pb, a.apply(pa, x))

// mlp in a composition
const n64 = mlp([64, 32, 10])
const pn64 = n64.init(k)
const n128 = mlp([128, 32, 10])
const pn128 = n128.init(k)
expectTypeOf(flow(applied(a, pa), applied(n128, pn128))(x)).toEqualTypeOf<Tensor<[number, 10], 'float32'>>()
// @ts-expect-error the mlp expects 64 features
flow(applied(a, pa), applied(n64, pn64))
// @ts-expect-error the mlp expects 64 features
pipe(x, applied(a, pa), applied(n64, pn64))
// @ts-expect-error the mlp expects 784 features
net.apply(p, zeros([3, 100]))

// a hand-written two-layer network (the batch dimension typed `number`)
type F32<S extends readonly number[]> = Tensor<[...S], 'float32'>
type TwoLayer = { readonly w1: F32<[784, 128]>; readonly b1: F32<[128]>; readonly w2: F32<[128, 10]> }
const hiddenLayer =
  (q: TwoLayer) =>
  (input: F32<[number, 784]>): F32<[number, 128]> =>
    relu(add(matmul(input, q.w1), q.b1))
const outputLayer =
  (q: TwoLayer) =>
  (h: F32<[number, 128]>): F32<[number, 10]> =>
    matmul(h, q.w2)
const readout64 =
  (w: F32<[64, 10]>) =>
  (h: F32<[number, 64]>): F32<[number, 10]> =>
    matmul(h, w)
const h128: Tensor<[number, 128]> = zeros([3, 128])
const tq: TwoLayer = { w1: zeros([784, 128]), b1: zeros([128]), w2: zeros([128, 10]) }
expectTypeOf(flow(hiddenLayer(tq), outputLayer(tq))(x)).toEqualTypeOf<F32<[number, 10]>>()
expectTypeOf(pipe(x, hiddenLayer(tq), outputLayer(tq))).toEqualTypeOf<F32<[number, 10]>>()
// @ts-expect-error [B, 128] into a layer expecting [B, 64]
flow(hiddenLayer(tq), readout64(zeros([64, 10])))
// @ts-expect-error [B, 128] into a layer expecting [B, 64]
pipe(x, hiddenLayer(tq), readout64(zeros([64, 10])))
// @ts-expect-error [B, 128] into a layer expecting [B, 64]
readout64(zeros([64, 10]))(hiddenLayer(tq)(x))
// @ts-expect-error the inner dimensions of matmul differ: 128 against 64
matmul(hiddenLayer(tq)(x), zeros([64, 10]))
// and a dense layer with a hand-written one
expectTypeOf(pipe(x, hiddenLayer(tq), applied(c, pc))).toEqualTypeOf<F32<[number, 10]>>()
// @ts-expect-error [B, 128] into a dense layer expecting [B, 64]
pipe(x, hiddenLayer(tq), applied(b, pb))

// wrong dtype and wrong parameters do not compile either
// @ts-expect-error float64 input to float32 parameters
a.apply(pa, zeros([3, 784], { dtype: 'float64' }))
// @ts-expect-error parameters of another layer
c.apply(pa, h128)

// fit infers the parameter type from params (imported as fitModel: Biome reads `fit(` as a focused test)
fitModel({
  params: p,
  optimizer: adam(1e-3),
  loss: (q, batch) => {
    expectTypeOf(q).toEqualTypeOf<typeof p>()
    return softmaxCrossEntropy(net.apply(q, batch.x), batch.y)
  },
  train: { x, y: zeros([3]) },
  epochs: 1,
  batchSize: 1,
  key: k,
})

// augment may add fields of its own, which the loss reads; a loss that needs them does not
// compile without an augment that makes them
const rows = { x, y: zeros([3]) }
const withMasks = (b: typeof rows) => ({ ...b, masks: [zeros([3, 128])] })
fitModel({
  params: p,
  optimizer: adam(1e-3),
  train: rows,
  augment: withMasks,
  loss: (q, batch) => {
    expectTypeOf(batch.masks).toEqualTypeOf<Tensor<[3, 128], 'float32'>[]>()
    return softmaxCrossEntropy(net.apply(q, batch.x), batch.y)
  },
  epochs: 1,
  batchSize: 1,
  key: k,
})
// @ts-expect-error the loss reads masks, and without augment the batches are only { x, y }
fitModel({
  params: p,
  optimizer: adam(1e-3),
  train: rows,
  loss: (q, batch: ReturnType<typeof withMasks>) => softmaxCrossEntropy(net.apply(q, batch.x), batch.y),
  epochs: 1,
  batchSize: 1,
  key: k,
})
