/**
 * The stages optimizers are built from, each a pure `GradientTransformation`, and the two ways to
 * combine them: `chain` (stages in sequence) and `applyUpdates` (parameters + updates).
 *
 * | stage                  | update                                  | state                 |
 * | ---------------------- | --------------------------------------- | --------------------- |
 * | `scaleByLearningRate`  | −η(t)·u                                 | `{ count }`           |
 * | `traceMomentum`        | t = u + β·t; u ← t (Nesterov: u + β·t)  | `{ trace }`           |
 * | `scaleByAdam`          | m̂ / (√v̂ + ε)                            | `{ count, mu, nu }`   |
 * | `addDecayedWeights`    | u + λ·p                                 | `{}`                  |
 * | `clipByGlobalNorm`     | u · min(1, c / ‖u‖)                     | `{}`                  |
 *
 * Step counts are float64 scalar tensors, so every state is a pytree of tensors, and every stage
 * computes with tensor ops only, so an update runs under `jit` (a whole training step compiles, and
 * its parameters and state can be donated). The learning-rate schedules nabla ships are computed
 * from the count tensor there too (`TensorSchedule.ofCount`); the one exception is a schedule of
 * your own, a JavaScript function of the step, which reads the count (`item`) and so runs eagerly
 * only.
 *
 * @module optim/transforms
 */

import { item } from '../../io/index.js'
import {
  type AnyTensor,
  ArgumentError,
  add,
  cast,
  div,
  greater,
  isTensor,
  less,
  mul,
  neg,
  pow,
  reshape,
  scalar,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
  where,
  zeros,
} from '../../tensor/index.js'
import { describe, hasValues } from '../../tensor/internal.js'
import { flatten, type Pytree, treeMap, treeZip } from '../../tree/index.js'
import {
  type GradientTransformation,
  isTensorSchedule,
  type LearningRate,
  learningRate,
  numberInRange,
  type OptState,
  type ParamsSlot,
  positiveNumber,
  type StateTemplateOf,
  type StepCount,
  type UpdateResult,
} from './types.js'

type Fields = { readonly [key: string]: Pytree }

/**
 * The state template of stages that keep nothing (`{}` at run time).
 * @example
 * import { clipByGlobalNorm, type EmptyState, type GradientTransformation } from 'nabla'
 * const clip: GradientTransformation<EmptyState> = clipByGlobalNorm(1)
 */
export type EmptyState = Readonly<Record<string, never>>

/** A stage written over untyped pytrees. */
interface Untyped {
  readonly init: (params: Pytree) => OptState
  readonly update: (updates: Pytree, state: OptState, params?: Pytree) => UpdateResult<Pytree>
}

/** Gives a stage written over untyped pytrees its state template `T` (a type-only step). */
const typed = <T>(stage: Untyped): GradientTransformation<T> => stage as unknown as GradientTransformation<T>

/** The named fields of a stage's state, checked (a state from another optimizer is an error). */
const fieldsOf = (op: string, state: OptState, names: readonly string[]): Fields => {
  const ok =
    typeof state === 'object' &&
    state !== null &&
    !Array.isArray(state) &&
    !isTensor(state) &&
    names.every((n) => Object.hasOwn(state, n))
  if (!ok)
    throw new ArgumentError(
      op,
      `state must be the record { ${names.join(', ')} } made by this optimizer's init, got ${describe(state)}`,
    )
  return state as Fields
}

const countOf = (op: string, fields: Fields): Tensor<[], 'float64'> => {
  const count = fields.count
  if (!isTensor(count) || count.size !== 1)
    throw new ArgumentError(op, `state.count must be a scalar tensor, got ${describe(count)}`)
  return count as Tensor<[], 'float64'>
}

// the next step count, as a float64 scalar
const nextCount = (count: Tensor<[], 'float64'>): Tensor<[], 'float64'> =>
  reshape(cast(add(count, 1), 'float64'), [])

const countTensor = (n: number): Tensor<[], 'float64'> => scalar(n, { dtype: 'float64' })

