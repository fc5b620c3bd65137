/**
 * The plain TypeScript kernels: correct for every shape and dtype, reasonably fast, and the
 * reference every faster back end is property-tested against. Elementwise loops are generated once
 * per op from the op's expression, so each op gets its own monomorphic loop.
 *
 * @module kernels/reference
 */
import { type Shape, sizeOf, stridesOf } from '../shape.js'
import type { BinaryOp, FloatArray, Kernels, MatmulArgs, ReduceKind, UnaryOp } from './types.js'

/** Strides of `shape` read in the index space of `outShape` (0 along broadcast dimensions). */
export const broadcastStrides = (shape: Shape, outShape: Shape): number[] => {
  const own = stridesOf(shape)
  const offset = outShape.length - shape.length
  return outShape.map((_, i) => {
    const j = i - offset
    return j < 0 || shape[j] === 1 ? 0 : own[j]!
  })
}

type UnaryLoop = (x: FloatArray, out: FloatArray) => void
type BinaryLoop = (
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  outShape: Shape,
  aStrides: readonly number[],
  bStrides: readonly number[],
  mode: number,
) => void

const unaryLoops = new Map<string, UnaryLoop>()
const binaryLoops = new Map<string, BinaryLoop>()

const compileUnary = (op: UnaryOp): UnaryLoop => {
  let loop = unaryLoops.get(op.expr)
  if (loop === undefined) {
    loop = new Function(
      'input',
      'out',
      `for (let i = 0, n = out.length; i < n; i++) { const x = input[i]; out[i] = ${op.expr} }`,
    ) as UnaryLoop
    unaryLoops.set(op.expr, loop)
  }
  return loop
}

// mode 0: same shapes; 1: b is a single element; 2: a is a single element; 3: general broadcast
const compileBinary = (op: BinaryOp): BinaryLoop => {
  let loop = binaryLoops.get(op.expr)
  if (loop === undefined) {
    loop = new Function(
      'A',
      'B',
      'out',
      'outShape',
      'aStrides',
      'bStrides',
      'mode',
      `
      const n = out.length
      if (mode === 0) { for (let i = 0; i < n; i++) { const x = A[i], y = B[i]; out[i] = ${op.expr} } return }
      if (mode === 1) { const y = B[0]; for (let i = 0; i < n; i++) { const x = A[i]; out[i] = ${op.expr} } return }
      if (mode === 2) { const x = A[0]; for (let i = 0; i < n; i++) { const y = B[i]; out[i] = ${op.expr} } return }
      const rank = outShape.length
      const inner = outShape[rank - 1], sa = aStrides[rank - 1], sb = bStrides[rank - 1]
      const counter = new Array(rank).fill(0)
      let ia = 0, ib = 0
      for (let o = 0; o < n; o += inner) {
        let pa = ia, pb = ib
        for (let j = 0; j < inner; j++) { const x = A[pa], y = B[pb]; out[o + j] = ${op.expr}; pa += sa; pb += sb }
        for (let d = rank - 2; d >= 0; d--) {
          counter[d]++
          ia += aStrides[d]; ib += bStrides[d]
          if (counter[d] < outShape[d]) break
          ia -= aStrides[d] * outShape[d]; ib -= bStrides[d] * outShape[d]
          counter[d] = 0
        }
      }`,
    ) as BinaryLoop
    binaryLoops.set(op.expr, loop)
  }
  return loop
}

const binaryMode = (aLength: number, bLength: number, n: number): number =>
  aLength === n && bLength === n ? 0 : bLength === 1 ? 1 : aLength === 1 ? 2 : 3

/** Visits every index of `shape` in row-major order, calling `visit` with offsets along `strides`. */
const forEachOffset = (
  shape: Shape,
  stridesList: readonly (readonly number[])[],
  visit: (offsets: readonly number[], flat: number) => void,
): void => {
  const n = sizeOf(shape)
  if (n === 0) return
  const rank = shape.length
  const counter = new Array<number>(rank).fill(0)
  const offsets = stridesList.map(() => 0)
  for (let flat = 0; flat < n; flat++) {
    visit(offsets, flat)
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++
      for (let s = 0; s < stridesList.length; s++) offsets[s]! += stridesList[s]![d]!
      if (counter[d]! < shape[d]!) break
      for (let s = 0; s < stridesList.length; s++) offsets[s]! -= stridesList[s]![d]! * shape[d]!
      counter[d] = 0
    }
  }
}

