/**
 * The steps of a plan for equations that are not fused: matmul and contiguous sums run the
 * WebAssembly kernels on buffer addresses (a large product in the shared arena is split across its
 * helper threads, as the eager back end splits it); softmax and logSoftmax run one tight loop over
 * the buffers; reshape is free (it shares its operand's buffer); cast
 * and transpose copy between views; any other primitive runs its own forward kernel on tensors that
 * view the buffers, writing into the output buffer (`forwardInto`) or into a fresh array that is
 * copied in.
 *
 * @module jit/steps
 */
import {
  type Arena,
  broadcastStrides,
  type GemmCall,
  kernels,
  makeTensor,
  planThreadThreshold,
  type Shape,
  type SharedArena,
  SplitChoice,
  sizeOf,
} from '../tensor/internal.js'
import type { Buffers, KeptPacking } from './buffers.js'
import type { Equation } from './ir.js'
import { dtypeOf, shapeOf } from './ir.js'

/** The step of one equation. */
export const singleStep = (eq: Equation, buffers: Buffers): (() => void) => {
  const out = eq.outputs[0]!
  switch (eq.prim.name) {
    case 'reshape':
    case 'stopGradient':
      return () => {}
    case 'matmul':
      return matmulStep(eq, buffers)
    case 'sum': {
      const step = sumStep(eq, buffers)
      if (step !== undefined) return step
      break
    }
    case 'softmax':
    case 'logSoftmax':
      return softmaxStep(eq, buffers)
    case 'cast': {
      const [x, y] = [buffers.view(eq.inputs[0]!), buffers.view(out)]
      return () => y.set(x)
    }
    case 'transpose': {
      const x = eq.inputs[0]!
      const [from, to] = [buffers.view(x), buffers.view(out)]
      const { perm } = eq.params as { perm: readonly number[] }
      const shape = shapeOf(x)
      return () => kernels().transpose(from, shape, perm, to)
    }
  }
  // any other primitive: its forward kernel over tensors that view the buffers, writing straight
  // into the output's buffer when it can (never one of its inputs': see buffers.ts), else into a
  // fresh array copied in
  const inputs = eq.inputs.map((a) => makeTensor([...shapeOf(a)], dtypeOf(a), buffers.view(a)))
  const target = buffers.view(out)
  const spec = { shape: out.shape, dtype: out.dtype }
  const into = eq.prim.forwardInto
  if (into !== undefined) return () => into(inputs, eq.params, spec, target)
  return () => target.set(eq.prim.forward(inputs, eq.params, spec))
}

/**
 * softmax and logSoftmax as one tight loop over the buffers, with the primitives' own arithmetic
 * (`softmaxRows`: float64 rows shifted by their finite maximum), so the values are the eager ones
 * bit for bit.
 */
const softmaxStep = (eq: Equation, buffers: Buffers): (() => void) => {
  const x = eq.inputs[0]!
  const shape = shapeOf(x)
  const { axis } = eq.params as { axis: number }
  const n = shape[axis]!
  const inner = sizeOf(shape.slice(axis + 1))
  const outer = sizeOf(shape.slice(0, axis))
  const [from, to] = [buffers.view(x), buffers.view(eq.outputs[0]!)]
  const log = eq.prim.name === 'logSoftmax'
  return () => {
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i
        const end = base + n * inner
        let m = Number.NEGATIVE_INFINITY
        for (let at = base; at < end; at += inner) m = Math.max(m, from[at]!)
        const shift = Number.isFinite(m) ? m : 0
        let total = 0
        for (let at = base; at < end; at += inner) total += Math.exp(from[at]! - shift)
        const logTotal = Math.log(total)
        if (log) for (let at = base; at < end; at += inner) to[at] = from[at]! - shift - logTotal
        else for (let at = base; at < end; at += inner) to[at] = Math.exp(from[at]! - shift - logTotal)
      }
  }
}