const zerosLike = <P>(tree: P): P => treeMap(tree, (t) => zeros(t.shape, { dtype: t.dtype }))

/**
 * The stage that does nothing (a placeholder in `chain`).
 * @example
 * import { identityTransform, tensor } from 'nabla'
 * const grads = { w: tensor([0.5, -1]) }
 * identityTransform().update(grads, {}).updates // grads
 */
export const identityTransform = (): GradientTransformation<EmptyState> =>
  typed({
    init: () => ({}),
    update: (updates, state) => ({ updates, state }),
  })

/**
 * Scales updates by −η(step): the last stage of every descent optimizer. A constant η must be a
 * finite number > 0; a schedule's value at each step must be finite and ≥ 0.
 * @example
 * import { scaleByLearningRate, tensor } from 'nabla'
 * const params = { w: tensor([1, 2]) }
 * const grads = { w: tensor([0.5, -1]) }
 * const stage = scaleByLearningRate(0.1)
 * stage.update(grads, stage.init(params)).updates // −0.1 · grads: { w: [-0.05, 0.1] }
 */
export const scaleByLearningRate = (
  rate: LearningRate,
  op = 'scaleByLearningRate',
): GradientTransformation<{ count: StepCount }> => {
  const lr = learningRate(op, rate)
  return typed({
    init: () => ({ count: countTensor(0) }),
    update: (updates, state) => {
      const count = countOf(op, fieldsOf(op, state, ['count']))
      // traced (under jit): a schedule with a tensor form computes the rate in the compiled step,
      // rounded to each update's dtype as the number below is
      if (isTensorSchedule(lr) && !hasValues(count)) {
        const negated = neg(lr.ofCount(count))
        return {
          updates: treeMap(updates, (u) => mul(u, cast(negated, u.dtype))),
          state: { count: nextCount(count) },
        }
      }
      const eta = typeof lr === 'number' ? lr : lr(item(count))
      if (typeof eta !== 'number' || !Number.isFinite(eta) || eta < 0)
        throw new ArgumentError(
          op,
          `the learning-rate schedule gave ${describe(eta)} at step ${item(count)}; it must be a finite number ≥ 0`,
        )
      return {
        updates: treeMap(updates, (u) => mul(u, -eta)),
        state: { count: nextCount(count) },
      }
    },
  })
}

/**
 * Options of `traceMomentum` and `momentum`.
 * @example
 * import { momentum } from 'nabla'
 * momentum(0.01, { beta: 0.95, nesterov: true })
 */
export interface MomentumOptions {
  /** The decay of the trace, in [0, 1) (default 0.9). */
  readonly beta?: number
  /** Nesterov's look-ahead: the update is u + β·t instead of t (default false). */
  readonly nesterov?: boolean
}

/**
 * Heavy-ball momentum: t ← u + β·t, and the update is t (or u + β·t with Nesterov), as PyTorch
 * and optax define it.
 * @example
 * import { traceMomentum } from 'nabla'
 * const stage = traceMomentum({ beta: 0.9, nesterov: true })
 */
export const traceMomentum = (
  options?: MomentumOptions,
  op = 'traceMomentum',
): GradientTransformation<{ trace: ParamsSlot }> => {
  const beta = numberInRange(op, 'beta', options?.beta ?? 0.9, 0, 1)
  const nesterov = options?.nesterov === true
  return typed({
    init: (params) => ({ trace: zerosLike(params) }),
    update: (updates, state) => {
      const previous = fieldsOf(op, state, ['trace']).trace
      const trace = treeZip(updates, previous, (u, t) => add(u, mul(t, beta)), op, ['updates', 'state.trace'])
      return {
        updates: nesterov
          ? treeZip(updates, trace, (u, t) => add(u, mul(t, beta)), op, ['updates', 'trace'])
          : trace,
        state: { trace },
      }
    },
  })
}

