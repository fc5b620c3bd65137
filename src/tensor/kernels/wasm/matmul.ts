/**
 * The batched matrix product on the WebAssembly kernels: copies both operands into kernel memory
 * once, runs one `gemm` per batch entry (transposes become swapped strides, which packing absorbs),
 * and copies the result out. A product big enough to pay for waking a thread is cut into blocks of
 * rows (op(B) packed once first) or of columns (`splitOf`) that the calling thread and the ready
 * workers take off a shared counter (`threads.ts`, `shared.ts`).
 *
 * On the threaded target an operand of 64 KiB to 4 MiB that nabla owns is copied into one of four
 * slots and stays there (operandSlots.ts): a product given it again (a weight in the forward and
 * backward products, the same tensors multiplied in a loop, a model's weights over many batches)
 * skips the copy, which is serial work before the threads can start. A product split by rows also
 * packs a kept op(B) into a region beside its slot, where it stays packed for the next product that
 * multiplies by it the same way. Measured, the same product in a loop, alternating every 200 ms in one
 * process between copying and packing every time, keeping the operands, and keeping the packing too
 * (medians of 14, two processes): 512² 86.4 / 86.8 / 94.4 and 93.9 / 96.3 / 98.7 GFLOP/s; 256² 53.2 /
 * 65.6 / 86.8; 1024² 91.2 / 94.8 / 97.9.
 *
 * @module kernels/wasm/matmul
 */
import type { Shape } from '../../shape.js'
import { broadcastStrides } from '../reference.js'
import type { FloatArray, MatmulArgs } from '../types.js'
import { scratchLayout, tileColumns } from './gemm.js'
import { align16, type Heap } from './heap.js'
import { type Precision, precisionOf } from './lanes.js'
import type { KernelInstance, PrecisionKernels } from './module.js'
import { keepable, type OperandSlots } from './operandSlots.js'
import { packedBytes, rowsScratchBytes } from './shared.js'
import { type Split, splitOf, taskRange } from './splits.js'
import type { HeapProduct } from './taskLoop.js'
import type { GemmThreads } from './threads.js'

/** Where a product runs: an instance, its memory, and (for a shared memory) helper threads. */
export interface MatmulTarget {
  readonly instance: KernelInstance
  readonly heap: Heap
  /** First byte the product may use (the control blocks sit below it in a shared memory). */
  readonly base: number
  readonly threads: GemmThreads | undefined
  /** Multiply-adds per product from which it is split across threads. */
  readonly threadThreshold: number
  /** Whether the calling thread takes tasks too (tests turn it off to make the workers do all). */
  readonly callerWorks?: boolean
  /**
   * For the plans' shared arena: a convolution's arrays are already in this memory (a plan's
   * buffers), and its scratch is reserved here and given back, not laid out from `base`.
   */
  readonly arena?: { reserve(bytes: number): number | undefined; release(at: number): void }
  /**
   * Slots that keep operands between products: an operand given again is not copied in again.
   * They and, after them, a region of a slot's size each for its packing (`packedOperand`) lie
   * below `base`.
   */
  readonly operands?: OperandSlots
}

/** Operands from this many bytes (up to a slot's size) are kept in a target's operand slots. */
export const keptOperandMinBytes = 2 ** 16
/**
 * The threaded target's operand slots: four (two products' operands, or a weight used by the
 * products on either side of another) of 4 MiB (a 1024² float32 matrix).
 */
export const [keptOperandSlots, keptOperandSlotBytes] = [4, 4 * 2 ** 20]

/** Where an operand goes: a slot (`copy` false when it still holds it) or, for -1, the working area. */
interface Placement {
  readonly slot: number
  readonly copy: boolean
}

/** Whether a product's operand is one a target with operand slots keeps (of the default slot size). */
export const worthKeeping = (x: FloatArray, slotBytes = keptOperandSlotBytes): boolean =>
  x.byteLength >= keptOperandMinBytes && x.byteLength <= slotBytes && keepable(x)

