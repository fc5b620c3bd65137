/**
 * Optimizers against steps computed by hand in this file (plain float64 arithmetic written from the
 * papers, independent of nabla's ops): sgd, momentum, Nesterov, Adam, AdamW, chain with gradient
 * clipping; purity (inputs unchanged, same inputs ⇒ same outputs); state as a pytree of tensors;
 * learning-rate errors; and whole training steps under `jit` (parameters and state donated) equal to
 * the eager steps, bit for bit.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  add,
  cast,
  flatten,
  fromArrayOrThrow,
  grad,
  jit,
  mul,
  sum,
  toFlat,
} from '../../../src/index.js'
import { isBiasPath } from '../../../src/models/losses.js'
import {
  adam,
  adamw,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  constantSchedule,
  exponentialDecay,
  type GradientTransformation,
  momentum,
  type OptState,
  sgd,
  stepDecay,
  warmupCosineDecay,
} from '../../../src/models/optim/index.js'

const v64 = (xs: readonly number[]): AnyTensor => fromArrayOrThrow(xs, [xs.length], { dtype: 'float64' })
type P = { readonly w: AnyTensor; readonly b: AnyTensor }
const close = (actual: readonly number[], expected: readonly number[], tol = 1e-12) => {
  expect(actual.length).toBe(expected.length)
  actual.forEach((v, i) => {
    expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!)))
  })
}

/** f(p) = Σ x⁴/4 + Σ x over both leaves: its gradient is x³ + 1 elementwise. */
const f = (p: P): AnyTensor => {
  const term = (t: AnyTensor): AnyTensor => add(sum(mul(mul(mul(mul(t, t), t), t), 0.25)), sum(t))
  return add(term(p.w), term(p.b))
}
const gradByHand = (xs: readonly number[]) => xs.map((x) => x ** 3 + 1)

/** Runs `steps` optimizer steps from (w, b) with nabla; returns the flat parameters [...w, ...b]. */
const run = (
  optimizer: GradientTransformation,
  w: readonly number[],
  b: readonly number[],
  steps: number,
) => {
  let p: P = { w: v64(w), b: v64(b) }
  let state: OptState = optimizer.init(p)
  for (let i = 0; i < steps; i++) {
    const g = grad(f)(p)
    const r = optimizer.update<P>(g, state, p)
    p = applyUpdates(p, r.updates)
    state = r.state
  }
  return [...toFlat(p.b), ...toFlat(p.w)] // flatten order: b then w (sorted keys)
}

const start = fc.tuple(
  fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 4 }),
  fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 3 }),
)
const options = { seed: 5, numRuns: 25 }

describe('optimizers against hand-computed steps', () => {
  it('sgd: x ← x − η·g', () => {
    fc.assert(
      fc.property(start, ([w, b]) => {
        let x = [...b, ...w]
        for (let s = 0; s < 3; s++) x = x.map((v, i) => v - 0.1 * gradByHand(x)[i]!)
        close(run(sgd(0.1), w, b, 3), x)
      }),
      options,
    )
  })

  it('momentum: t ← g + β·t; x ← x − η·t (and Nesterov x ← x − η·(g + β·t))', () => {
    fc.assert(
      fc.property(start, fc.boolean(), ([w, b], nesterov) => {
        let x = [...b, ...w]
        let t = x.map(() => 0)
        for (let s = 0; s < 4; s++) {
          const g = gradByHand(x)
          t = t.map((ti, i) => g[i]! + 0.9 * ti)
          const step = nesterov ? g.map((gi, i) => gi + 0.9 * t[i]!) : t
          x = x.map((v, i) => v - 0.05 * step[i]!)
        }
        close(run(momentum(0.05, { beta: 0.9, nesterov }), w, b, 4), x)
      }),
      options,
    )
  })

  it('adam: Kingma & Ba with bias correction', () => {
    fc.assert(
      fc.property(start, ([w, b]) => {
        const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.01]
        let x = [...b, ...w]
        let m = x.map(() => 0)
        let v = x.map(() => 0)
        for (let t = 1; t <= 5; t++) {
          const g = gradByHand(x)
          m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!)
          v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! ** 2)
          x = x.map((xi, i) => {
            const mHat = m[i]! / (1 - b1 ** t)
            const vHat = v[i]! / (1 - b2 ** t)
            return xi - (lr * mHat) / (Math.sqrt(vHat) + eps)
          })
        }
        close(run(adam(lr), w, b, 5), x, 1e-11)
      }),
      options,
    )
  })

  it("adam's first step moves each coordinate by η·g/(|g| + ε), about η", () => {
    const out = run(adam(0.01), [0.5], [-0.5], 1)
    const g = gradByHand([-0.5, 0.5])
    close(out, [
      -0.5 - (0.01 * g[0]!) / (Math.abs(g[0]!) + 1e-8),
      0.5 - (0.01 * g[1]!) / (Math.abs(g[1]!) + 1e-8),
    ])
  })

  it('adamw: x ← x − η·(m̂/(√v̂ + ε) + λ·x), sparing masked leaves', () => {
    const [b1, b2, eps, lr, wd] = [0.9, 0.99, 1e-6, 0.02, 0.1]
    const w0 = [0.3, -1.2]
    const b0 = [0.7]
    let x = [...b0, ...w0] // b first
    let m = x.map(() => 0)
    let v = x.map(() => 0)
    for (let t = 1; t <= 3; t++) {
      const g = gradByHand(x)
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!)
      v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! ** 2)
      x = x.map((xi, i) => {
        const adaptive = m[i]! / (1 - b1 ** t) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps)
        const decay = i === 0 ? 0 : wd * xi // i = 0 is the bias: masked out
        return xi - lr * (adaptive + decay)
      })
    }
    const optimizer = adamw(lr, { b1, b2, eps, weightDecay: wd, mask: (path) => !isBiasPath(path) })
    close(run(optimizer, w0, b0, 3), x, 1e-11)
  })
})