const initial = (kind: ReduceKind): number => (kind === 'sum' ? 0 : kind === 'max' ? -Infinity : Infinity)

const combine = (kind: ReduceKind, acc: number, v: number): number =>
  kind === 'sum'
    ? acc + v
    : kind === 'max'
      ? v > acc || Number.isNaN(v)
        ? v
        : acc
      : v < acc || Number.isNaN(v)
        ? v
        : acc

const reduce = (
  kind: ReduceKind,
  x: FloatArray,
  shape: Shape,
  axes: readonly number[],
  out: FloatArray,
): void => {
  const rank = shape.length
  const reduced = new Array<boolean>(rank).fill(false)
  for (const a of axes) reduced[a] = true
  // split into [outer kept][reduced][inner kept] when the reduced axes are contiguous
  const first = axes.length === 0 ? rank : axes[0]!
  const last = axes.length === 0 ? rank - 1 : axes[axes.length - 1]!
  const contiguous = axes.length === 0 || last - first + 1 === axes.length
  if (contiguous) {
    const outer = sizeOf(shape.slice(0, first))
    const middle = sizeOf(shape.slice(first, last + 1))
    const inner = sizeOf(shape.slice(last + 1))
    const acc = new Float64Array(inner)
    for (let o = 0; o < outer; o++) {
      acc.fill(initial(kind))
      const base = o * middle * inner
      if (kind === 'sum') {
        for (let m = 0; m < middle; m++) {
          const row = base + m * inner
          for (let i = 0; i < inner; i++) acc[i]! += x[row + i]!
        }
      } else {
        for (let m = 0; m < middle; m++) {
          const row = base + m * inner
          for (let i = 0; i < inner; i++) acc[i] = combine(kind, acc[i]!, x[row + i]!)
        }
      }
      out.set(acc, o * inner)
    }
    return
  }
  out.set(scatteredReduce(kind, x, shape, reduced))
}

/** An array viewed as alternating runs of kept and reduced axes. */
export interface AxisRuns {
  readonly sizes: readonly number[]
  readonly reduced: readonly boolean[]
}

/**
 * Merges `shape`'s axes into runs (axes of size 1 dropped, neighbours of the same kind merged);
 * `isReduced(i)` says which axes are reduced. Used by the scattered reduction here and by the
 * WebAssembly sums (wasm/sums.ts).
 * @example
 * import { runsOf } from './reference.js'
 * runsOf([64, 16, 24, 24], (i) => i !== 1) // { sizes: [64, 16, 576], reduced: [true, false, true] }
 */
export const runsOf = (shape: readonly number[], isReduced: (axis: number) => boolean): AxisRuns => {
  const sizes: number[] = []
  const reduced: boolean[] = []
  shape.forEach((d, i) => {
    if (d === 1) return
    if (sizes.length > 0 && reduced.at(-1) === isReduced(i)) sizes[sizes.length - 1]! *= d
    else {
      sizes.push(d)
      reduced.push(isReduced(i))
    }
  })
  return { sizes, reduced }
}

/**
 * A reduction over axes that are not contiguous (say a bias gradient's sum over `[0, 2, 3]` of
 * `[N, C, H, W]`): neighbouring axes of the same kind merge into one, and the last merged axis
 * runs as a tight loop — a contiguous run summed into one output, or a kept row combined into a
 * row of outputs. Every output still takes its inputs one by one in row-major order, so the result
 * is the same, bit for bit, as visiting the elements one at a time.
 */
