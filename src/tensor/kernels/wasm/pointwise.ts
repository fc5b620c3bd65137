/**
 * Drives the elementwise WebAssembly kernels. A broadcast binary op is first collapsed to
 * `[outer, inner]` blocks, where along `inner` each operand is either contiguous or one repeated
 * value (same shapes, a scalar operand, a bias row `[m, n] + [n]`, a column `[m, n] + [m, 1]`, and
 * any shape that merges into one of these), with at most one dimension of such blocks around them
 * (a channel bias `[N, C, H, W] + [C, 1, 1]` is N blocks of `[C, H·W]` with a value per row); other
 * patterns return false and stay on the reference kernels. Large arrays are processed in chunks of
 * rows (a megabyte of float32 per operand), so kernel memory stays small however large the arrays.
 * `where` runs branch-free in WebAssembly for a full-length condition (a random ReLU mask makes a
 * JavaScript loop mispredict every other element).
 *
 * @module kernels/wasm/pointwise
 */
import type { Shape } from '../../shape.js'
import { broadcastStrides } from '../reference.js'
import type { FloatArray } from '../types.js'
import { BinaryMode, WhereMode } from './elementwise.js'
import { align16, type Heap } from './heap.js'
import type { BinaryFunction, UnaryFunction, WhereFunction } from './module.js'

/**
 * Elements per operand per chunk. 64 KiB chunks (to stay in L2) cost more in calls and copies than
 * they saved: `sub(x, mul(y, 0.01))` over 1e6 float32 ran 1.24–1.39× faster with 1 MB chunks
 * (alternating in one process), the same at 100k and 20k elements.
 */
export const chunkElements = 262144

/** A binary op as blocks of two dimensions, with each operand's strides (in elements). */
export interface BinaryPlan {
  /** Blocks of `[outer, inner]` elements, one after the other in the output. */
  readonly blocks: number
  readonly aBlock: number
  readonly bBlock: number
  readonly outer: number
  readonly inner: number
  readonly aOuter: number
  readonly aInner: number
  readonly bOuter: number
  readonly bInner: number
}

/**
 * Collapses a broadcast binary op to `[blocks, outer, inner]` with inner strides 0 or 1; `undefined`
 * when it does not collapse that far.
 */
export const planBinary = (aShape: Shape, bShape: Shape, outShape: Shape): BinaryPlan | undefined => {
  const sa = broadcastStrides(aShape, outShape)
  const sb = broadcastStrides(bShape, outShape)
  const dims: { size: number; a: number; b: number }[] = []
  for (let i = outShape.length - 1; i >= 0; i--) {
    const size = outShape[i]!
    if (size === 1) continue
    const last = dims.at(-1)
    if (last !== undefined && sa[i] === last.a * last.size && sb[i] === last.b * last.size) last.size *= size
    else dims.push({ size, a: sa[i]!, b: sb[i]! })
    if (dims.length > 3) return undefined
  }
  const inner = dims[0] ?? { size: 1, a: 1, b: 1 }
  const outer = dims[1] ?? { size: 1, a: 0, b: 0 }
  const block = dims[2] ?? { size: 1, a: 0, b: 0 }
  if (inner.a > 1 || inner.b > 1 || (inner.a === 0 && inner.b === 0 && inner.size > 1)) return undefined
  return {
    blocks: block.size,
    aBlock: block.a,
    bBlock: block.b,
    outer: outer.size,
    inner: inner.size,
    aOuter: outer.a,
    aInner: inner.a,
    bOuter: outer.b,
    bInner: inner.b,
  }
}

/** Elements of an operand that rows `[0, rows)` read. */
const span = (rows: number, inner: number, outerStride: number, innerStride: number): number =>
  rows === 0 || inner === 0 ? 0 : (rows - 1) * outerStride + (inner - 1) * innerStride + 1

/**
 * Runs a planned binary op; false when the operands do not fit in kernel memory. Rows longer than
 * a chunk are cut into segments; shorter rows are grouped into chunks of whole rows.
 */