describe('purity and state', () => {
  it('update changes none of its inputs and gives the same result for the same inputs', () => {
    const p: P = { w: v64([0.1, 0.2]), b: v64([0.3]) }
    const optimizer = adam(0.1)
    const state = optimizer.init(p)
    const g = grad(f)(p)
    const before = [toFlat(p.w), toFlat(g.w), flatten(state)[0].map(toFlat)]
    const r1 = optimizer.update(g, state, p)
    const r2 = optimizer.update(g, state, p)
    expect([toFlat(p.w), toFlat(g.w), flatten(state)[0].map(toFlat)]).toEqual(before)
    expect(toFlat(r1.updates.w)).toEqual(toFlat(r2.updates.w))
    expect(flatten(r1.state)[0].map(toFlat)).toEqual(flatten(r2.state)[0].map(toFlat))
  })

  it('every state is a pytree of tensors (so it can be saved), with a float64 step count', () => {
    const p: P = { w: v64([0.1, 0.2]), b: v64([0.3]) }
    const optimizers: readonly GradientTransformation[] = [
      sgd(0.1),
      momentum(0.1),
      adam(0.1),
      adamw(0.1),
      chain(clipByGlobalNorm(1), adam(1)),
    ]
    for (const optimizer of optimizers) {
      const state = optimizer.update(grad(f)(p), optimizer.init(p), p).state
      expect(() => flatten(state)).not.toThrow()
    }
    const optimizer = adam(0.1)
    const [adamState] = optimizer.update(grad(f)(p), optimizer.init(p), p).state as readonly OptState[]
    const count = (adamState as { readonly count: AnyTensor }).count
    expect(count.dtype).toBe('float64')
    expect(toFlat(count)).toEqual([1])
  })

  it('rejects a state from another optimizer and adamw without params', () => {
    const p: P = { w: v64([0.1]), b: v64([0.3]) }
    // @ts-expect-error sgd's state is not adam's
    expect(() => adam(0.1).update(p, sgd(0.1).init(p), p)).toThrow(ArgumentError)
    // @ts-expect-error adam's state has a count and two moments
    expect(() => adam(0.1).update(p, [{}, {}], p)).toThrow(/state must be/)
    expect(() => adamw(0.1).update(p, adamw(0.1).init(p))).toThrow(/params/)
  })
})

describe('learning-rate errors', () => {
  it('NaN, ±Infinity, zero and negative rates are ArgumentErrors naming the optimizer', () => {
    for (const make of [sgd, momentum, adam, adamw] as const)
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -1e-3]) {
        expect(() => make(bad)).toThrow(ArgumentError)
        expect(() => make(bad)).toThrow(new RegExp(`^${make.name}: learningRate`))
      }
    expect(() => sgd('0.1' as never)).toThrow(ArgumentError)
  })
  it('bad hyperparameters are ArgumentErrors', () => {
    expect(() => momentum(0.1, { beta: 1 })).toThrow(/beta/)
    expect(() => adam(0.1, { b1: -0.1 })).toThrow(/b1/)
    expect(() => adam(0.1, { eps: 0 })).toThrow(/eps/)
    expect(() => adamw(0.1, { weightDecay: -1 })).toThrow(/weightDecay/)
    expect(() => clipByGlobalNorm(0)).toThrow(/maxNorm/)
    expect(() => chain({} as never)).toThrow(ArgumentError)
  })
  it('a schedule that yields NaN fails at that step, naming it', () => {
    const p: P = { w: v64([0.1]), b: v64([0.3]) }
    const optimizer = sgd((step) => (step < 2 ? 0.1 : Number.NaN))
    let state = optimizer.init(p)
    state = optimizer.update(p, state).state
    state = optimizer.update(p, state).state
    expect(() => optimizer.update(p, state)).toThrow(/gave NaN at step 2/)
  })
})

