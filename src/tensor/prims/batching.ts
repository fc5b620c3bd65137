/**
 * Shared pieces of batching rules (`vmap`): moving an axis, lining up batched operands for
 * broadcasting, index offsets for batched `gather`/`scatterAdd`, and the visible loop fallback.
 * A batching rule receives inputs with the batch along axis 0 (where batched) and returns the
 * output with the batch along axis 0.
 *
 * @module prims/batching
 */
import { apply } from '../dispatch.js'
import { storageFrom } from '../dtype.js'
import { ArgumentError } from '../errors.js'
import type { BatchRule, Ops, Prim } from '../prim.js'
import { type AnyTensor, makeTensor } from '../tensor.js'

/** Moves axis `from` of `x` to position `to` (the other axes keep their order). */
export const moveAxis = (ops: Ops, x: AnyTensor, from: number, to: number): AnyTensor => {
  if (from === to) return x
  const order = x.shape.map((_, i) => i).filter((i) => i !== from)
  order.splice(to, 0, from)
  return ops.transpose(x, order)
}

/**
 * Lines up the operands of a broadcasting primitive: each batched operand (batch on axis 0) gets
 * size-1 axes after its batch axis up to the largest example rank, so that NumPy broadcasting pairs
 * the same axes as it does for one example, and unbatched operands broadcast over the batch.
 */
export const alignBatched = (
  ops: Ops,
  inputs: readonly AnyTensor[],
  batched: readonly boolean[],
): AnyTensor[] => {
  const rank = Math.max(...inputs.map((x, i) => x.shape.length - (batched[i] ? 1 : 0)))
  return inputs.map((x, i) => {
    const missing = rank - (x.shape.length - 1)
    if (!batched[i] || missing === 0) return x
    return ops.reshape(x, [x.shape[0]!, ...new Array<number>(missing).fill(1), ...x.shape.slice(1)])
  })
}

/**
 * Batched indices made global: `indices` (batch on axis 0) plus `b · length` for example `b`, so
 * that the examples' index ranges do not overlap once the batch is folded into the indexed axis.
 */
export const offsetIndices = (ops: Ops, indices: AnyTensor, length: number): AnyTensor => {
  const size = indices.shape[0]!
  const offsets = makeTensor(
    [size, ...indices.shape.slice(1).map(() => 1)],
    indices.dtype,
    storageFrom(
      indices.dtype,
      Array.from({ length: size }, (_, b) => b * length),
    ),
  )
  return ops.add(indices, offsets)
}

/** Broadcasts an unbatched input over the batch (a no-op for a batched one). */
export const batchedInput = (ops: Ops, x: AnyTensor, batched: boolean, size: number): AnyTensor =>
  batched ? x : ops.broadcastTo(x, [size, ...x.shape])

let loops = 0

/**
 * How many times a batching rule fell back to looping over the examples (`batchByLoop`). The
 * registry's batching test asserts this stays 0: every primitive has a real rule.
 */
export const batchLoopCount = (): number => loops

/**
 * The generic fallback rule: applies the primitive to each example and stacks the results. Slow
 * and counted (`batchLoopCount`): a stopgap for a new primitive until it has a real rule.
 */
export const batchByLoop =
  <P>(prim: () => Prim<P>): BatchRule<P> =>
  (ops, inputs, batched, params, size) => {
    loops++
    if (size === 0)
      throw new ArgumentError(prim().name, 'cannot batch over 0 examples without a batching rule')
    const rows = Array.from({ length: size }, (_, b) =>
      apply(
        prim(),
        inputs.map((x, i) =>
          batched[i]
            ? ops.reshape(
                ops.slice(
                  x,
                  x.shape.map((_, j) => (j === 0 ? b : 0)),
                  x.shape.map((d, j) => (j === 0 ? b + 1 : d)),
                ),
                x.shape.slice(1),
              )
            : x,
        ),
        params,
      ),
    )
    return ops.stack(rows, 0)
  }