const sumStep = (eq: Equation, buffers: Buffers): (() => void) | undefined => {
  const x = eq.inputs[0]!
  const shape = shapeOf(x)
  const { axes } = eq.params as { axes: readonly number[] }
  if (axes.length === 0 || axes.at(-1)! - axes[0]! + 1 !== axes.length) return undefined
  const size = (from: number, to: number) => shape.slice(from, to).reduce((p, d) => p * d, 1)
  const [outer, middle, inner] = [
    size(0, axes[0]!),
    size(axes[0]!, axes.at(-1)! + 1),
    size(axes.at(-1)! + 1, shape.length),
  ]
  const k = dtypeOf(x) === 'float64' ? buffers.arena.kernels.f64 : buffers.arena.kernels.f32
  const [from, to] = [buffers.address(x), buffers.address(eq.outputs[0]!)]
  return () => k.sum(from, to, outer, middle, inner)
}

/** The sizes of a matmul equation's products (each batch entry is one `m × k` by `k × n` product). */
export const matmulSizes = (eq: Equation): { m: number; n: number; k: number } => {
  const out = eq.outputs[0]!
  const aShape = shapeOf(eq.inputs[0]!)
  const { transposeA } = eq.params as { transposeA: boolean }
  const rank = out.shape.length
  return {
    m: out.shape[rank - 2]!,
    n: out.shape[rank - 1]!,
    k: transposeA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!,
  }
}

/**
 * Whether a matmul runs split across the shared arena's helper threads: it is big enough to pay
 * for waking them (the eager threshold) and they have started (they start here, synchronously).
 */
export const threadedMatmul = (eq: Equation, shared: SharedArena | undefined): boolean => {
  const { m, n, k } = matmulSizes(eq)
  return shared !== undefined && m * n * k >= planThreadThreshold && shared.startThreads() > 0
}

// whether splitting pays, measured over every plan's products (see splitChoice.ts): a product the
// plan may split runs split or on this thread, whichever has been faster lately
const planSplitChoice = new SplitChoice()

/** How `threadedGemm` split a product (undefined: it did not). */
type SplitKind = ReturnType<SharedArena['threadedGemm']>

/**
 * Runs a product the plan may split: across the shared arena's helper threads or with `single` on
 * this thread (same kernel, same bits), whichever has measured faster for its size. Returns how it
 * was split (undefined: `single` ran).
 */
export const runSplittable = (shared: SharedArena, call: GemmCall, single: () => void): SplitKind => {
  const macs = call.m * call.n * call.k
  const began = performance.now()
  const kind = planSplitChoice.choose(macs, call.precision) ? shared.threadedGemm(call) : undefined
  if (kind === undefined) single()
  planSplitChoice.record(macs, kind !== undefined, performance.now() - began, call.precision)
  return kind
}

/**
 * A product's op(B) packed into its kept range (`KeptPacking`) only when the values there changed:
 * `ready` when the range holds the packing of op(B)'s current values, `pack` packs it on this
 * thread, `packedBy` notes the packing a row split just made there (a column split packs its own
 * panels and leaves the range alone). Versions only grow, so a packing interrupted half-way is
 * never taken for the current one.
 */
export const keptPackingOf = (keep: KeptPacking, kernel: Arena['kernels']['f32'], call: GemmCall) => {
  // the version of op(B) whose packing the range holds (-1: none)
  let holds = -1
  return {
    ready: (): boolean => holds === keep.version(),
    pack: (): void => {
      holds = -1
      kernel.packAll(call.b, call.rowStrideB, call.colStrideB, call.n, call.k, keep.at, 0, 1)
      holds = keep.version()
    },
    packedBy: (kind: SplitKind): void => {
      if (kind === 'rows') holds = keep.version()
    },
  }
}

/** What finishes a product's rows after it (an epilogue): block by block on this thread, or all. */
export interface RowFinisher {
  readonly rowsPerBlock: number
  /** Finishes rows `[i · rowsPerBlock, …)` (those of block `i`). */
  block(i: number): void
  all(): void
}

/**
 * The step of a single product with a kept packing of op(B): on this thread `gemmRows` on the
 * packing (packed first when op(B) changed), block by block when `finish` finishes blocks; split,
 * a row split packs it there only when it changed, and `finish` finishes all rows after.
 */
