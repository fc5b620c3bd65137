/**
 * `vmap`: vectorising map. `vmap(f)` is the function that applies `f` to every example of a batch
 * at once: `vmap(f)(xs)` equals stacking `f(x)` over the rows `x` of `xs`, but runs each primitive
 * once on the whole batch (each primitive's batching rule says how). It nests with itself and with
 * `grad`, `vjp`, `jvp`, `hvp` and `jacrev` in any order: per-example gradients are
 * `vmap((x, y) => grad((w) => loss(w, x, y))(w))(xs, ys)`.
 *
 * Laws: for every `f` and batch `xs` with rows `x₀ … x₍B−1₎`, `vmap(f)(xs) = stack([f(x₀), …])`;
 * `vmap(f, { inAxes: [null] })(x)` broadcasts `f(x)` over nothing and needs some batched input.
 *
 * @module vmap/vmap
 */

import type { IsTuple } from '../shapes/index.js'
import {
  type AnyTensor,
  ArgumentError,
  broadcastTo,
  formatShape,
  lowerTo,
  moveAxis,
  nextLevel,
  normalizeAxis,
  ops,
  popInterpreter,
  pushInterpreter,
  reshape,
  type Shape,
  ShapeError,
  type Tensor,
} from '../tensor/internal.js'
import { flatten, leafPaths, type Pytree, type TreeDef, unflatten } from '../tree/index.js'
import { BatchTrace } from './batch.js'

/**
 * A shape with a batch axis of size `B` inserted at `A` (tuple shapes and non-negative literal
 * axes; otherwise `readonly number[]`).
 * @example
 * import type { InsertAxis } from 'nabla'
 * type S = InsertAxis<[2, 3], 1, 5> // [2, 5, 3]
 */
export type InsertAxis<S extends Shape, A extends number, B extends number> =
  IsTuple<S> extends false
    ? Shape
    : A extends 0
      ? [B, ...S]
      : number extends A
        ? Shape
        : `${A}` extends `-${string}`
          ? Shape
          : InsertAt<S, A, B, []>
type InsertAt<
  S extends Shape,
  A extends number,
  B extends number,
  Before extends number[],
> = Before['length'] extends A
  ? [...Before, B, ...S]
  : S extends readonly [infer H extends number, ...infer R extends Shape]
    ? InsertAt<R, A, B, [...Before, H]>
    : Shape

/**
 * A pytree with a batch axis of size `B` inserted at axis `A` of every tensor leaf (`A = null`:
 * unchanged, the same for every example).
 * @example
 * import type { Batched, Tensor } from 'nabla'
 * type X = Batched<{ w: Tensor<[3], 'float64'> }, 8> // { w: Tensor<[8, 3], 'float64'> }
 */
export type Batched<T, B extends number, A extends number | null = 0> = A extends number
  ? T extends Tensor<infer S, infer D>
    ? Tensor<InsertAxis<S, A, B>, D>
    : { -readonly [K in keyof T]: Batched<T[K], B, A> }
  : T

/** The batch axis `inAxes` gives argument `K`. */
type AxisOf<Axes, K> = Axes extends readonly unknown[]
  ? K extends keyof Axes
    ? Extract<Axes[K], number | null>
    : 0
  : Extract<Axes, number | null>

/**
 * The arguments of a vmapped function: each argument of `f` with its batch axis (from `inAxes`).
 * @example
 * import type { BatchedArgs, Tensor } from 'nabla'
 * type A = BatchedArgs<[Tensor<[3]>, Tensor<[2]>], [0, null], 5> // [Tensor<[5, 3]>, Tensor<[2]>]
 */
export type BatchedArgs<Args extends readonly unknown[], Axes, B extends number> = {
  -readonly [K in keyof Args]: Batched<Args[K], B, AxisOf<Axes, K>>
}

/**
 * Options of `vmap`.
 * @example
 * import type { VmapOptions } from 'nabla'
 * const options: VmapOptions = { inAxes: [0, null], outAxes: 0 }
 */
export interface VmapOptions<
  InAxes extends number | null | readonly (number | null)[] = number | null | readonly (number | null)[],
  OutAxes extends number = number,
> {
  /**
   * The batch axis of each argument (one entry per argument, or one for all): a number (negative
   * counts from the end), or `null` for an argument that is the same for every example. Default 0.
   */
  readonly inAxes?: InAxes
  /** Where the batch axis goes in every output leaf (default 0; negative counts from the end). */
  readonly outAxes?: OutAxes
}

