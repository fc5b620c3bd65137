/**
 * The step `fit` compiles: loss, gradient, optimizer update and the finiteness checks as one jitted
 * plan, with the parameters and optimizer state donated, so `params = step(params, state, batch)`
 * updates them in place (no copy in or out, no allocation for them).
 *
 * The plan checks what `fit` promises to check — the loss and every new parameter leaf finite — and
 * keeps a failed step from changing anything: it returns `where(ok, new, old)` for every leaf of
 * the parameters and the state, so after a failed step they are the ones given, bit for bit (the
 * given tensors themselves were donated; these are their values in the plan's memory). JavaScript
 * then reads one number (which check failed first, if any) instead of scanning every parameter.
 *
 * Donated tensors are consumed (reading one is an `ArgumentError`), so `fit` gives this step only
 * trees of its own: `ownCopy` of the user's starting point, then what the step returned. Anything
 * `fit` hands out (callback checkpoints, `evaluate`'s argument, the result) is an `ownCopy` too, or a
 * tree no later step is given.
 *
 * @module train/compiledStep
 */

import { valueAndGrad } from '../../grad/index.js'
import { item } from '../../io/index.js'
import { jit } from '../../jit/index.js'
import { type AnyTensor, ArgumentError, equal, mul, scalar, sum, where } from '../../tensor/index.js'
import { makeTensor, shapesEqual, storage } from '../../tensor/internal.js'
import { flatten, type Pytree, sameStructure, treeMap, treeZip } from '../../tree/internal.js'
import { applyUpdates } from '../optim/transforms.js'
import type { GradientTransformation, OptState } from '../optim/types.js'
import type { LossFn, StepResult } from './step.js'

/**
 * What one checked step gives `fit`: the new parameters, state and loss, and which check failed.
 * @example
 * import type { CheckedStep } from './compiledStep.js'
 * const kept: CheckedStep<{}> = { params: {}, state: {}, loss: 0.5, failed: undefined }
 */
export interface CheckedStep<P> extends StepResult<P> {
  /**
   * `undefined` when the step is kept; `'loss'` when the loss is not finite; else the index (in
   * `flatten` order) of the first parameter leaf the update made non-finite. When set, `params` and
   * `state` hold the values given to the step, bit for bit.
   */
  readonly failed: undefined | 'loss' | number
}

/**
 * A copy of every tensor leaf of `tree` (same shapes, dtypes and bits) that no one else holds, so
 * `fit` may donate it, or hand it out while donating the original.
 * @example
 * import { tensor, toFlat } from 'nabla'
 * import { ownCopy } from './compiledStep.js'
 * const params = { w: tensor([1, -0]) }
 * toFlat(ownCopy(params).w) // [1, -0]: another tensor with the same bits
 */
export const ownCopy = <T>(tree: T): T =>
  treeMap(tree, (t) => makeTensor(t.shape, t.dtype, storage(t).slice()))

/** 1 when every element of `x` is finite, else 0 (x·0 is ±0 for finite x, NaN for ±∞ and NaN). */
const allFinite = (x: AnyTensor): AnyTensor => equal(sum(mul(x, 0)), 0)

/** Thrown inside the trace when the optimizer's next state is not shaped as the state it was given. */
class StateChangesShape extends Error {}

/** Whether two trees have the same structure and leaves of the same shapes and dtypes. */
const sameLayout = (a: Pytree, b: Pytree): boolean => {
  const [[la, da], [lb, db]] = [flatten(a), flatten(b)]
  return (
    sameStructure(da, db) &&
    la.every((x, i) => x.dtype === lb[i]!.dtype && shapesEqual(x.shape, lb[i]!.shape))
  )
}

/**
 * Compiles `fit`'s whole step with the finiteness checks inside, donating the parameters and the
 * optimizer state (arguments 0 and 1: the caller must not read them afterwards, see the module
 * header). Returns `undefined`, with nothing consumed, when the step cannot be compiled: its trace
 * read a tensor's values in JavaScript (a loss calling `item`, a learning-rate schedule of one's own
 * reading the step count), or the optimizer's next state differs in structure, shapes or dtypes from
 * the state given; `fit` then runs the step eagerly.
 * @example
 * import { adam, key, mlp, mse, tensor } from 'nabla'
 * import { compiledStep, ownCopy } from './compiledStep.js'
 * const net = mlp([2, 8, 1])
 * const optimizer = adam(1e-2)
 * const loss = (p: ReturnType<typeof net.init>, b: { x: typeof x; y: typeof y }) => mse(net.apply(p, b.x), b.y)
 * const x = tensor([[0, 1], [1, 0]])
 * const y = tensor([[1], [1]])
 * const step = compiledStep(loss, optimizer)
 * const params = net.init(key(0))
 * const result = step(ownCopy(params), optimizer.init(params), { x, y }) // params itself stays readable
 * if (result !== undefined && result.failed === undefined) console.log(result.loss)
 */
export const compiledStep = <P extends Pytree, B>(
  loss: LossFn<P, B>,
  optimizer: GradientTransformation,
): ((params: P, state: OptState, batch: B) => CheckedStep<P> | undefined) => {
  const step = jit(
    (p: P, s: OptState, b: B) => {
      const [value, grads] = valueAndGrad((q: P) => loss(q, b))(p)
      const { updates, state: next } = optimizer.update<P>(grads, s, p)
      if (!sameLayout(next, s)) throw new StateChangesShape()
      const updated = applyUpdates(p, updates)
      // the checks: the loss, then each parameter leaf; the index of the first that fails, or their
      // number when all pass (scalar ops, which the plan runs as one small fused unit)
      const checks = [value, ...flatten(updated)[0]].map(allFinite)
      const firstFailed = checks.reduceRight<AnyTensor>(
        (later, passed, i) => where(passed, later, i),
        scalar(checks.length),
      )
      const ok = equal(firstFailed, checks.length)
      const keep = <T>(fresh: T, old: T): T => treeZip(fresh, old, (f, o) => where(ok, f, o))
      return [value, keep(updated, p), keep(next, s), firstFailed] as const
    },
    { donate: [0, 1] },
  )
  return (params, state, batch) => {
    let result: readonly [AnyTensor, P, OptState, AnyTensor]
    try {
      result = step(params, state, batch)
    } catch (error) {
      // thrown while tracing, before the plan ran: nothing was donated yet
      if (error instanceof StateChangesShape) return undefined
      if (error instanceof ArgumentError && error.message.includes('inside jit')) return undefined
      throw error
    }
    const [value, kept, next, firstFailed] = result
    const failed = item(firstFailed)
    return {
      params: kept,
      state: next,
      loss: item(value),
      failed: failed === flatten(kept)[0].length + 1 ? undefined : failed === 0 ? 'loss' : failed - 1,
    }
  }
}
