/**
 * The call primitive of a jitted function: how a jitted call appears to an outer transform. Each
 * traced signature gets one primitive (named `jit(f)`, declared like the others and applied through
 * the same `apply()` door) whose inputs are the tensor leaves and whose output is the function's
 * result — the single output as it is, several outputs (of one dtype) packed into one flat tensor
 * that `slice`/`reshape` split again.
 *
 * - forward: the forward part of the pullback split at the cotangent (`residuals.ts`): one plan
 *   that computes the output and the residuals the backward reads, kept with the output;
 * - vjp at first order (concrete inputs and cotangent): the backward part, one plan from the
 *   residuals and the cotangent — so `grad(jit(f))` computes the forward once, like `jit(grad(f))`;
 * - vjp at higher order: the jitted pullback — `jit` of the IR's vjp, compiled once per set of
 *   inputs that need a cotangent. Being a jitted function, under an outer `grad` it is applied as its
 *   own call primitive, whose vjp is again split or jitted, so `grad(grad(jit(f)))` stays compiled
 *   at every order (and `jvp`, derived from vjp, follows);
 * - batching (`vmap`): falls back to re-applying the IR under `vmap` — every primitive of f batched
 *   by its own rule, not the plan;
 * - an outer staging trace (`jit`, `makeIR`) inlines the call: it records f's own primitives, so
 *   the outer plan fuses across the call boundary and `exportOnnx` sees no call.
 *
 * @module jit/call
 */
import { vjp } from '../grad/index.js'
import {
  type AnyTensor,
  allocate,
  apply,
  concat,
  definePrim,
  type Prim,
  reshape,
  type Shape,
  sizeOf,
  slice,
  storage,
} from '../tensor/internal.js'
import { vmap } from '../vmap/index.js'
import { inlineRules } from './inline.js'
import { checkInputs, interpretIR } from './interpret.js'
import { dtypeOf, type IR, shapeOf } from './ir.js'
import type { Plan } from './plan.js'
import { type Linearized, linearize } from './residuals.js'
import { isConcrete } from './trace.js'

/** A traced signature as a primitive. */
export interface Call {
  readonly prim: Prim<undefined>
  /** Applies the primitive to the leaves (through `apply()`) and returns the IR's outputs. */
  readonly apply: (inputs: readonly AnyTensor[]) => AnyTensor[]
}

/** What `makeCall` needs from `jit` (passed in, so the two modules do not import each other). */
export type Compile = <F extends (...args: any[]) => any>(f: F) => F

/**
 * The call primitive of `ir` (`name` for messages), running `plan()` forward and `compile`d
 * pullbacks backward; undefined when the IR has no output or outputs of both dtypes (those calls
 * re-apply the IR instead).
 */
export const makeCall = (
  name: string,
  ir: IR,
  plan: () => Plan | null,
  compile: Compile,
  fusion = true,
): Call | undefined => {
  const outputs = ir.outputs
  if (outputs.length === 0) return undefined
  const dtype = dtypeOf(outputs[0]!)
  if (!outputs.every((o) => dtypeOf(o) === dtype)) return undefined
  const single = outputs.length === 1
  const shapes = outputs.map(shapeOf)
  const offsets: number[] = []
  let total = 0
  for (const shape of shapes) {
    offsets.push(total)
    total += sizeOf(shape)
  }
  const spec: { shape: Shape; dtype: typeof dtype } = { shape: single ? shapes[0]! : [total], dtype }
  const pack = (ys: readonly AnyTensor[]): AnyTensor =>
    single ? ys[0]! : concat(ys.map((y) => reshape(y, [y.size])))
  const interpreted = (xs: readonly AnyTensor[]): AnyTensor => pack(interpretIR(ir, xs))
  // the output of a plan is fresh unless it is an input passed through or a constant
  const output = outputs[0]!
  const fresh = output.kind === 'var' && !ir.inputs.some((v) => v.id === output.id)
  const pullbacks = new Map<string, (xs: readonly AnyTensor[], ct: AnyTensor) => AnyTensor[]>()
  const pullbackFor = (needs: readonly boolean[]) => {
    const key = needs.map(Number).join('')
    let pullback = pullbacks.get(key)
    if (pullback === undefined) {
      // only the cotangents asked for are returned, so the compiled pullback computes only those
      pullback = compile((xs: readonly AnyTensor[], ct: AnyTensor): AnyTensor[] => {
        const [, back] = vjp((ys: AnyTensor[]) => interpreted(ys), [...xs])
        return back(ct).filter((_, i) => needs[i])
      })
      pullbacks.set(key, pullback)
    }
    return pullback
  }
  // first order: the forward plan also returns the residuals, kept with the output's storage
  let linearized: Linearized | null | undefined
  const kept = new WeakMap<object, readonly AnyTensor[]>()
  const fromResiduals = (
    ct: AnyTensor,
    output: AnyTensor,
    inputs: readonly AnyTensor[],
    needs: readonly boolean[],
  ): AnyTensor[] | undefined => {
    if (linearized == null || !isConcrete(ct) || !inputs.every(isConcrete)) return undefined
    // used once: the output's storage may outlive the tape (valueAndGrad returns it), the
    // residuals must not (a second pullback of the same output takes the jitted pullback)
    const residuals = kept.get(storage(output))
    kept.delete(storage(output))
    return residuals === undefined ? undefined : linearized.backward(needs, residuals, ct)
  }
  const prim: Prim<undefined> = definePrim<undefined>({
    name: `jit(${name})`,
    infer: (inputs) => {
      checkInputs(`jit(${name})`, ir, inputs)
      return spec
    },
    forward: (inputs) => {
      linearized ??= linearize(interpreted, inputs, spec, fusion) ?? null
      if (linearized !== null) {
        const { output, residuals } = linearized.forward(inputs)
        const data = inputs.includes(output) || !fresh ? storage(output).slice() : storage(output)
        kept.set(data, residuals)
        return data
      }
      const compiled = plan()
      const ys = compiled === null ? interpretIR(ir, inputs) : compiled.run(inputs)
      if (single) return compiled !== null && fresh ? storage(ys[0]!) : storage(ys[0]!).slice()
      const out = allocate(dtype, total)
      ys.forEach((y, i) => {
        out.set(storage(y), offsets[i]!)
      })
      return out
    },
    vjp: (_ops, ct, output, inputs, _params, needs) => {
      if (!needs.some(Boolean)) return needs.map(() => null)
      const grads = fromResiduals(ct, output, inputs, needs) ?? pullbackFor(needs)(inputs, ct)
      let next = 0
      return needs.map((need) => (need ? grads[next++]! : null))
    },
    batch: (_ops, inputs, batched) =>
      vmap((...xs: AnyTensor[]) => interpreted(xs), { inAxes: batched.map((b) => (b ? 0 : null)) })(
        ...inputs,
      ) as AnyTensor,
    domain: undefined,
  })
  inlineRules.set(prim, interpreted)
  const unpack = (packed: AnyTensor): AnyTensor[] =>
    single
      ? [packed]
      : shapes.map((shape, i) =>
          reshape(slice(packed, [offsets[i]!], [offsets[i]! + sizeOf(shape)]), [...shape]),
        )
  return { prim, apply: (inputs) => unpack(apply(prim, inputs, undefined)) }
}