const scatteredReduce = (
  kind: ReduceKind,
  x: FloatArray,
  shape: Shape,
  reduced: readonly boolean[],
): Float64Array => {
  const { sizes, reduced: kinds } = runsOf(shape, (i) => reduced[i]!)
  const outSize = sizes.reduce((n, d, i) => (kinds[i] ? n : n * d), 1)
  const acc = new Float64Array(outSize).fill(initial(kind))
  if (sizeOf(shape) === 0) return acc
  const last = sizes.length - 1
  const run = last < 0 ? 1 : sizes[last]!
  const runReduced = last >= 0 && kinds[last]!
  const outStrides = stridesOf(sizes.map((d, i) => (kinds[i] ? 1 : d))).map((s, i) => (kinds[i] ? 0 : s))
  forEachOffset(
    sizes.slice(0, Math.max(last, 0)),
    [outStrides.slice(0, Math.max(last, 0))],
    (offsets, flat) => {
      const start = flat * run
      const o = offsets[0]!
      if (runReduced) {
        let a = acc[o]!
        if (kind === 'sum') for (let j = 0; j < run; j++) a += x[start + j]!
        else for (let j = 0; j < run; j++) a = combine(kind, a, x[start + j]!)
        acc[o] = a
      } else if (kind === 'sum') for (let j = 0; j < run; j++) acc[o + j]! += x[start + j]!
      else for (let j = 0; j < run; j++) acc[o + j] = combine(kind, acc[o + j]!, x[start + j]!)
    },
  )
  return acc
}

/** Copies a matrix stored transposed into row-major `rows × cols`. */
const packTransposed = (src: FloatArray, offset: number, rows: number, cols: number): Float64Array => {
  const packed = new Float64Array(rows * cols)
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) packed[r * cols + c] = src[offset + c * rows + r]!
  return packed
}

const gemm = (
  a: FloatArray,
  aOffset: number,
  transposeA: boolean,
  b: FloatArray,
  bOffset: number,
  transposeB: boolean,
  out: FloatArray,
  outOffset: number,
  m: number,
  k: number,
  n: number,
): void => {
  const left = transposeA ? packTransposed(a, aOffset, m, k) : a
  const leftOffset = transposeA ? 0 : aOffset
  const right = transposeB ? packTransposed(b, bOffset, k, n) : b
  const rightOffset = transposeB ? 0 : bOffset
  const row = new Float64Array(n)
  for (let i = 0; i < m; i++) {
    row.fill(0)
    const ai = leftOffset + i * k
    for (let p = 0; p < k; p++) {
      const aip = left[ai + p]!
      const bp = rightOffset + p * n
      for (let j = 0; j < n; j++) row[j]! += aip * right[bp + j]!
    }
    out.set(row, outOffset + i * n)
  }
}

const matmul = (args: MatmulArgs): void => {
  const { a, aShape, b, bShape, out, outShape, transposeA, transposeB } = args
  const rank = outShape.length
  const m = outShape[rank - 2]!
  const n = outShape[rank - 1]!
  const k = transposeA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!
  const batchShape = outShape.slice(0, rank - 2)
  const aBatch = broadcastStrides(aShape.slice(0, -2), batchShape).map((s) => s * m * k)
  const bBatch = broadcastStrides(bShape.slice(0, -2), batchShape).map((s) => s * k * n)
  if (batchShape.length === 0) {
    gemm(a, 0, transposeA, b, 0, transposeB, out, 0, m, k, n)
    return
  }
  forEachOffset(batchShape, [aBatch, bBatch], (offsets, flat) => {
    gemm(a, offsets[0]!, transposeA, b, offsets[1]!, transposeB, out, flat * m * n, m, k, n)
  })
}

const broadcastTo = (x: FloatArray, shape: Shape, out: FloatArray, outShape: Shape): void => {
  if (x.length === 1) {
    out.fill(x[0]!)
    return
  }
  forEachOffset(outShape, [broadcastStrides(shape, outShape)], (offsets, flat) => {
    out[flat] = x[offsets[0]!]!
  })
}

const transpose = (x: FloatArray, shape: Shape, perm: readonly number[], out: FloatArray): void => {
  const strides = stridesOf(shape)
  const outShape = perm.map((p) => shape[p]!)
  const permuted = perm.map((p) => strides[p]!)
  forEachOffset(outShape, [permuted], (offsets, flat) => {
    out[flat] = x[offsets[0]!]!
  })
}

const slice = (
  x: FloatArray,
  shape: Shape,
  begin: readonly number[],
  out: FloatArray,
  outShape: Shape,
): void => {
  const strides = stridesOf(shape)
  let start = 0
  for (let i = 0; i < shape.length; i++) start += begin[i]! * strides[i]!
  const rank = outShape.length
  const inner = rank === 0 ? 1 : outShape[rank - 1]!
  if (inner === 0 || out.length === 0) return
  const outer = outShape.slice(0, -1)
  if (rank === 0) {
    out[0] = x[start]!
    return
  }
  forEachOffset(outer, [strides.slice(0, -1)], (offsets, flat) => {
    const from = start + offsets[0]!
    out.set(x.subarray(from, from + inner), flat * inner)
  })
}