export const runBinary = (
  heap: Heap,
  kernel: BinaryFunction,
  plan: BinaryPlan,
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
): boolean => {
  const { blocks, aBlock, bBlock, outer, inner, aOuter, aInner, bOuter, bInner } = plan
  const e = out.BYTES_PER_ELEMENT
  const segment = Math.min(inner, chunkElements)
  const rowsPerChunk =
    inner > segment ? 1 : Math.max(1, Math.min(outer, Math.floor(chunkElements / Math.max(1, inner))))
  const aAt = 0
  const bAt = align16(span(rowsPerChunk, segment, aOuter, aInner) * e)
  const outAt = bAt + align16(span(rowsPerChunk, segment, bOuter, bInner) * e)
  if (!heap.ensure(outAt + rowsPerChunk * segment * e)) return false
  const view = heap.viewFor(out)
  const mode =
    inner > 1 && bInner === 0 ? BinaryMode.bPerRow : inner > 1 && aInner === 0 ? BinaryMode.aPerRow : 0
  const whole = segment === inner
  for (let block = 0; block < blocks; block++)
    for (let row = 0; row < outer; row += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, outer - row)
      for (let from = 0; from < inner; from += segment) {
        const length = Math.min(segment, inner - from)
        const aStart = block * aBlock + row * aOuter + from * aInner
        const bStart = block * bBlock + row * bOuter + from * bInner
        // an operand broadcast along whole rows is copied once per block
        if (row === 0 || aOuter !== 0 || !whole)
          view.set(a.subarray(aStart, aStart + span(rows, length, aOuter, aInner)), aAt / e)
        if (row === 0 || bOuter !== 0 || !whole)
          view.set(b.subarray(bStart, bStart + span(rows, length, bOuter, bInner)), bAt / e)
        kernel(aAt, bAt, outAt, rows, length, aOuter, bOuter, mode)
        out.set(view.subarray(outAt / e, outAt / e + rows * length), (block * outer + row) * inner + from)
      }
    }
  return true
}

/** Runs a unary op in chunks; false when a chunk does not fit in kernel memory. */
export const runUnary = (heap: Heap, kernel: UnaryFunction, x: FloatArray, out: FloatArray): boolean => {
  const e = out.BYTES_PER_ELEMENT
  const chunk = Math.min(chunkElements, out.length)
  const outAt = align16(chunk * e)
  if (!heap.ensure(2 * outAt)) return false
  const view = heap.viewFor(out)
  for (let start = 0; start < out.length; start += chunk) {
    const count = Math.min(chunk, out.length - start)
    view.set(x.subarray(start, start + count), 0)
    kernel(0, outAt, count)
    out.set(view.subarray(outAt / e, outAt / e + count), start)
  }
  return true
}

/**
 * Runs `where` in chunks when the condition is as long as the output and `a` and `b` are each
 * that long or one value; false otherwise, or when a chunk does not fit in kernel memory.
 */
export const runWhere = (
  heap: Heap,
  kernel: WhereFunction,
  condition: FloatArray,
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
): boolean => {
  const n = out.length
  const aScalar = a.length !== n
  const bScalar = b.length !== n
  if (condition.length !== n || (aScalar && a.length !== 1) || (bScalar && b.length !== 1)) return false
  const e = out.BYTES_PER_ELEMENT
  const chunk = Math.min(chunkElements, n)
  const stride = align16(chunk * e)
  if (!heap.ensure(4 * stride)) return false
  const view = heap.viewFor(out)
  const [conditionAt, aAt, bAt, outAt] = [0, stride, 2 * stride, 3 * stride]
  const mode = (aScalar ? WhereMode.aScalar : 0) | (bScalar ? WhereMode.bScalar : 0)
  if (aScalar) view[aAt / e] = a[0]!
  if (bScalar) view[bAt / e] = b[0]!
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start)
    view.set(condition.subarray(start, start + count), conditionAt / e)
    if (!aScalar) view.set(a.subarray(start, start + count), aAt / e)
    if (!bScalar) view.set(b.subarray(start, start + count), bAt / e)
    kernel(conditionAt, aAt, bAt, outAt, count, mode)
    out.set(view.subarray(outAt / e, outAt / e + count), start)
  }
  return true
}
