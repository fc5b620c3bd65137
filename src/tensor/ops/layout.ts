/**
 * Ops that move elements without arithmetic: reshape, transpose, broadcastTo, expandDims, squeeze,
 * slice, pad, concat, stack, gather, scatterAdd, oneHot and cast. Literal shapes, permutations and
 * element counts are checked at compile time where the types allow, and always at run time.
 *
 * @module ops/layout
 */

import type {
  CheckAxis,
  CheckConcat,
  CheckDepth,
  CheckExpandDims,
  CheckPad,
  CheckPermutation,
  CheckReshape,
  CheckSameDTypes,
  CheckSlice,
  CheckSqueeze,
  CheckStack,
  Concat,
  ExpandDims,
  Gather,
  IndexShape,
  IsTuple,
  Mutable,
  Pad,
  Permute,
  Reshape,
  ShapesOf,
  Slice,
  Squeeze,
  Stack,
} from '../../shapes/index.js'
import { apply } from '../dispatch.js'
import { type DType, isDType, storageFrom } from '../dtype.js'
import { ArgumentError, formatShape, ShapeError } from '../errors.js'
import * as prims from '../prims/index.js'
import { checkIndices } from '../prims/indices.js'
import type { PadWidths } from '../prims/pad.js'
import { describe, normalizeAxis, type Shape, shapesEqual, sizeOf, validateShape } from '../shape.js'
import { type AnyTensor, isTensor, makeTensor, type Tensor } from '../tensor.js'
import { equal } from './elementwise.js'
import { expectTensor } from './operand.js'

/** Resolves a `-1` in a target shape against an element count; validates everything else. */
const resolveShape = (op: string, from: Shape, target: readonly number[]): Shape => {
  if (!Array.isArray(target))
    throw new ShapeError(op, `shape must be an array of dimensions, got ${describe(target)}`)
  const unknown = target.flatMap((d, i) => (d === -1 ? [i] : []))
  if (unknown.length > 1)
    throw new ShapeError(
      op,
      `cannot reshape ${formatShape(from)} to ${formatShape(target)}: at most one dimension may be -1`,
    )
  const size = sizeOf(from)
  if (unknown.length === 0) {
    const shape = validateShape(op, target)
    if (sizeOf(shape) !== size)
      throw new ShapeError(
        op,
        `cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(target)} (${sizeOf(shape)} elements)`,
      )
    return shape
  }
  const known = validateShape(
    op,
    target.filter((d) => d !== -1),
  )
  const rest = sizeOf(known)
  if (rest === 0 || size % rest !== 0)
    throw new ShapeError(
      op,
      `cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(target)}`,
    )
  return target.map((d) => (d === -1 ? size / rest : d))
}

/**
 * The same elements under another shape of equal size; one dimension may be `-1`.
 * @example
 * import { reshape, tensor } from 'nabla'
 * reshape(tensor([[1, 2, 3], [4, 5, 6]]), [3, 2]) // Tensor<[3, 2]>
 * reshape(tensor([[1, 2, 3], [4, 5, 6]]), [-1])   // Tensor<[number]>, shape [6]
 * // reshape(tensor([[1, 2, 3], [4, 5, 6]]), [4]) // does not compile: 6 elements vs 4
 */
export const reshape = <S extends Shape, D extends DType, const NS extends readonly number[]>(
  x: Tensor<S, D>,
  shape: NS & CheckReshape<S, NS>,
): Tensor<Reshape<S, NS>, D> => {
  const t = expectTensor('reshape', 'x', x)
  return apply(prims.reshapePrim, [t], {
    shape: resolveShape('reshape', t.shape, shape as readonly number[]),
  }) as Tensor<Reshape<S, NS>, D>
}

/**
 * Permutes axes: output axis i is input axis `perm[i]`; without `perm`, reverses them.
 * @example
 * import { transpose, zeros } from 'nabla'
 * transpose(zeros([2, 3]))             // Tensor<[3, 2]>
 * transpose(zeros([2, 3, 4]), [0, 2, 1]) // Tensor<[2, 4, 3]>
 */
export const transpose = <
  S extends Shape,
  D extends DType,
  const P extends readonly number[] | undefined = undefined,
>(
  x: Tensor<S, D>,
  perm?: P & CheckPermutation<S, P>,
): Tensor<Permute<S, P>, D> => {
  const t = expectTensor('transpose', 'x', x)
  const rank = t.shape.length
  const order = (perm as readonly number[] | undefined) ?? t.shape.map((_, i) => rank - 1 - i)
  const normalized = order.map((a) => normalizeAxis('transpose', a, rank, 'perm entry'))
  if (normalized.length !== rank || new Set(normalized).size !== rank)
    throw new ArgumentError(
      'transpose',
      `perm ${JSON.stringify(order)} is not a permutation of the axes of a tensor of shape ${formatShape(t.shape)}`,
    )
  return apply(prims.transposePrim, [t], { perm: normalized }) as Tensor<Permute<S, P>, D>
}