const pad = (
  x: FloatArray,
  shape: Shape,
  before: readonly number[],
  out: FloatArray,
  outShape: Shape,
): void => {
  const outStrides = stridesOf(outShape)
  let start = 0
  for (let i = 0; i < shape.length; i++) start += before[i]! * outStrides[i]!
  const rank = shape.length
  if (rank === 0) {
    out[0] = x[0]!
    return
  }
  const inner = shape[rank - 1]!
  if (inner === 0 || x.length === 0) return
  forEachOffset(shape.slice(0, -1), [outStrides.slice(0, -1)], (offsets, flat) => {
    out.set(x.subarray(flat * inner, flat * inner + inner), start + offsets[0]!)
  })
}

const concat = (
  parts: readonly FloatArray[],
  shapes: readonly Shape[],
  axis: number,
  out: FloatArray,
): void => {
  const first = shapes[0]!
  const outer = sizeOf(first.slice(0, axis))
  const chunks = shapes.map((s) => sizeOf(s.slice(axis)))
  const total = chunks.reduce((x, y) => x + y, 0)
  let offset = 0
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!
    const chunk = chunks[p]!
    for (let o = 0; o < outer; o++) out.set(part.subarray(o * chunk, o * chunk + chunk), o * total + offset)
    offset += chunk
  }
}

const gather = (x: FloatArray, shape: Shape, indices: FloatArray, axis: number, out: FloatArray): void => {
  const outer = sizeOf(shape.slice(0, axis))
  const length = shape[axis]!
  const inner = sizeOf(shape.slice(axis + 1))
  const count = indices.length
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < count; i++) {
      const from = (o * length + indices[i]!) * inner
      out.set(x.subarray(from, from + inner), (o * count + i) * inner)
    }
}

const scatterAdd = (
  values: FloatArray,
  indices: FloatArray,
  axis: number,
  outShape: Shape,
  out: FloatArray,
): void => {
  const outer = sizeOf(outShape.slice(0, axis))
  const length = outShape[axis]!
  const inner = sizeOf(outShape.slice(axis + 1))
  const count = indices.length
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < count; i++) {
      const to = (o * length + indices[i]!) * inner
      const from = (o * count + i) * inner
      for (let j = 0; j < inner; j++) out[to + j]! += values[from + j]!
    }
}

const where = (
  condition: FloatArray,
  conditionShape: Shape,
  a: FloatArray,
  aShape: Shape,
  b: FloatArray,
  bShape: Shape,
  out: FloatArray,
  outShape: Shape,
): void => {
  if (condition.length === out.length && a.length === out.length && b.length === out.length) {
    for (let i = 0; i < out.length; i++) out[i] = condition[i] !== 0 ? a[i]! : b[i]!
    return
  }
  const strides = [conditionShape, aShape, bShape].map((s) => broadcastStrides(s, outShape))
  forEachOffset(outShape, strides, (offsets, flat) => {
    out[flat] = condition[offsets[0]!] !== 0 ? a[offsets[1]!]! : b[offsets[2]!]!
  })
}

/**
 * The reference back end: plain TypeScript loops, the fallback every faster back end is tested
 * against.
 * @example
 * import { referenceKernels, useKernels } from 'nabla'
 * const previous = useKernels(referenceKernels) // run on the reference loops
 * useKernels(previous)
 */
export const referenceKernels: Kernels = {
  name: 'reference',
  unary: (op, x, out) => compileUnary(op)(x, out),
  binary: (op, a, aShape, b, bShape, out, outShape) => {
    const mode = binaryMode(a.length, b.length, out.length)
    const loop = compileBinary(op)
    if (mode !== 3) loop(a, b, out, outShape, [], [], mode)
    else if (out.length > 0)
      loop(a, b, out, outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape), 3)
  },
  where,
  reduce,
  matmul,
  broadcastTo,
  transpose,
  slice,
  pad,
  concat,
  gather,
  scatterAdd,
}
