/**
 * Type-level tests of `vmap`, checked by `tsc --noEmit` (npm test): a function of one example
 * `Tensor<S> → Tensor<R>` becomes `Tensor<[B, ...S]> → Tensor<[B, ...R]>` with B inferred from the
 * batch; `inAxes`/`outAxes` move the batch axis in the types; shared (`null`) arguments keep their
 * type; pytrees map leaf by leaf; a batch of the wrong example shape does not compile.
 */
import { expectTypeOf } from 'vitest'
import {
  type Batched,
  grad,
  type InsertAxis,
  matmul,
  mul,
  sub,
  sum,
  type Tensor,
  vmap,
  zeros,
} from '../../src/index.js'

const f = (x: Tensor<[3], 'float64'>) => mul(x, x)
const xs = zeros([5, 3], { dtype: 'float64' })

// one example [3] → [3]; a batch [5, 3] → [5, 3], B inferred as 5
expectTypeOf(vmap(f)(xs)).toEqualTypeOf<Tensor<[5, 3], 'float64'>>()
// the batched function is generic in B
const batched = vmap(f)
expectTypeOf(batched(zeros([7, 3], { dtype: 'float64' }))).toEqualTypeOf<Tensor<[7, 3], 'float64'>>()
// @ts-expect-error examples of shape [4] are not examples of shape [3]
batched(zeros([5, 4], { dtype: 'float64' }))
// @ts-expect-error a batch needs its batch axis: [3] alone is one example
batched(zeros([3], { dtype: 'float64' }))

// a reduction: [3] → [] per example, so [B, 3] → [B]
expectTypeOf(vmap((x: Tensor<[3], 'float64'>) => sum(x))(xs)).toEqualTypeOf<Tensor<[5], 'float64'>>()

// inAxes: a shared argument keeps its type, a batch along axis 1 inserts B there
const w = zeros([3, 2], { dtype: 'float64' })
const project = vmap((x: Tensor<[1, 3], 'float64'>, m: Tensor<[3, 2], 'float64'>) => matmul(x, m), {
  inAxes: [1, null],
})
expectTypeOf(project).parameters.toEqualTypeOf<
  [Tensor<[1, number, 3], 'float64'>, Tensor<[3, 2], 'float64'>]
>()
// @ts-expect-error with inAxes [1, null] the batch goes second: [5, 1, 3] is not [1, B, 3]
project(zeros([5, 1, 3], { dtype: 'float64' }), w)
expectTypeOf(project(zeros([1, 5, 3], { dtype: 'float64' }), w)).toEqualTypeOf<Tensor<[5, 1, 2], 'float64'>>()

// outAxes: the batch axis of the result
expectTypeOf(vmap(f, { outAxes: 1 })(xs)).toEqualTypeOf<Tensor<[3, 5], 'float64'>>()

// pytrees in and out, leaf by leaf
type Example = { readonly x: Tensor<[3], 'float64'>; readonly y: Tensor<[], 'float64'> }
const residual = vmap((e: Example) => ({ r: sub(sum(e.x), e.y) }))
expectTypeOf(residual({ x: xs, y: zeros([5], { dtype: 'float64' }) })).toEqualTypeOf<{
  r: Tensor<[5], 'float64'>
}>()

// per-example gradients: the gradient's type with the batch in front
type Params = { readonly w: Tensor<[3], 'float64'> }
const params: Params = { w: zeros([3], { dtype: 'float64' }) }
const perExample = vmap((x: Tensor<[3], 'float64'>) => grad((p: Params) => sum(mul(p.w, x)))(params))(xs)
expectTypeOf(perExample).toEqualTypeOf<{ w: Tensor<[5, 3], 'float64'> }>()

// the helper types
expectTypeOf<InsertAxis<[2, 3], 1, 9>>().toEqualTypeOf<[2, 9, 3]>()
expectTypeOf<InsertAxis<[2, 3], 0, 9>>().toEqualTypeOf<[9, 2, 3]>()
expectTypeOf<Batched<Tensor<[2], 'float32'>, 4, null>>().toEqualTypeOf<Tensor<[2], 'float32'>>()