/**
 * Repeats `x` along size-1 and missing leading axes to `shape`.
 * @example
 * import { broadcastTo, tensor } from 'nabla'
 * broadcastTo(tensor([1, 2]), [3, 2]) // [[1, 2], [1, 2], [1, 2]]
 */
export const broadcastTo = <D extends DType, const NS extends readonly number[]>(
  x: Tensor<Shape, D>,
  shape: NS,
): Tensor<Mutable<NS>, D> =>
  apply(prims.broadcastToPrim, [expectTensor('broadcastTo', 'x', x)], {
    shape: validateShape('broadcastTo', shape),
  }) as Tensor<Mutable<NS>, D>

/**
 * Inserts a size-1 axis at `axis` (an axis of the result: negative counts from its end).
 * @example
 * import { expandDims, zeros } from 'nabla'
 * expandDims(zeros([2, 3]), 0)  // Tensor<[1, 2, 3]>
 * expandDims(zeros([2, 3]), -1) // Tensor<[2, 3, 1]>
 * // expandDims(zeros([2, 3]), 3) does not compile: the result has rank 3
 */
export const expandDims = <S extends Shape, D extends DType, const A extends number>(
  x: Tensor<S, D>,
  axis: A & CheckExpandDims<S, A>,
): Tensor<ExpandDims<S, A>, D> => {
  const t = expectTensor('expandDims', 'x', x)
  const a = normalizeAxis('expandDims', axis, t.shape.length + 1)
  return apply(prims.reshapePrim, [t], { shape: [...t.shape.slice(0, a), 1, ...t.shape.slice(a)] }) as Tensor<
    ExpandDims<S, A>,
    D
  >
}

/**
 * Removes size-1 axes (all of them, or the given one, which must have size 1).
 * @example
 * import { squeeze, zeros } from 'nabla'
 * squeeze(zeros([1, 3, 1]))    // Tensor<[3]>
 * squeeze(zeros([2, 1, 4]), 1) // Tensor<[2, 4]>
 * // squeeze(zeros([2, 1, 4]), 2) does not compile: axis 2 has size 4 in [2,1,4], not 1
 */
export const squeeze = <S extends Shape, D extends DType, const A extends number | undefined = undefined>(
  x: Tensor<S, D>,
  axis?: A & CheckSqueeze<S, A>,
): Tensor<Squeeze<S, A>, D> => {
  const t = expectTensor('squeeze', 'x', x)
  let shape: number[]
  if (axis === undefined) shape = t.shape.filter((d) => d !== 1)
  else {
    const a = normalizeAxis('squeeze', axis, t.shape.length)
    if (t.shape[a] !== 1)
      throw new ShapeError('squeeze', `axis ${axis} has size ${t.shape[a]} in ${formatShape(t.shape)}, not 1`)
    shape = t.shape.filter((_, i) => i !== a)
  }
  return apply(prims.reshapePrim, [t], { shape }) as Tensor<Squeeze<S, A>, D>
}

/**
 * The block `begin[i] <= index < end[i]` along each axis. `end` defaults to the full extent;
 * negative entries count from the end; bounds outside the tensor are errors.
 * @example
 * import { slice, tensor } from 'nabla'
 * slice(tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [2, 3]) // [[2, 3], [5, 6]]: Tensor<[2, 2]>
 * slice(tensor([[1, 2, 3], [4, 5, 6]]), [0, -1])         // [[3], [6]]: Tensor<[2, 1]>
 * // slice(tensor([[1, 2, 3], [4, 5, 6]]), [0, 4]) does not compile: begin[1] is out of range
 */
export const slice = <
  S extends Shape,
  D extends DType,
  const B extends readonly number[],
  const E extends readonly number[] | undefined = undefined,
>(
  x: Tensor<S, D>,
  begin: B & CheckSlice<S, B, E>,
  end?: E,
): Tensor<Slice<S, B, E>, D> => {
  const t = expectTensor('slice', 'x', x)
  const rank = t.shape.length
  if (
    !Array.isArray(begin) ||
    begin.length !== rank ||
    (end !== undefined && (!Array.isArray(end) || end.length !== rank))
  )
    throw new ArgumentError('slice', `begin and end must have one entry per axis of ${formatShape(t.shape)}`)
  const b = begin.map((v, i) => bound('begin', v, i, t.shape[i]!))
  const e = t.shape.map((d, i) => (end === undefined ? d : bound('end', end[i]!, i, d)))
  b.forEach((v, i) => {
    if (v > e[i]!)
      throw new ArgumentError(
        'slice',
        `begin[${i}] = ${begin[i]} is after end[${i}] = ${end?.[i]} in ${formatShape(t.shape)}`,
      )
  })
  return apply(prims.slicePrim, [t], { begin: b, end: e }) as Tensor<Slice<S, B, E>, D>
}

