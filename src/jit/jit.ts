/**
 * `jit(f)`: trace once per input signature, run a compiled plan afterwards. The first call with a
 * new signature (the shapes and dtypes of the tensor leaves, the pytree structure, and the values
 * of static arguments) traces `f` into an IR (`makeIR`) — computing its result on the way — and
 * compiles the IR into a plan (dead code removed, elementwise chains fused into generated kernels,
 * together with the product they finish or a sum over neighbouring axes that alone reads them, buffers
 * planned by liveness). Later calls with that signature run the plan without calling `f`.
 *
 * Composition: under an outer transform (`grad`, `vjp`, `vmap`, an outer `jit`, …) a jitted call
 * is one primitive (`call.ts`) whose forward is the compiled plan and whose vjp is the compiled
 * pullback, so `grad(jit(f))` runs compiled both ways (at every order: the pullback is jitted too);
 * an outer `jit`/`makeIR` inlines the call (it records `f`'s own primitives), `vmap` batches it by
 * re-applying the IR, and `jit(grad(f))` compiles the whole forward and backward pass into one plan.
 * At first order the call's forward plan also returns the values its backward plan reads, so
 * `grad(jit(f))` computes the forward once.
 *
 * Donation (`donate`, JAX's `donate_argnums`): the caller gives up the tensors of some arguments, and a
 * result of the same shape and dtype may be computed in their memory (`donation.ts`). Such a result is
 * lent the plan's memory; donated back at the next call (`params = step(params, batch)`) it is updated
 * in place, so the loop copies and allocates nothing for it, and otherwise its values move out before
 * the plan writes that memory again. A donated tensor is consumed: reading it is an `ArgumentError`.
 * Inputs given again as the same tensor are not copied in again (tensors never change).
 *
 * What a trace cannot see: `f` runs only at tracing calls, so its side effects (logging, counters)
 * happen once per signature. Reading a traced tensor's values in JavaScript (`item(x) > 0 ? …`,
 * `toFlat`, a metric) would freeze them at the tracing call, so it is an `ArgumentError` ("cannot
 * read the values of a tensor inside jit"); a traced tensor prints as `Tensor<[2], float32> (inside
 * jit: …)`. Value-dependent steps inside nabla (a gradient's strong zeros under `where`,
 * class-index labels) are traced as tensor ops, so they hold for every call. Tensors closed over
 * by `f` are constants of the plan, captured at tracing. A tensor that leaks out of the trace is a
 * `TraceError` when used. A number given for an argument that is not static is an `ArgumentError`
 * that names both ways to pass it (`staticArgs`, or a `scalar` tensor).
 *
 * Values: a plan runs the eager ops' own kernels and rounding (float32 results rounded after every
 * op), so it gives the eager values; the exception is `tanh` inside a fused float32 group, which is
 * Eigen's rational approximation, within a few ulps of `Math.tanh`; and a sum of fewer than 64
 * elements, which the plan adds with the WebAssembly kernel (eager adds so few in JavaScript, in
 * another order: the two agree to rounding). The zeros a gradient has on the branch a `where` did
 * not take (structural zeros) may differ in sign from the eager ones.
 *
 * @module jit/jit
 */

import {
  type AnyTensor,
  ArgumentError,
  exactJson,
  makeTensor,
  moveStorage,
  storage,
} from '../tensor/internal.js'
import { structureKey, unflatten } from '../tree/internal.js'
import { type Call, makeCall } from './call.js'
import { interpretIR } from './interpret.js'
import type { IR } from './ir.js'
import { compilePlan, type Plan } from './plan.js'
import {
  type FlatArgument,
  flattenArguments,
  isConcrete,
  leavesOf,
  settle,
  type Traced,
  traceFunction,
} from './trace.js'