export const keptProduct = (
  call: GemmCall,
  keep: KeptPacking,
  kernel: Arena['kernels']['f32'],
  shared: SharedArena | undefined,
  finish?: RowFinisher,
): (() => void) => {
  const { m, n, k, rowStrideA: rsA, colStrideA: csA } = call
  const e = call.precision === 'f64' ? 8 : 4
  const kept = keptPackingOf(keep, kernel, call)
  const rowsPerBlock = finish?.rowsPerBlock ?? m
  const blocks = Array.from({ length: Math.ceil(m / rowsPerBlock) }, (_, i) => {
    const first = i * rowsPerBlock
    return { a: call.a + first * rsA * e, c: call.c + first * n * e, rows: Math.min(rowsPerBlock, m - first) }
  })
  const single = () => {
    if (!kept.ready()) kept.pack()
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i]!
      kernel.gemmRows(block.a, rsA, csA, keep.at, block.c, n, block.rows, n, k, call.scratch)
      finish?.block(i)
    }
  }
  if (shared === undefined) return single
  // laid out once: a run allocates nothing
  const fresh: GemmCall = { ...call, packed: { at: keep.at, ready: false } }
  const ready: GemmCall = { ...call, packed: { at: keep.at, ready: true } }
  return () => {
    const kind = runSplittable(shared, kept.ready() ? ready : fresh, single)
    kept.packedBy(kind)
    if (kind !== undefined) finish?.all()
  }
}

const matmulStep = (eq: Equation, buffers: Buffers): (() => void) => {
  const [a, b] = eq.inputs as [Equation['inputs'][0], Equation['inputs'][0]]
  const out = eq.outputs[0]!
  const { transposeA, transposeB } = eq.params as { transposeA: boolean; transposeB: boolean }
  const [aShape, bShape, outShape] = [shapeOf(a), shapeOf(b), out.shape]
  const { m, n, k } = matmulSizes(eq)
  const kernel = out.dtype === 'float64' ? buffers.arena.kernels.f64 : buffers.arena.kernels.f32
  const e = out.dtype === 'float64' ? 8 : 4
  const [rsA, csA] = transposeA ? [1, m] : [k, 1]
  const [rsB, csB] = transposeB ? [1, k] : [n, 1]
  const batch: Shape = outShape.slice(0, -2)
  const aOffsets = batchOffsets(aShape.slice(0, -2), batch, m * k)
  const bOffsets = batchOffsets(bShape.slice(0, -2), batch, k * n)
  const [aAt, bAt, cAt] = [buffers.address(a), buffers.address(b), buffers.address(out)]
  const scratch = buffers.scratch
  if (k === 0 || sizeOf(outShape) === 0) {
    const target = buffers.view(out)
    return () => target.fill(0)
  }
  const shared = buffers.splits.has(eq) ? buffers.shared : undefined
  const precision = out.dtype === 'float64' ? 'f64' : 'f32'
  // one call per batch entry, laid out once (a run allocates nothing)
  const calls: GemmCall[] = aOffsets.map((aOffset, i) => ({
    precision,
    a: aAt + aOffset * e,
    rowStrideA: rsA,
    colStrideA: csA,
    b: bAt + bOffsets[i]! * e,
    rowStrideB: rsB,
    colStrideB: csB,
    c: cAt + i * m * n * e,
    m,
    n,
    k,
    scratch,
  }))
  const keep = calls.length === 1 ? buffers.keptPacking(eq) : undefined
  if (keep !== undefined) return keptProduct(calls[0]!, keep, kernel, shared)
  const singles = calls.map(
    (call) => () => kernel.gemm(call.a, rsA, csA, call.b, rsB, csB, call.c, n, m, n, k, scratch),
  )
  if (shared === undefined)
    return () => {
      for (const single of singles) single()
    }
  return () => {
    for (let i = 0; i < calls.length; i++) runSplittable(shared, calls[i]!, singles[i]!)
  }
}

/** Element offset of each batch entry of an operand, in the order of the output's batch. */
const batchOffsets = (shape: Shape, batch: Shape, matrix: number): number[] => {
  const strides = broadcastStrides(shape, batch)
  const count = sizeOf(batch)
  const offsets: number[] = []
  for (let flat = 0; flat < count; flat++) {
    let rest = flat
    let offset = 0
    for (let d = batch.length - 1; d >= 0; d--) {
      offset += (rest % batch[d]!) * strides[d]!
      rest = Math.floor(rest / batch[d]!)
    }
    offsets.push(offset * matrix)
  }
  return offsets
}