describe('chain with gradient clipping', () => {
  it('chain(clipByGlobalNorm(c), sgd(η)): gradients above norm c are rescaled to norm c', () => {
    // at w = [0.5], b = [1]: g = x³ + 1 = [2, 1.125] (b first), global norm √(2² + 1.125²)
    const g = gradByHand([1, 0.5])
    const norm = Math.hypot(...g)
    close(run(chain(clipByGlobalNorm(1), sgd(0.1)), [0.5], [1], 1), [
      1 - (0.1 * g[0]!) / norm,
      0.5 - (0.1 * g[1]!) / norm,
    ])
    // below the threshold nothing changes
    close(run(chain(clipByGlobalNorm(100), sgd(0.1)), [0.5], [1], 1), [1 - 0.1 * g[0]!, 0.5 - 0.1 * g[1]!])
  })
})

describe('a whole training step under jit', () => {
  const optimizers: readonly (readonly [string, () => GradientTransformation])[] = [
    ['sgd', () => sgd(0.1)],
    ['momentum', () => momentum(0.1, { beta: 0.8 })],
    ['Nesterov', () => momentum(0.1, { beta: 0.8, nesterov: true })],
    ['adam', () => adam(0.05)],
    ['adamw', () => adamw(0.05, { weightDecay: 0.1, mask: (path) => !isBiasPath(path) })],
    ['chain(clip, adam)', () => chain(clipByGlobalNorm(0.5), adam(0.05))],
    // the shipped schedules are computed from the count tensor inside the compiled step
    ['adam(warmupCosineDecay)', () => adam(warmupCosineDecay({ peak: 0.05, warmupSteps: 2, decaySteps: 3 }))],
    ['sgd(stepDecay)', () => sgd(stepDecay({ init: 0.1, every: 2, factor: 0.5 }))],
    ['momentum(exponentialDecay)', () => momentum(exponentialDecay({ init: 0.1, rate: 0.7 }), { beta: 0.8 })],
    ['sgd(constantSchedule)', () => sgd(constantSchedule(0.1))],
  ]
  for (const [name, make] of optimizers)
    it(`${name}: jit(step) with parameters and state donated equals the eager step bit for bit (both dtypes)`, () => {
      fc.assert(
        fc.property(start, fc.constantFrom('float32' as const, 'float64' as const), ([w, b], dtype) => {
          const optimizer = make()
          const step = (p: P, state: OptState): [P, OptState] => {
            const r = optimizer.update<P>(grad(f)(p), state, p)
            return [applyUpdates(p, r.updates), r.state]
          }
          const compiled = jit(step, { donate: [0, 1] })
          const start = (): P => ({ w: cast(v64(w), dtype), b: cast(v64(b), dtype) })
          let eager: [P, OptState] = [start(), optimizer.init(start())]
          let jitted: [P, OptState] = [start(), optimizer.init(start())]
          for (let i = 0; i < 4; i++) {
            eager = step(...eager)
            jitted = compiled(...jitted)
            const values = (x: unknown) => flatten(x)[0].flatMap((t) => toFlat(t))
            expect(values(jitted)).toEqual(values(eager))
          }
          expect(compiled.traceCount()).toBe(1)
        }),
        { seed: 6, numRuns: 10 },
      )
    })

  it('a learning-rate schedule of your own (a plain function) reads the step count, so it runs eagerly only: under jit it is an ArgumentError', () => {
    const optimizer = sgd((step) => 0.1 / (1 + step))
    const p: P = { w: v64([1]), b: v64([2]) }
    const state = optimizer.init(p)
    const step = jit((q: P, s: typeof state) => optimizer.update<P>(grad(f)(q), s, q))
    expect(() => step(p, state)).toThrow(ArgumentError)
    expect(() => step(p, state)).toThrow(/item: cannot read the values of a tensor inside jit/)
  })
})