const bound = (name: string, value: number, axis: number, size: number): number => {
  if (!Number.isInteger(value))
    throw new ArgumentError('slice', `${name}[${axis}] must be an integer, got ${describe(value)}`)
  const v = value < 0 ? value + size : value
  if (v < 0 || v > size)
    throw new ArgumentError(
      'slice',
      `${name}[${axis}] = ${value} is out of range for an axis of size ${size}`,
    )
  return v
}

/**
 * Surrounds `x` with zeros: `widths[i] = [before, after]` for axis i.
 * @example
 * import { pad, tensor, zeros } from 'nabla'
 * pad(tensor([1, 2]), [[1, 0]]) // [0, 1, 2]: Tensor<[3]>
 * pad(zeros([3, 28, 28]), [[0, 0], [2, 2], [2, 2]]) // Tensor<[3, 32, 32]>
 * // pad(zeros([3, 28, 28]), [[2, 2], [2, 2]]) does not compile: 2 pairs for rank 3
 */
export const pad = <S extends Shape, D extends DType, const W extends PadWidths>(
  x: Tensor<S, D>,
  widths: W & CheckPad<S, W>,
): Tensor<Pad<S, W>, D> => {
  const t = expectTensor('pad', 'x', x)
  const ok =
    Array.isArray(widths) &&
    widths.length === t.shape.length &&
    widths.every((w) => Array.isArray(w) && w.length === 2 && w.every((v) => Number.isInteger(v) && v >= 0))
  if (!ok)
    throw new ArgumentError(
      'pad',
      `widths must be one [before, after] pair of non-negative integers per axis of ${formatShape(t.shape)}`,
    )
  return apply(prims.padPrim, [t], { widths }) as Tensor<Pad<S, W>, D>
}

/**
 * Joins tensors along an existing axis; the other dimensions must agree. The sizes along `axis`
 * add up in the type.
 * @example
 * import { concat, tensor, zeros } from 'nabla'
 * concat([tensor([[1, 2]]), tensor([[3, 4]])], 0) // [[1, 2], [3, 4]]
 * concat([zeros([32, 128]), zeros([32, 64])], 1)  // Tensor<[32, 192]>
 * // concat([zeros([32, 128]), zeros([16, 64])], 1) does not compile: only axis 1 may differ
 */
export const concat = <const Xs extends readonly AnyTensor[], const A extends number = 0>(
  xs: Xs & CheckConcat<ShapesOf<Xs>, A> & CheckSameDTypes<Xs>,
  axis?: A,
): Tensor<Concat<ShapesOf<Xs>, A>, Xs[number]['dtype']> => {
  if (!Array.isArray(xs) || xs.length === 0)
    throw new ArgumentError('concat', 'needs a non-empty array of tensors')
  const ts = (xs as readonly AnyTensor[]).map((x, i) => expectTensor('concat', `xs[${i}]`, x))
  const a = normalizeAxis('concat', axis ?? 0, ts[0]!.shape.length)
  return apply(prims.concatPrim, ts, { axis: a }) as Tensor<Concat<ShapesOf<Xs>, A>, Xs[number]['dtype']>
}

/**
 * Stacks tensors of equal shape along a new axis (an axis of the result).
 * @example
 * import { stack, tensor } from 'nabla'
 * stack([tensor([1, 2]), tensor([3, 4]), tensor([5, 6])]) // Tensor<[3, 2]>
 * stack([tensor([1, 2]), tensor([3, 4])], 1)             // Tensor<[2, 2]>: [[1, 3], [2, 4]]
 * // stack([tensor([1, 2]), tensor([3, 4, 5])]) does not compile: the shapes differ
 */
export const stack = <const Xs extends readonly AnyTensor[], const A extends number = 0>(
  xs: Xs & CheckStack<ShapesOf<Xs>, A> & CheckSameDTypes<Xs>,
  axis?: A,
): Tensor<Stack<ShapesOf<Xs>, A>, Xs[number]['dtype']> => {
  if (!Array.isArray(xs) || xs.length === 0)
    throw new ArgumentError('stack', 'needs a non-empty array of tensors')
  const ts: AnyTensor[] = (xs as readonly AnyTensor[]).map((x, i) => expectTensor('stack', `xs[${i}]`, x))
  const first = ts[0]!.shape
  ts.forEach((t, i) => {
    if (!shapesEqual(t.shape, first))
      throw new ShapeError(
        'stack',
        `xs[${i}] has shape ${formatShape(t.shape)} but xs[0] has ${formatShape(first)}`,
      )
  })
  const a = normalizeAxis('stack', axis ?? 0, first.length + 1)
  const expanded: readonly AnyTensor[] = ts.map((t) => expandDims(t, a))
  return concat(expanded, a) as Tensor<Stack<ShapesOf<Xs>, A>, Xs[number]['dtype']>
}