/** Choices of `jit`. */
export interface JitOptions {
  /**
   * Indices of arguments that are not tensors (numbers, strings, options records): they are part of
   * the cache key (compared by value when JSON-serialisable, else by identity) and passed to `f` as
   * they are.
   */
  readonly staticArgs?: readonly number[]
  /**
   * Fuse elementwise chains into generated kernels, with the product before them or the sum after
   * them (default true; false for comparison).
   */
  readonly fusion?: boolean
  /**
   * Indices of arguments the caller gives up (JAX's `donate_argnums`): a result of the same shape and
   * dtype may be computed in place of a donated tensor, so a loop such as
   * `params = step(params, batch)` copies nothing in or out for them and allocates nothing. Every
   * tensor of a donated argument is consumed by the call, whether or not its memory was reused:
   * reading it afterwards is an `ArgumentError`. Applies to calls with plain tensors; under `grad`,
   * `vmap` or an outer `jit` nothing is donated.
   */
  readonly donate?: readonly number[]
  /**
   * How many input signatures keep their trace and compiled plan (default 64): a call with another
   * signature evicts the least recently used one, which is traced again if it comes back. A plan
   * holds buffers the size of its values, so without a bound a function called with ever new
   * shapes would hold memory for every one of them. An evicted plan's memory is returned once the
   * garbage collector has found it unreachable (and, for the shared arena, once the event loop turns).
   * `Infinity` keeps every signature.
   */
  readonly cacheSize?: number
}

/** How many signatures a jitted function keeps by default (`JitOptions.cacheSize`). */
export const defaultCacheSize = 64

/** What a jitted function exposes besides being called. */
export interface Jitted {
  /** How many times `f` has been traced (one per new input signature). */
  readonly traceCount: () => number
  /** The IR of the most recent trace, or undefined before the first call. */
  readonly lastIR: () => IR | undefined
}

interface Entry {
  readonly traced: Traced
  /** Per leaf of the arguments: whether it is donated. */
  readonly donated: readonly boolean[]
  /** The compiled plan; null when the runtime cannot run one (no WebAssembly SIMD). */
  plan: Plan | null | undefined
  /** With donated leaves: the plan that donates nothing, which the call primitive runs. */
  plain?: Plan | null
  /** The call primitive (see call.ts); null when the outputs cannot be one primitive's output. */
  call: Call | null | undefined
}

const identities = new WeakMap<object, number>()
let nextIdentity = 0

// static values by value (−0, NaN and ±Infinity kept apart: `exactJson`), else by identity
const staticKey = (value: unknown): string => {
  if (typeof value === 'function' || (typeof value === 'object' && value !== null)) {
    try {
      if (typeof value !== 'function') return `j${exactJson(value)}`
    } catch {
      // not serialisable: fall through to identity
    }
    let id = identities.get(value)
    if (id === undefined) identities.set(value, (id = nextIdentity++))
    return `i${id}`
  }
  return `${typeof value}:${typeof value === 'number' ? exactJson(value) : String(value)}`
}

/** The cache key of a call: each argument's structure and leaf dtypes and shapes, or static value. */
const signature = (args: readonly FlatArgument[]): string => {
  let key = ''
  for (const a of args) {
    if (a.kind === 'static') {
      const value = staticKey(a.value)
      key += `#${value.length}:${value}`
    } else {
      key += `#${structureKey(a.def)}|`
      for (const t of a.leaves) key += `${t.dtype === 'float32' ? 'f' : 'd'}${t.shape.join(',')};`
    }
  }
  return key
}

/**
 * Consumes the donated leaves (as given, and without their finished traces' boxes); a result that
 * is a donated leaf itself (`x => x`) becomes a copy first.
 */
const consume = (
  donated: readonly boolean[],
  given: readonly AnyTensor[],
  leaves: readonly AnyTensor[],
  outputs: AnyTensor[],
): void => {
  donated.forEach((d, i) => {
    if (!d) return
    for (const t of [given[i]!, leaves[i]!]) {
      outputs.forEach((o, j) => {
        if (o === t) outputs[j] = makeTensor(t.shape, t.dtype, storage(t).slice())
      })
      moveStorage(t, undefined)
    }
  })
}

