/**
 * Shared shape rules and constructors for elementwise primitives. Each elementwise primitive still
 * has its own file (name, expression, vjp rule, domain); this module holds what they share: the
 * shape rules (same shape; NumPy broadcasting) and the dtype rule (operands agree).
 *
 * @module prims/elementwise
 */

import type { Arbitrary } from 'fast-check'
import { apply } from '../dispatch.js'
import { allocateUnfilled } from '../dtype.js'
import { DTypeError } from '../errors.js'
import { kernels } from '../kernels/index.js'
import {
  type BatchRule,
  type DomainCase,
  type DomainTools,
  definePrim,
  type Prim,
  type VjpRule,
} from '../prim.js'
import { broadcastShapes } from '../shape.js'
import { type AnyTensor, storage } from '../tensor.js'
import { alignBatched } from './batching.js'

/**
 * The batching rule of every elementwise primitive (unary, binary, `where`): line the batched
 * operands up (see `alignBatched`) and apply the primitive once to the whole batch.
 */
export const batchElementwise =
  <P>(prim: () => Prim<P>): BatchRule<P> =>
  (ops, inputs, batched, params) =>
    apply(prim(), alignBatched(ops, inputs, batched), params)

/** Checks that all operands share a dtype; returns it. */
export const sameDType = (
  op: string,
  inputs: readonly AnyTensor[],
  names: readonly string[] = ['a', 'b', 'c'],
): AnyTensor['dtype'] => {
  const dtype = inputs[0]!.dtype
  for (let i = 1; i < inputs.length; i++)
    if (inputs[i]!.dtype !== dtype)
      throw new DTypeError(
        op,
        `${names[0]} is ${dtype} but ${names[i]} is ${inputs[i]!.dtype}; cast one explicitly with cast()`,
      )
  return dtype
}

/** What an elementwise primitive declares: its name, its forward expression, vjp rule and domain. */
export interface ElementwiseSpec {
  readonly name: string
  /** The forward kernel: a JavaScript expression in `x` (and `y` for two inputs). */
  readonly expr: string
  readonly vjp: VjpRule<undefined> | undefined
  readonly domain: ((tools: DomainTools) => Arbitrary<DomainCase<undefined>>) | undefined
}

/** An elementwise primitive of one input, computed by a JavaScript expression in `x`. */
export const unaryPrim = (spec: ElementwiseSpec): Prim<undefined> => {
  const op = { name: spec.name, expr: spec.expr }
  const prim: Prim<undefined> = definePrim<undefined>({
    name: spec.name,
    infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
    forward: ([x], _, { dtype }) => {
      const out = allocateUnfilled(dtype, x!.size) // the kernel writes every element
      kernels().unary(op, storage(x!), out)
      return out
    },
    elementwise: true,
    expression: spec.expr,
    vjp: spec.vjp,
    batch: (_ops, [x], _batched, params) => apply(prim, [x!], params),
    domain: spec.domain,
  })
  return prim
}

/** An elementwise primitive of two broadcast operands, computed by an expression in `x` and `y`. */
export const binaryPrim = (spec: ElementwiseSpec): Prim<undefined> => {
  const op = { name: spec.name, expr: spec.expr }
  const prim: Prim<undefined> = definePrim<undefined>({
    name: spec.name,
    infer: ([a, b]) => ({
      shape: broadcastShapes(spec.name, a!.shape, b!.shape),
      dtype: sameDType(spec.name, [a!, b!]),
    }),
    forward: ([a, b], _, { shape, dtype }) => {
      const out = allocateUnfilled(
        // the kernel writes every element
        dtype,
        shape.reduce((x, y) => x * y, 1),
      )
      kernels().binary(op, storage(a!), a!.shape, storage(b!), b!.shape, out, shape)
      return out
    },
    elementwise: true,
    expression: spec.expr,
    vjp: spec.vjp,
    batch: batchElementwise(() => prim),
    domain: spec.domain,
  })
  return prim
}

/**
 * `maximum` or `minimum`: the larger (smaller) of two broadcast operands; NaN wins. At ties the
 * gradient is split equally between the two inputs (as in JAX).
 */
export const pairwiseExtremumPrim = (name: 'maximum' | 'minimum'): Prim<undefined> => {
  const wins = name === 'maximum' ? '>' : '<'
  return binaryPrim({
    name,
    expr: `x ${wins} y || x !== x ? x : y`,
    vjp: (ops, ct, _out, [a, b]) => {
      const [first, second] = name === 'maximum' ? [ops.greater, ops.less] : [ops.less, ops.greater]
      const half = ops.mul(ops.equal(a!, b!), 0.5)
      return [ops.mul(ct, ops.add(first(a!, b!), half)), ops.mul(ct, ops.add(second(a!, b!), half))]
    },
    // operands in disjoint bands of each unit interval: never tied, never closer than 0.2
    domain: (t) => t.binary({ min: -3, max: 3, band: [0.1, 0.4] }, { min: -3, max: 3, band: [0.6, 0.9] }),
  })
}
