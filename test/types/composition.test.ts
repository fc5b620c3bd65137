/**
 * Type-level tests of issue 11 point 5 beyond `sequential`: optimizers typed by the parameters
 * (wrong gradients or another optimizer's state do not compile), `grad`/`valueAndGrad` reject a
 * loss whose shape is known not to be a scalar, Jacobians carry their shapes, and the testing
 * arbitraries give typed tensors and parameter records. Every wrong call is also run: it throws at
 * run time (the run-time checks stay for shapes known only then).
 */
import fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  ArgumentError,
  adam,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  grad,
  gradWithAux,
  hessian,
  jacfwd,
  jacrev,
  key,
  type MlpParams,
  mlp,
  momentum,
  mul,
  type OptimizerState,
  type ParamsSlot,
  ShapeError,
  type StepCount,
  sgd,
  sin,
  sum,
  type Tensor,
  tensor,
  toFlat,
  trainStep,
  valueAndGrad,
  zeros,
} from '../../src/index.js'
import { arbParams, arbTensor } from '../../src/testing/index.js'

type Params = { readonly w: Tensor<[2, 3]>; readonly b: Tensor<[3]> }
const params: Params = { w: zeros([2, 3]), b: zeros([3]) }
const loss = (p: Params) => sum(mul(p.b, p.b))

describe('optimizers typed by the parameters', () => {
  it('init gives a state of the optimizer’s own structure, with the parameters’ type in it', () => {
    const optimizer = adam(1e-3)
    const state = optimizer.init(params)
    expectTypeOf(state[0].mu).toEqualTypeOf<Params>()
    expectTypeOf(state[0].count).toEqualTypeOf<StepCount>()
    expectTypeOf(state[1].count).toEqualTypeOf<StepCount>()
    expectTypeOf(state).toEqualTypeOf<OptimizerState<typeof optimizer, Params>>()
    expectTypeOf(momentum(0.1).init(params)[0].trace).toEqualTypeOf<Params>()
    // chain computes its state: one entry per stage
    const clipped = chain(clipByGlobalNorm(1), sgd(0.1))
    expectTypeOf(clipped.init(params)[1][0].count).toEqualTypeOf<StepCount>()
    expectTypeOf(state[0]).toEqualTypeOf<{
      readonly count: StepCount
      readonly mu: Params
      readonly nu: Params
    }>()
    expectTypeOf<OptimizerState<[{ trace: ParamsSlot }], Params>[0]>().toEqualTypeOf<{
      readonly trace: Params
    }>()
  })

  it('update returns updates of the parameters’ type and the next state of the same type', () => {
    const optimizer = adam(1e-3)
    const state = optimizer.init(params)
    const { updates, state: next } = optimizer.update(grad(loss)(params), state)
    expectTypeOf(updates).toEqualTypeOf<Params>()
    expectTypeOf(next).toEqualTypeOf<typeof state>()
    expectTypeOf(applyUpdates(params, updates)).toEqualTypeOf<Params>()
  })

  it('gradients of other parameters do not compile, and throw', () => {
    const optimizer = adam(1e-3)
    const state = optimizer.init(params)
    const wrong = { w: zeros([3, 2]), b: zeros([3]) }
    // @ts-expect-error gradients of another shape (w is [3, 2], the params' w is [2, 3])
    expect(() => optimizer.update(wrong, state)).toThrow(ShapeError)
    // @ts-expect-error gradients of another structure (no b)
    expect(() => optimizer.update({ w: zeros([2, 3]) }, state)).toThrow(ShapeError)
  })

  it('another optimizer’s state does not compile, and throws', () => {
    const sgdState = sgd(0.1).init(params)
    // @ts-expect-error sgd's state ([{ count }]) is not adam's ([{ count, mu, nu }, { count }])
    expect(() => adam(0.1).update(grad(loss)(params), sgdState)).toThrow(ArgumentError)
    const momentumState = momentum(0.1).init(params)
    // @ts-expect-error momentum's state ([{ trace }, { count }]) is not sgd's
    expect(() => sgd(0.1).update(grad(loss)(params), momentumState)).toThrow(ArgumentError)
  })

  it('a state made for other parameters does not compile, and throws', () => {
    const other = { w: zeros([4]) }
    const state = adam(0.1).init(other)
    // @ts-expect-error adam's moments were made for { w: [4] }, the gradients are Params
    expect(() => adam(0.1).update(grad(loss)(params), state)).toThrow(ShapeError)
  })

  it('trainStep keeps the state’s type from step to step', () => {
    const net = mlp([2, 4, 1])
    const p0 = net.init(key(0))
    const optimizer = adam(1e-2)
    const batch = { x: tensor([[0, 1]]), y: tensor([[1]]) }
    const step = trainStep(
      (p: MlpParams<readonly [2, 4, 1]>, b: typeof batch) => sum(net.apply(p, b.x)),
      optimizer,
    )
    let state = optimizer.init(p0)
    const r = step(p0, state, batch)
    state = r.state
    expectTypeOf(r.state).toEqualTypeOf<OptimizerState<typeof optimizer, MlpParams<readonly [2, 4, 1]>>>()
    expect(state).toHaveLength(2)
  })
})