/**
 * Compiles `f`: the result has `f`'s type and gives the same values (see the module header for
 * what tracing cannot see). Arguments are pytrees of tensors (or static values, by index).
 * @example
 * import { jit, grad, add, mul, sum, tanh, tensor, type Tensor } from 'nabla'
 * const loss = (w: Tensor<[3]>) => sum(tanh(mul(w, w)))
 * const step = jit(grad(loss)) // traced at the first call, compiled plan afterwards
 * step(tensor([1, 2, 3]))      // same values as grad(loss)
 */
export const jit = <F extends (...args: any[]) => any>(f: F, options: JitOptions = {}): F & Jitted => {
  const staticArgs = new Set(options.staticArgs ?? [])
  const donate = new Set(options.donate ?? [])
  for (const i of donate)
    if (!Number.isInteger(i) || i < 0 || staticArgs.has(i))
      throw new ArgumentError(
        'jit',
        `donate: ${i} is not the index of a tensor argument (${staticArgs.has(i) ? 'it is static' : 'indices are integers ≥ 0'})`,
      )
  const cacheSize = options.cacheSize ?? defaultCacheSize
  if (!(cacheSize === Number.POSITIVE_INFINITY || (Number.isInteger(cacheSize) && cacheSize >= 1)))
    throw new ArgumentError('jit', `cacheSize must be an integer ≥ 1 or Infinity, got ${String(cacheSize)}`)
  // insertion order is recency order: a hit moves its entry to the end, the first one is evicted
  const cache = new Map<string, Entry>()
  let traces = 0
  let last: IR | undefined
  const jitted = (...args: unknown[]): unknown => {
    const flat = flattenArguments('jit', args, staticArgs)
    const key = signature(flat)
    const entry = cache.get(key)
    if (entry === undefined) {
      const traced = traceFunction('jit', f, flat)
      traces++
      last = traced.ir
      if (traced.capturedTracer) return unflatten(traced.outputDef, traced.values)
      const donated = flat.flatMap((a, i) => (a.kind === 'tree' ? a.leaves.map(() => donate.has(i)) : []))
      cache.set(key, { traced, donated, plan: undefined, call: undefined })
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!)
      // the first call returns the plan's results too (or the call primitive's, under an outer
      // transform), so every call of a signature computes the same way (bit for bit) — a resumed
      // run equals an uninterrupted one
      return run(cache.get(key)!, leavesOf(flat))
    }
    if (cache.size > 1) {
      cache.delete(key)
      cache.set(key, entry)
    }
    return run(entry, leavesOf(flat))
  }
  const planOf = (entry: Entry, donating = true): Plan | null => {
    const fusion = options.fusion ?? true
    if (!donating && entry.donated.includes(true))
      return (entry.plain ??= compilePlan(entry.traced.ir, { fusion }) ?? null)
    return (entry.plan ??= compilePlan(entry.traced.ir, { fusion, donated: entry.donated }) ?? null)
  }
  const run = (entry: Entry, given: readonly AnyTensor[]): unknown => {
    const { traced } = entry
    const leaves = given.map(settle)
    if (leaves.every(isConcrete)) {
      const plan = planOf(entry)
      const outputs = plan === null ? interpretIR(traced.ir, leaves) : plan.run(leaves)
      if (donate.size > 0) consume(entry.donated, given, leaves, outputs)
      return unflatten(traced.outputDef, outputs)
    }
    // under an outer transform: one call primitive (its vjp the compiled pullback)
    entry.call ??=
      makeCall(f.name || 'f', traced.ir, () => planOf(entry, false), jitPullback, options.fusion ?? true) ??
      null
    const outputs = entry.call === null ? interpretIR(traced.ir, leaves) : entry.call.apply(leaves)
    return unflatten(traced.outputDef, outputs)
  }
  const jitPullback = <G extends (...args: any[]) => any>(g: G): G =>
    jit(g, { fusion: options.fusion ?? true })
  return Object.assign(jitted as F, {
    traceCount: () => traces,
    lastIR: () => last,
  })
}
