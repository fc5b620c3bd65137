/**
 * The batching interpreter (internal), `vmap`'s engine. A `BatchTrace` follows tensors that stand
 * for a whole batch: each such tensor has the shape of one example, and its box holds the batched
 * value one level down, with the batch along axis 0. A primitive applied to a followed tensor is
 * handed to the primitive's own batching rule (`Prim.batch`), which computes it for every example
 * at once one level down; the result is followed in turn. Like the reverse tracer it goes through
 * the one `apply()` door and has a level, so it nests with itself and with every other transform
 * in any order.
 *
 * The storage of a followed tensor is a stand-in (the interpreter says `placeholders`): readers
 * refuse it, and value-dependent shortcuts of other interpreters skip it.
 *
 * @module vmap/batch
 */
import {
  type AnyTensor,
  allocate,
  type Box,
  boxFor,
  formatShape,
  type Interpreter,
  lowerTo,
  makeTensor,
  ops,
  type Prim,
  sizeOf,
  storage,
} from '../tensor/internal.js'

/** A tensor this trace follows: its box holds the batched value (batch on axis 0). */
interface BatchBox extends Box {
  readonly interpreter: BatchTrace
}

export class BatchTrace implements Interpreter {
  readonly level: number
  /** The number of examples. */
  readonly size: number
  active = true
  readonly placeholders = true
  readonly transform = 'vmap'

  constructor(level: number, size: number) {
    this.level = level
    this.size = size
  }

  /** Follows a batched value (batch on axis 0, seen below this level): one example's shape. */
  box(value: AnyTensor): AnyTensor {
    if (value.shape[0] !== this.size)
      throw new Error(
        `nabla internal error: a batch of ${this.size} got a value of shape ${formatShape(value.shape)}`,
      )
    const shape = value.shape.slice(1)
    const size = sizeOf(shape)
    const data = storage(value)
    // a stand-in of the example's size: a view where the batch is long enough (no allocation)
    const standIn = data.length >= size ? data.subarray(0, size) : allocate(value.dtype, size)
    const box: BatchBox = { interpreter: this, primal: value }
    return makeTensor(shape, value.dtype, standIn, box)
  }

  /** The batched value of `t` (batch on axis 0) when this trace follows it, else undefined. */
  unbox(t: AnyTensor): AnyTensor | undefined {
    return boxFor(t, this)?.primal
  }

  process(prim: Prim<any>, inputs: readonly AnyTensor[], params: unknown): AnyTensor {
    const batchedValues = inputs.map((t) => this.unbox(t))
    const values = inputs.map((t, i) => batchedValues[i] ?? lowerTo(t, this.level))
    const batched = batchedValues.map((v) => v !== undefined)
    const output = prim.batch(ops, values, batched, params, this.size)
    return this.box(output)
  }
}
