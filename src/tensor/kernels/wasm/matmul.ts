/**
 * The batched matrix product on the WebAssembly kernels: copies both operands into kernel memory
 * once, runs one `gemm` per batch entry (transposes become swapped strides, which packing absorbs),
 * and copies the result out. A product big enough to pay for waking a thread is split between the
 * calling thread and the ready workers, by rows or by columns (whichever is longer), each share
 * packing its own panels.
 *
 * @module kernels/wasm/matmul
 */
import type { Shape } from '../../shape.js'
import { broadcastStrides } from '../reference.js'
import type { FloatArray, MatmulArgs } from '../types.js'
import { scratchLayout } from './gemm.js'
import { align16, type Heap } from './heap.js'
import type { KernelInstance } from './module.js'
import type { GemmJob, GemmThreads } from './threads.js'

/** Where a product runs: an instance, its memory, and (for a shared memory) helper threads. */
export interface MatmulTarget {
  readonly instance: KernelInstance
  readonly heap: Heap
  /** First byte the product may use (the control blocks sit below it in a shared memory). */
  readonly base: number
  readonly threads: GemmThreads | undefined
  /** Multiply-adds per product from which it is split across threads. */
  readonly threadThreshold: number
}

/** Offsets (in elements) of each batch entry of `a` and `b`, in the batch order of the output. */
const batchOffsets = (
  aShape: Shape,
  bShape: Shape,
  batchShape: Shape,
  aMatrix: number,
  bMatrix: number,
): [number[], number[]] => {
  const aStrides = broadcastStrides(aShape.slice(0, -2), batchShape).map((s) => s * aMatrix)
  const bStrides = broadcastStrides(bShape.slice(0, -2), batchShape).map((s) => s * bMatrix)
  let count = 1
  for (const d of batchShape) count *= d
  const aOffsets = new Array<number>(count)
  const bOffsets = new Array<number>(count)
  const counter = new Array<number>(batchShape.length).fill(0)
  let ia = 0
  let ib = 0
  for (let flat = 0; flat < count; flat++) {
    aOffsets[flat] = ia
    bOffsets[flat] = ib
    for (let d = batchShape.length - 1; d >= 0; d--) {
      counter[d]!++
      ia += aStrides[d]!
      ib += bStrides[d]!
      if (counter[d]! < batchShape[d]!) break
      ia -= aStrides[d]! * batchShape[d]!
      ib -= bStrides[d]! * batchShape[d]!
      counter[d] = 0
    }
  }
  return [aOffsets, bOffsets]
}

/** Splits `[0, length)` into at most `parts` ranges whose starts are multiples of `align`. */
const split = (length: number, parts: number, align: number): [number, number][] => {
  const size = Math.ceil(length / parts / align) * align
  const ranges: [number, number][] = []
  for (let start = 0; start < length; start += size) ranges.push([start, Math.min(length, start + size)])
  return ranges
}

/**
 * Runs a matmul on `target`; returns false (having written nothing) when it does not fit in kernel
 * memory, so the caller can fall back to the reference kernels.
 */
export const wasmMatmul = (target: MatmulTarget, args: MatmulArgs): boolean => {
  const { a, aShape, b, bShape, out, outShape, transposeA, transposeB } = args
  const rank = outShape.length
  const m = outShape[rank - 2]!
  const n = outShape[rank - 1]!
  const k = transposeA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!
  if (out.length === 0) return true
  if (k === 0) {
    out.fill(0)
    return true
  }
  const kernels = a instanceof Float32Array ? target.instance.f32 : target.instance.f64
  const e = a.BYTES_PER_ELEMENT
  const scratchBytes = scratchLayout(kernels.gemmShape).total
  const workers = target.threads?.ready ?? 0
  const threaded = workers > 0 && m * n * k >= target.threadThreshold
  const shares = threaded ? workers + 1 : 1
  const aAt = target.base
  const bAt = aAt + align16(a.length * e)
  const cAt = bAt + align16(b.length * e)
  const scratchAt = cAt + align16(out.length * e)
  if (!target.heap.ensure(scratchAt + shares * scratchBytes)) return false
  const heap = target.heap.viewFor(a)
  heap.set(a, aAt / e)
  heap.set(b, bAt / e)
  const [rsA, csA] = transposeA ? [1, m] : [k, 1]
  const [rsB, csB] = transposeB ? [1, k] : [n, 1]
  const [aOffsets, bOffsets] = batchOffsets(aShape, bShape, outShape.slice(0, -2), m * k, k * n)
  for (let batch = 0; batch < aOffsets.length; batch++) {
    const aPtr = aAt + aOffsets[batch]! * e
    const bPtr = bAt + bOffsets[batch]! * e
    const cPtr = cAt + batch * m * n * e
    if (!threaded) {
      kernels.gemm(aPtr, rsA, csA, bPtr, rsB, csB, cPtr, n, m, n, k, scratchAt)
      continue
    }
    const { mr, nrVectors, lanes } = kernels.gemmShape
    const byRows = m >= n
    const ranges = split(byRows ? m : n, shares, byRows ? mr : nrVectors * lanes.lanes)
    const jobs: GemmJob[] = ranges.map(([start, end], share) => {
      const scratch = scratchAt + share * scratchBytes
      const args = byRows
        ? [
            aPtr + start * rsA * e,
            rsA,
            csA,
            bPtr,
            rsB,
            csB,
            cPtr + start * n * e,
            n,
            end - start,
            n,
            k,
            scratch,
          ]
        : [aPtr, rsA, csA, bPtr + start * csB * e, rsB, csB, cPtr + start * e, n, m, end - start, k, scratch]
      return { precision: lanes.precision, args }
    })
    target.threads!.run(jobs, ({ args: g }) => {
      kernels.gemm(g[0]!, g[1]!, g[2]!, g[3]!, g[4]!, g[5]!, g[6]!, g[7]!, g[8]!, g[9]!, g[10]!, g[11]!)
    })
  }
  const result = heap.subarray(cAt / e, cAt / e + out.length) as FloatArray
  out.set(result)
  return true
}