/**
 * Index tensors: integer values; given as a tensor or a plain array.
 * @example
 * import { gather, tensor } from 'nabla'
 * gather(tensor([10, 20, 30]), [2, 0]) // [30, 10]
 */
export type Indices = AnyTensor | readonly number[]

const toIndices = (op: string, indices: Indices): AnyTensor => {
  if (isTensor(indices)) return indices
  if (!Array.isArray(indices))
    throw new ArgumentError(op, `indices must be a tensor or an array of integers, got ${describe(indices)}`)
  return makeTensor([indices.length], 'float64', storageFrom('float64', indices))
}

/**
 * Picks slices along `axis` at integer indices; result shape is
 * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`. Gradients accumulate at repeated indices.
 * @example
 * import { gather, tensor, zeros } from 'nabla'
 * gather(tensor([[1, 2], [3, 4], [5, 6]]), [2, 0]) // [[5, 6], [1, 2]]: Tensor<[2, 2]>
 * gather(zeros([10, 16]), zeros([4, 3]), 0)         // Tensor<[4, 3, 16]>
 * // gather(zeros([10, 16]), [1], 2) does not compile: axis 2 is out of range
 */
export const gather = <S extends Shape, D extends DType, const I extends Indices, const A extends number = 0>(
  x: Tensor<S, D>,
  indices: I,
  axis?: A & CheckAxis<S, A>,
): Tensor<Gather<S, IndexShape<I>, A>, D> => {
  const t = expectTensor('gather', 'x', x)
  const a = normalizeAxis('gather', axis ?? 0, t.shape.length)
  return apply(prims.gatherPrim, [t, toIndices('gather', indices)], { axis: a }) as Tensor<
    Gather<S, IndexShape<I>, A>,
    D
  >
}

/**
 * A zero tensor of `shape` with the slices of `values` added along `axis` at `indices`: the
 * transpose of `gather`.
 * @example
 * import { scatterAdd, tensor } from 'nabla'
 * scatterAdd(tensor([1, 2, 3]), [0, 0, 2], 0, [3]) // [3, 0, 3]
 */
export const scatterAdd = <D extends DType>(
  values: Tensor<Shape, D>,
  indices: Indices,
  axis: number,
  shape: Shape,
): Tensor<Shape, D> => {
  const v = expectTensor('scatterAdd', 'values', values)
  const s = validateShape('scatterAdd', shape)
  const a = normalizeAxis('scatterAdd', axis, s.length)
  return apply(prims.scatterAddPrim, [v, toIndices('scatterAdd', indices)], { axis: a, shape: s }) as Tensor<
    number[],
    D
  >
}

/**
 * One-hot rows: `[...labels.shape, depth]` with 1 at each label (labels must be integers in
 * `[0, depth)`).
 * @example
 * import { oneHot, tensor } from 'nabla'
 * oneHot(tensor([2, 0]), 3) // [[0, 0, 1], [1, 0, 0]]
 */
export const oneHot = <S extends Shape, D extends DType, const N extends number>(
  labels: Tensor<S, D>,
  depth: N & CheckDepth<N>,
): Tensor<IsTuple<S> extends true ? [...Mutable<S>, N] : Shape, D> => {
  const t = expectTensor('oneHot', 'labels', labels)
  if (!Number.isInteger(depth) || depth < 1)
    throw new ArgumentError('oneHot', `depth must be a positive integer, got ${describe(depth)}`)
  validateShape('oneHot', [...t.shape, depth], 'the result shape')
  checkIndices('oneHot', t, depth, 'labels')
  const classes = makeTensor(
    [depth],
    t.dtype,
    storageFrom(
      t.dtype,
      Array.from({ length: depth }, (_, i) => i),
    ),
  )
  const expanded = apply(prims.reshapePrim, [t], { shape: [...t.shape, 1] })
  return equal(expanded, classes) as never
}

/**
 * Converts to another dtype.
 * @example
 * import { cast, tensor } from 'nabla'
 * cast(tensor([1, 2]), 'float64').dtype // 'float64'
 */
export const cast = <S extends Shape, T extends DType>(x: AnyTensor<S>, dtype: T): Tensor<S, T> => {
  const t = expectTensor('cast', 'x', x)
  if (!isDType(dtype))
    throw new ArgumentError('cast', `dtype must be 'float32' or 'float64', got ${describe(dtype)}`)
  return (t.dtype === dtype ? t : apply(prims.castPrim, [t], { dtype })) as Tensor<S, T>
}