/**
 * Where `a` and `b` go for a product on `target`. An operand is kept in a slot when it is an array
 * nabla owns of `keptOperandMinBytes` up to a slot's size; a slot still holding it is used as it
 * is, else the least recently used slot the other operand does not need.
 */
const placeOperands = (target: MatmulTarget, a: FloatArray, b: FloatArray): [Placement, Placement] => {
  const slots = target.operands
  const keeps = (x: FloatArray) => slots !== undefined && worthKeeping(x, slots.slotBytes)
  const keepB = keeps(b)
  const keepA = b !== a && keeps(a)
  // both looked up before either takes a slot, so neither evicts the other
  const foundB = keepB ? slots!.find(b) : -1
  const foundA = keepA ? slots!.find(a) : -1
  const slotB = !keepB ? -1 : foundB >= 0 ? foundB : slots!.victim(foundA, -1)
  const slotA = !keepA ? -1 : foundA >= 0 ? foundA : slots!.victim(slotB, -1)
  const placedB = { slot: slotB, copy: foundB < 0 }
  return [b === a ? placedB : { slot: slotA, copy: foundA < 0 }, placedB]
}

/** Where a row split's packed op(B) goes instead of the scratch, and whether it is there already. */
export interface PackedB {
  readonly at: number
  readonly ready: boolean
}

/**
 * Where op(B), held in slot `placed.slot`, is packed for a single product run on one thread or split
 * by rows: the slot's packed region (the regions follow the slots, one slot's size each), `ready`
 * when the last such product given this operand in this slot packed it there with the same strides
 * and sizes (the slot's note says so, and lapses when the slot is given to another array). Undefined
 * (packed in the scratch as before) for other products, operands not kept, and packings larger than
 * a region.
 */