describe('grad rejects a loss known not to be a scalar', () => {
  it('a literal non-scalar shape does not compile, and throws', () => {
    const w = tensor([1, 2])
    // @ts-expect-error grad: f must return a scalar tensor (one element), but it returns shape [2]
    expect(() => grad((q: { w: Tensor<[2]> }) => mul(q.w, 2))({ w })).toThrow(ArgumentError)
    // @ts-expect-error valueAndGrad: … but it returns shape [2,3]
    expect(() => valueAndGrad((x: Tensor<[2, 3]>) => mul(x, 2))(zeros([2, 3]))).toThrow(ArgumentError)
    // @ts-expect-error gradWithAux: … the loss (first element) has shape [2]
    expect(() => gradWithAux((x: Tensor<[2]>) => [x, 0] as const)(w)).toThrow(ArgumentError)
  })

  it('scalars, shape [1] and shapes known only at run time compile', () => {
    expectTypeOf(grad((x: Tensor<[2]>) => sum(x))(tensor([1, 2]))).toEqualTypeOf<Tensor<[2]>>()
    expectTypeOf(grad((x: Tensor<[1]>) => sin(x))(tensor([1]))).toEqualTypeOf<Tensor<[1]>>()
    const runtime = (x: Tensor<[number]>) => mul(x, 2)
    // a [number] output may hold one element: the run-time check decides (here it does)
    expect(() => grad(runtime)(tensor([1, 2]))).toThrow(/f must return a scalar/)
    expect(grad(runtime)(tensor([3])).shape).toEqual([1])
  })

  it('a generic scalar loss compiles', () => {
    const meanOf = <B extends number>(x: Tensor<[B, 3]>) => grad((y: Tensor<[B, 3]>) => sum(y))(x)
    expectTypeOf(meanOf(zeros([4, 3]))).toEqualTypeOf<Tensor<[4, 3]>>()
  })
})

describe('Jacobians carry their shapes', () => {
  it('jacrev, jacfwd and hessian are [...out, ...in] in the type and at run time', () => {
    const f = (x: Tensor<[3]>) => mul(sum(x), tensor([1, 2]))
    const J = jacrev(f)(tensor([1, 2, 3]))
    expectTypeOf(J).toEqualTypeOf<Tensor<[2, 3]>>()
    expect(J.shape).toEqual([2, 3])
    expectTypeOf(jacfwd(f)(tensor([1, 2, 3]))).toEqualTypeOf<Tensor<[2, 3]>>()
    const H = hessian((x: Tensor<[2], 'float64'>) => sum(mul(x, x)))(tensor([1, 2], { dtype: 'float64' }))
    expectTypeOf(H).toEqualTypeOf<Tensor<[2, 2], 'float64'>>()
    expect(H.shape).toEqual([2, 2])
  })
})

describe('typed arbitraries', () => {
  it('arbTensor gives tensors of its shape and dtype in the type', () => {
    expectTypeOf(arbTensor([4, 16])).toEqualTypeOf<fc.Arbitrary<Tensor<[4, 16]>>>()
    expectTypeOf(arbTensor([2], { dtype: 'float64' })).toEqualTypeOf<fc.Arbitrary<Tensor<[2], 'float64'>>>()
    fc.assert(
      fc.property(arbTensor([4, 16]), (t) => t.shape[0] === 4 && t.shape[1] === 16 && t.dtype === 'float32'),
      { seed: 1, numRuns: 10 },
    )
  })

  it('arbParams gives random parameters of a model’s own type: a property test with no casts', () => {
    const net = mlp([3, 5, 2])
    const template = net.init(key(0))
    expectTypeOf(arbParams(template)).toEqualTypeOf<fc.Arbitrary<typeof template>>()
    fc.assert(
      fc.property(arbParams(template), arbTensor([7, 3]), (p, x) => {
        // the leaves have the template's shapes and dtypes, and the model runs on them
        expect(p[0].w.shape).toEqual([3, 5])
        expect(p[1].b.shape).toEqual([2])
        expect(net.apply(p, x).shape).toEqual([7, 2])
      }),
      { seed: 2, numRuns: 10 },
    )
    // values in the requested range, not the template's
    fc.assert(
      fc.property(arbParams(template, { min: 2, max: 3 }), (p) =>
        toFlat(p[0].w).every((v) => v >= 2 && v <= 3),
      ),
      { seed: 3, numRuns: 5 },
    )
  })
})