/**
 * Vectorises `f` over a batch axis of its arguments: the result maps a batch of inputs to the batch
 * of outputs, each primitive running once on the whole batch. Arguments and results are pytrees;
 * `inAxes` gives each argument's batch axis (`null`: not batched), `outAxes` the results'. All
 * batched arguments must have the same batch size (a `ShapeError` names them otherwise). Inside
 * `f` a tensor stands for every example at once: reading its values (`toArray`, `item`) is an error.
 * @example
 * import { vmap, grad, matmul, sum, square, sub, tensor, type Tensor } from 'nabla'
 * const w = tensor([[1], [2]])
 * const loss = (w: Tensor<[2, 1]>, x: Tensor<[1, 2]>, y: Tensor<[1, 1]>) => sum(square(sub(matmul(x, w), y)))
 * const xs = tensor([[[1, 0]], [[0, 1]], [[1, 1]]]) // 3 examples of shape [1, 2]
 * const ys = tensor([[[1]], [[2]], [[3]]])
 * const perExample = vmap((x: Tensor<[1, 2]>, y: Tensor<[1, 1]>) => grad((p: Tensor<[2, 1]>) => loss(p, x, y))(w))(xs, ys)
 * perExample.shape // [3, 2, 1]: Tensor<[3, 2, 1]>, one gradient per example
 */
export const vmap =
  <
    Args extends readonly Pytree[],
    R extends Pytree,
    const InAxes extends number | null | readonly (number | null)[] = 0,
    const OutAxes extends number = 0,
  >(
    f: (...args: Args) => R,
    options: VmapOptions<InAxes, OutAxes> = {},
  ) =>
  <B extends number = number>(...args: BatchedArgs<Args, InAxes, B>): Batched<R, B, OutAxes> => {
    const axes = inAxesOf(options.inAxes, args.length)
    const flat = (args as readonly unknown[]).map((arg, i) => flatten(arg, 'vmap', `args[${i}]`))
    const size = batchSize(flat, axes)
    const trace = new BatchTrace(nextLevel(), size)
    // move every batch axis to the front before the trace starts
    const moved = flat.map(([leaves], i) => {
      const axis = axes[i]
      return leaves.map((t) =>
        axis === null || axis === undefined
          ? t
          : moveAxis(ops, t, normalizeAxis('vmap', axis, t.shape.length), 0),
      )
    })
    pushInterpreter(trace)
    let result: unknown
    try {
      const inner = flat.map(([, def], i) =>
        unflatten(
          def,
          moved[i]!.map((t) => (axes[i] === null ? t : trace.box(t))),
        ),
      )
      result = f(...(inner as unknown as Args))
    } finally {
      trace.active = false
      popInterpreter(trace)
    }
    const [outputs, outputDef] = flatten(result, 'vmap', 'f(...args)')
    const outAxis = options.outAxes ?? 0
    const batchedOutputs = outputs.map((t) => {
      const value =
        trace.unbox(t) ?? broadcastTo(reshape(lowerTo(t, trace.level), [1, ...t.shape]), [size, ...t.shape])
      return moveAxis(ops, value, 0, normalizeAxis('vmap', outAxis, value.shape.length, 'outAxes'))
    })
    return unflatten<Batched<R, B, OutAxes>>(outputDef, batchedOutputs)
  }

const inAxesOf = (
  inAxes: number | null | readonly (number | null)[] | undefined,
  count: number,
): readonly (number | null)[] => {
  if (inAxes === undefined || inAxes === null || typeof inAxes === 'number')
    return new Array<number | null>(count).fill(inAxes ?? 0)
  if (!Array.isArray(inAxes) || inAxes.length !== count)
    throw new ArgumentError(
      'vmap',
      `inAxes must have one entry per argument (${count}), got ${Array.isArray(inAxes) ? inAxes.length : typeof inAxes}`,
    )
  inAxes.forEach((a, i) => {
    if (a !== null && !Number.isInteger(a))
      throw new ArgumentError('vmap', `inAxes[${i}] must be an integer or null, got ${String(a)}`)
  })
  return inAxes
}

/** The common batch size of the batched leaves; a `ShapeError` names two that disagree. */
const batchSize = (
  flat: readonly (readonly [readonly AnyTensor[], TreeDef])[],
  axes: readonly (number | null)[],
): number => {
  let first: { size: number; path: string } | undefined
  flat.forEach(([leaves, def], i) => {
    const axis = axes[i]
    if (axis === null || axis === undefined) return
    const paths = leafPaths(def, `args[${i}]`)
    leaves.forEach((t, j) => {
      const a = normalizeAxis('vmap', axis, t.shape.length, `inAxes[${i}]`)
      const size = t.shape[a]!
      const path = `${paths[j]} (shape ${formatShape(t.shape)}, axis ${axis})`
      if (first === undefined) first = { size, path }
      else if (first.size !== size)
        throw new ShapeError(
          'vmap',
          `batch sizes differ: ${first.path} has ${first.size} examples but ${path} has ${size}`,
        )
    })
  })
  if (first === undefined)
    throw new ArgumentError('vmap', 'needs at least one batched tensor argument (every inAxes entry is null)')
  return first.size
}
