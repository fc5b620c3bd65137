import { flow, pipe } from 'fp-ts/lib/function.js'
import { expectTypeOf } from 'vitest'
import { type Tensor, zeros } from '../../src/index.js'
import { type DenseParams, dense, mlp } from '../../src/models/layers.js'
import { key } from '../../src/models/random.js'

const k = key(0)
const net = mlp([784, 128, 10])
const p = net.init(k)
expectTypeOf(p[0].w).toEqualTypeOf<Tensor<[784, 128], 'float32'>>()
expectTypeOf(p[0].b).toEqualTypeOf<Tensor<[128], 'float32'>>()
expectTypeOf(p[1].w).toEqualTypeOf<Tensor<[128, 10], 'float32'>>()
expectTypeOf(p[1].b).toEqualTypeOf<Tensor<[10], 'float32'>>()
const y = net.apply(p)(zeros([32, 784]))
expectTypeOf(y).toEqualTypeOf<Tensor<[32, 10], 'float32'>>()

const a = dense(784, 128)
const b = dense(64, 10)
const c = dense(128, 10)
const pa = a.init(k)
const pb = b.init(k)
const pc = c.init(k)
const ok = flow(a.apply(pa), c.apply(pc))
expectTypeOf(ok(zeros([5, 784]))).toEqualTypeOf<Tensor<[5, 10], 'float32'>>()
const x: Tensor<[number, 784], 'float32'> = zeros([3, 784])
expectTypeOf(pipe(x, a.apply(pa), c.apply(pc))).toEqualTypeOf<Tensor<[number, 10], 'float32'>>()
// @ts-expect-error 128 is not 64
flow(a.apply(pa), b.apply(pb))
// @ts-expect-error 128 is not 64
pipe(x, a.apply(pa), b.apply(pb))
// @ts-expect-error 128 is not 64
b.apply(pb)(a.apply(pa)(x))
const n2 = mlp([64, 32, 10])
const pn2 = n2.init(k)
// @ts-expect-error mlp expects 64
flow(a.apply(pa), n2.apply(pn2))
// @ts-expect-error wrong dtype
a.apply(pa)(zeros([3, 784], { dtype: 'float64' }))
const bad: DenseParams<784, 128, 'float32'> = pa
// @ts-expect-error wrong params
c.apply(bad)

import { grad } from '../../src/index.js'

expectTypeOf(grad((q: typeof p) => net.apply(q)(x) as never)(p)).toEqualTypeOf<typeof p>()