/**
 * Options of `scaleByAdam`, `adam` and `adamw`.
 * @example
 * import { adam } from 'nabla'
 * adam(1e-3, { b1: 0.9, b2: 0.98, eps: 1e-9 })
 */
export interface AdamOptions {
  /** Decay of the first moment, in [0, 1) (default 0.9). */
  readonly b1?: number
  /** Decay of the second moment, in [0, 1) (default 0.999). */
  readonly b2?: number
  /** Added to √v̂ (default 1e-8, > 0). */
  readonly eps?: number
}

/**
 * Adam's rescaling (Kingma & Ba): with t the step (from 1), m ← β₁m + (1−β₁)u,
 * v ← β₂v + (1−β₂)u², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), and the update is m̂/(√v̂ + ε).
 * @example
 * import { scaleByAdam } from 'nabla'
 * const stage = scaleByAdam({ b1: 0.9, b2: 0.999 })
 */
export const scaleByAdam = (
  options?: AdamOptions,
  op = 'scaleByAdam',
): GradientTransformation<{ count: StepCount; mu: ParamsSlot; nu: ParamsSlot }> => {
  const b1 = numberInRange(op, 'b1', options?.b1 ?? 0.9, 0, 1)
  const b2 = numberInRange(op, 'b2', options?.b2 ?? 0.999, 0, 1)
  const eps = positiveNumber(op, 'eps', options?.eps ?? 1e-8)
  return typed({
    init: (params) => ({ count: countTensor(0), mu: zerosLike(params), nu: zerosLike(params) }),
    update: (updates, state) => {
      const fields = fieldsOf(op, state, ['count', 'mu', 'nu'])
      const t = nextCount(countOf(op, fields))
      const mu = treeZip(updates, fields.mu, (u, m) => add(mul(m, b1), mul(u, 1 - b1)), op, [
        'updates',
        'state.mu',
      ])
      const nu = treeZip(updates, fields.nu, (u, v) => add(mul(v, b2), mul(square(u), 1 - b2)), op, [
        'updates',
        'state.nu',
      ])
      // the bias corrections 1 − βᵗ in float64, rounded to each leaf's dtype
      const c1 = sub(1, pow(b1, t))
      const c2 = sub(1, pow(b2, t))
      const out = treeZip(
        mu,
        nu,
        (m, v) => div(div(m, cast(c1, m.dtype)), add(sqrt(div(v, cast(c2, v.dtype))), eps)),
        op,
      )
      return { updates: out, state: { count: t, mu, nu } }
    },
  })
}

/**
 * Options of `addDecayedWeights`.
 * @example
 * import { addDecayedWeights } from 'nabla'
 * addDecayedWeights(1e-4, { mask: (path) => path.endsWith('.w') })
 */
export interface DecayOptions {
  /** Which parameters decay, by leaf path and tensor (default: all). */
  readonly mask?: (path: string, leaf: AnyTensor) => boolean
}

/**
 * Adds λ·params to the updates (decoupled weight decay, as AdamW). Needs `params` in `update`.
 * @example
 * import { addDecayedWeights, isBiasPath } from 'nabla'
 * const stage = addDecayedWeights(1e-4, { mask: (path) => !isBiasPath(path) })
 */
export const addDecayedWeights = (
  weightDecay: number,
  options?: DecayOptions,
  op = 'addDecayedWeights',
): GradientTransformation<EmptyState> => {
  if (typeof weightDecay !== 'number' || !Number.isFinite(weightDecay) || weightDecay < 0)
    throw new ArgumentError(op, `weightDecay must be a finite number ≥ 0, got ${describe(weightDecay)}`)
  const mask = options?.mask ?? (() => true)
  return typed({
    init: () => ({}),
    update: (updates, state, params) => {
      if (params === undefined)
        throw new ArgumentError(
          op,
          'update needs the current params to decay them: update(grads, state, params)',
        )
      return {
        updates: treeZip(
          updates,
          params,
          (u, p, path) => (mask(path, p) ? add(u, mul(p, weightDecay)) : u),
          op,
          ['updates', 'params'],
        ),
        state,
      }
    },
  })
}