const packedOperand = (
  target: MatmulTarget,
  plan: ProductPlan,
  placed: Placement,
  key: string,
  k: number,
  n: number,
): (PackedB & { readonly slot: number }) | undefined => {
  const slots = target.operands
  if (slots === undefined || placed.slot < 0 || plan.split?.kind === 'columns') return undefined
  const shape = plan.kernels.gemmShape
  if (packedBytes(shape, k, n) > slots.slotBytes) return undefined
  return {
    slot: placed.slot,
    at: slots.address(slots.count + placed.slot),
    ready: slots.noted(placed.slot) === key,
  }
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

/** How products of one shape run on a target: its split (if any) and the scratch it needs. */
export interface ProductPlan {
  readonly kernels: PrecisionKernels
  readonly split: Split | undefined
  /** Bytes of a row split's packed op(B) at the scratch address (0 otherwise). */
  readonly packed: number
  /** Bytes of each participant's scratch after it. */
  readonly stride: number
  /** Bytes the product needs from its scratch address on (a row split's packed B, then per-thread scratch). */
  readonly bytes: number
}

/**
 * How an `m × n × k` product of `precision` runs on `target`: split across the ready helper threads
 * from `threadThreshold` multiply-adds on, else on the calling thread alone.
 */
export const planProduct = (
  target: MatmulTarget,
  precision: Precision,
  m: number,
  n: number,
  k: number,
): ProductPlan => {
  const kernels = precision === 'f32' ? target.instance.f32 : target.instance.f64
  const shape = kernels.gemmShape
  const workers = target.threads?.ready ?? 0
  const split =
    workers > 0 && m * n * k >= target.threadThreshold
      ? splitOf(m, n, shape.mr, tileColumns(shape), workers + 1)
      : undefined
  const packed = split?.kind === 'rows' ? packedBytes(shape, k, n) : 0
  const stride = split?.kind === 'rows' ? rowsScratchBytes(shape) : scratchLayout(shape).total
  return { kernels, split, packed, stride, bytes: packed + (split === undefined ? 1 : workers + 1) * stride }
}

/**
 * An operand of a product that is a convolution's patch matrix, still to be unfolded from the
 * patch table at `table` (`writePatchTable` in windows.ts): op(A) or op(B) stored row-major with a
 * row per table entry and a run of columns per image, `images` in all; or the product C itself, of
 * that layout, to be folded back with a fold's table once computed (`'c'`).
 */
export interface Patches {
  readonly operand: 'a' | 'b' | 'c'
  readonly table: number
  readonly images: number
}

/**
 * Runs `product` as `plan` says, with its scratch at `scratch` (`plan.bytes` bytes there, already
 * inside the memory). `prepare`, when given, runs first on the calling thread — but after a split
 * product has woken the helpers, which pack op(B) meanwhile: it may write op(A), never op(B).
 * `patches`, when given, says which operand is still to be unfolded: a split whose blocks of C each
 * need only their own part of it (op(A) split by rows; op(B) split by columns, a few images per
 * task) has each task unfold that part first, in parallel and while it is in cache; otherwise the
 * calling thread unfolds it all first. `finished`, when given, is called with the rows of C of each
 * task of a split product as soon as the calling thread has no task left and that task is done
 * (`GemmThreads.run`), so that the caller copies them out while the other threads finish; a product
 * that is not split, or not by rows, never calls it. `packedB`, when given, is where a product on
 * the calling thread or a row split packs op(B) instead of the scratch, or (`ready`) where it is
 * packed already.
 */
export const runProduct = (
  target: MatmulTarget,
  plan: ProductPlan,
  product: HeapProduct,
  scratch: number,
  prepare?: () => void,
  patches?: Patches,
  finished?: (firstRow: number, endRow: number) => void,
  packedB?: PackedB,
): void => {
  const { kernels } = plan
  const { a, rowStrideA, colStrideA, b, rowStrideB, colStrideB, c, ldc, m, n, k } = product
  let split = plan.split
  let table = 0
  const fold = patches?.operand === 'c'
  if (patches !== undefined) {
    const participants = (target.threads?.ready ?? 0) + 1
    if (split?.kind === 'rows' && patches.operand === 'a') table = patches.table
    else if (split?.kind === 'columns' && patches.operand !== 'a' && patches.images >= 3 * participants) {
      // whole images per task
      split = {
        kind: 'columns',
        unit: n / patches.images,
        tasks: Math.min(split.tasks, patches.images),
        taper: 0,
      }
      table = patches.table
    } else if (!fold) kernels.unfold(patches.table, 0, patches.operand === 'a' ? m : k, 0, patches.images)
  }
  // a fold the tasks do not make is made after the product, here
  const foldHere =
    fold && table === 0 ? () => kernels.fold(patches.table, 0, m, 0, patches.images) : undefined
  if (split === undefined) {
    prepare?.()
    // with a place for op(B)'s packing (packed there already, or packed there now)
    if (packedB === undefined)
      kernels.gemm(a, rowStrideA, colStrideA, b, rowStrideB, colStrideB, c, ldc, m, n, k, scratch)
    else {
      if (!packedB.ready) kernels.packAll(b, rowStrideB, colStrideB, n, k, packedB.at, 0, 1)
      kernels.gemmRows(a, rowStrideA, colStrideA, packedB.at, c, ldc, m, n, k, scratch)
    }
    foldHere?.()
    return
  }
  target.threads!.run(
    {
      precision: kernels.gemmShape.lanes.precision,
      a,
      rowStrideA,
      colStrideA,
      b,
      rowStrideB,
      colStrideB,
      c,
      ldc,
      m,
      n,
      k,
      packed: packedB?.at ?? scratch,
      prepacked: packedB?.ready ?? false,
      scratch: packedB === undefined ? scratch + plan.packed : scratch,
      scratchStride: plan.stride,
      table,
      images: patches?.images ?? 0,
      fold,
    },
    split,
    target.instance,
    target.callerWorks,
    prepare,
    finished !== undefined && split.kind === 'rows' && patches === undefined
      ? (task) => {
          const [first, end] = taskRange(split, m, task)
          finished(first, end)
        }
      : undefined,
  )
  foldHere?.()
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
  const plan = planProduct(target, precisionOf(a), m, n, k)
  const e = a.BYTES_PER_ELEMENT
  // operands kept in slots (found there: not copied again), the rest laid out from `base`
  const slots = target.operands
  const [placedA, placedB] = placeOperands(target, a, b)
  let free = target.base
  const addressOf = (x: FloatArray, placed: Placement): number => {
    if (placed.slot >= 0) return slots!.address(placed.slot)
    const at = free
    free += align16(x.length * e)
    return at
  }
  const bAt = addressOf(b, placedB)
  const aAt = b === a ? bAt : addressOf(a, placedA)
  const cAt = free
  const scratchAt = cAt + align16(out.length * e)
  if (!target.heap.ensure(scratchAt + plan.bytes)) return false
  const heap = target.heap.viewFor(a)
  // a split product's helpers wake while op(B) is copied in and the job is written, and pack op(B)
  // while op(A) is copied (with nothing to copy, the wake still runs ahead of writing the job)
  if (plan.split !== undefined) target.threads?.wake()
  // a slot's old holder stops counting before the copy, the new one once it is done
  const copyIn = (x: FloatArray, at: number, placed: Placement) => {
    if (!placed.copy) return
    if (placed.slot >= 0) slots!.clear(placed.slot)
    heap.set(x, at / e)
    if (placed.slot >= 0) slots!.claim(placed.slot, x)
  }
  copyIn(b, bAt, placedB)
  const copyA = b === a || !placedA.copy ? undefined : () => copyIn(a, aAt, placedA)
  const [rsA, csA] = transposeA ? [1, m] : [k, 1]
  const [rsB, csB] = transposeB ? [1, k] : [n, 1]
  const [aOffsets, bOffsets] = batchOffsets(aShape, bShape, outShape.slice(0, -2), m * k, k * n)
  // a single product's op(B) kept in a slot is packed next to it, and packed again only when the
  // slot no longer holds that packing (what it packed is noted once the product is done)
  const packing = `${plan.kernels.gemmShape.lanes.precision} ${rsB} ${csB} ${k} ${n}`
  const packedB = aOffsets.length === 1 ? packedOperand(target, plan, placedB, packing, k, n) : undefined
  if (packedB !== undefined && !packedB.ready) slots!.note(packedB.slot, undefined)
  // a single product split by rows copies each task's rows of C out as soon as they are done,
  // while the other threads finish their last tasks
  let rowsOut = 0
  const copyRows =
    aOffsets.length === 1
      ? (first: number, end: number) => {
          out.set(heap.subarray(cAt / e + first * n, cAt / e + end * n), first * n)
          rowsOut += end - first
        }
      : undefined
  for (let batch = 0; batch < aOffsets.length; batch++) {
    const product: HeapProduct = {
      a: aAt + aOffsets[batch]! * e,
      rowStrideA: rsA,
      colStrideA: csA,
      b: bAt + bOffsets[batch]! * e,
      rowStrideB: rsB,
      colStrideB: csB,
      c: cAt + batch * m * n * e,
      ldc: n,
      m,
      n,
      k,
    }
    runProduct(
      target,
      plan,
      product,
      scratchAt,
      batch === 0 ? copyA : undefined,
      undefined,
      copyRows,
      packedB,
    )
  }
  if (packedB !== undefined) slots!.note(packedB.slot, packing)
  // every row handed over is copied already; otherwise (not split by rows, a batch) all of C
  if (rowsOut !== m) out.set(heap.subarray(cAt / e, cAt / e + out.length))
  return true
}