/**
 * The global L2 norm of a pytree, √(Σ over all leaves of Σ x²), in float64.
 * @example
 * import { globalNorm, tensor } from 'nabla'
 * globalNorm({ a: tensor([3]), b: tensor([4]) }) // 5
 */
export const globalNorm = (tree: Pytree): number => {
  const [leaves] = flatten(tree, 'globalNorm')
  return Math.sqrt(leaves.reduce((total, t) => total + item(sum(square(t))), 0))
}

/**
 * Rescales the updates so their global norm is at most `maxNorm` (> 0): u · min(1, c / ‖u‖).
 * A non-finite norm leaves the updates as they are (the training loop reports it).
 * @example
 * import { adam, chain, clipByGlobalNorm } from 'nabla'
 * const optimizer = chain(clipByGlobalNorm(1), adam(1e-3))
 */
export const clipByGlobalNorm = (maxNorm: number): GradientTransformation<EmptyState> => {
  const op = 'clipByGlobalNorm'
  const c = positiveNumber(op, 'maxNorm', maxNorm)
  return typed({
    init: () => ({}),
    update: (updates, state) => {
      const [leaves] = flatten(updates, op)
      const norm = sqrt(
        leaves.reduce<AnyTensor>(
          (total, t) => add(total, cast(sum(square(t)), 'float64')),
          scalar(0, { dtype: 'float64' }),
        ),
      )
      if (hasValues(norm)) {
        const n = item(norm)
        if (!(Number.isFinite(n) && n > c)) return { updates, state }
        return { updates: treeMap(updates, (u) => mul(u, c / n)), state }
      }
      // traced (jit, vmap): the same choice as tensor ops, scale = c / ‖u‖ where finite and above c, else 1
      const clip = mul(greater(norm, c), less(norm, Number.POSITIVE_INFINITY))
      const scale = where(clip, div(c, norm), 1)
      return { updates: treeMap(updates, (u) => mul(u, cast(scale, u.dtype))), state }
    },
  })
}

/**
 * Stages in sequence: the state is the array of the stages' states.
 * @example
 * import { chain, clipByGlobalNorm, scaleByAdam, scaleByLearningRate } from 'nabla'
 * const optimizer = chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3))
 */
export const chain = <const G extends readonly GradientTransformation<any>[]>(
  ...stages: G
): GradientTransformation<{ -readonly [I in keyof G]: StateTemplateOf<G[I]> }> => {
  stages.forEach((s, i) => {
    if (typeof s?.init !== 'function' || typeof s?.update !== 'function')
      throw new ArgumentError(
        'chain',
        `stages[${i}] is not a { init, update } transformation: ${describe(s)}`,
      )
  })
  return typed({
    init: (params) => stages.map((s) => s.init(params)),
    update: (updates, state, params) => {
      if (!Array.isArray(state) || state.length !== stages.length)
        throw new ArgumentError(
          'chain',
          `state must be the array of ${stages.length} stage states made by init, got ${describe(state)}`,
        )
      let u = updates
      const next = stages.map((s, i) => {
        const r = s.update(u, state[i] as OptState, params)
        u = r.updates
        return r.state
      })
      return { updates: u, state: next }
    },
  })
}

/**
 * params + updates, leaf by leaf (a different structure or shape is an error naming the path).
 * @example
 * import { applyUpdates, sgd, tensor } from 'nabla'
 * const params = { w: tensor([1, 2]) }
 * const grads = { w: tensor([0.5, -1]) }
 * const optimizer = sgd(0.1)
 * const { updates, state } = optimizer.update(grads, optimizer.init(params))
 * const next = applyUpdates(params, updates) // { w: [0.95, 2.1] }
 */
export const applyUpdates = <P extends Pytree>(params: P, updates: P): P =>
  treeZip(params, updates, (p, u) => add(p, u), 'applyUpdates', ['params', 'updates'])
