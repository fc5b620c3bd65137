/**
 * The compiled plan of an IR: what a jitted function runs after its first call. Compiling removes
 * dead code, groups elementwise chains into fused kernels (`fusion.ts`, `kernels.ts`), a product's
 * only reader into its epilogue (`epilogue.ts`) and a group into the sum that alone reads it
 * (`reduction.ts`), lays every
 * value out by liveness (`buffers.ts`) in a region of the plans' shared WebAssembly memory (whose
 * helper threads split the large products; a private memory where threads are unavailable) and
 * turns each unit into a step that works on addresses or views of that memory. The region goes
 * back to the shared memory when the plan is collected (or, if later, when the last result it lent is).
 *
 * A run copies the inputs in (an input given again as the same tensor is already there: tensors never
 * change), runs the steps and copies the outputs out into fresh tensors: those copies are its only
 * allocations. A product whose op(B) is an input (not donated) or a constant keeps op(B) packed in a
 * range of its own after the scratch, packed again only when a run has copied other values in: a
 * model's weights, given again as the same tensors at every prediction, are packed once (a batch-1
 * prediction of a 784-128-10 network took 26–27 µs and takes 14–19). A result paired with a donated
 * input (`donation.ts`) is not copied out: the call lends it its buffer (a view of the plan's
 * memory). Before a later run writes that buffer, the lent tensor is either donated back (the usual
 * loop, `params = step(params, batch)`: nothing is copied in or out) or its values are moved out into
 * memory of its own, so no tensor a caller holds ever changes.
 *
 * @module jit/plan
 */
import {
  type AnyTensor,
  type Arena,
  allocateUnfilled,
  createArena,
  type DType,
  lend,
  makeTensor,
  moveStorage,
  packedBytes,
  type SharedArena,
  type Storage,
  sharedArena,
  sizeOf,
  storage,
} from '../tensor/internal.js'
import { type Buffers, type KeptPacking, planBuffers, unitOutputs } from './buffers.js'
import { eliminateDeadCode } from './dce.js'
import { pairDonations } from './donation.js'
import { attachEpilogues, epilogueStep } from './epilogue.js'
import { planUnits, type Unit } from './fusion.js'
import { type Atom, dtypeOf, type Equation, type IR, shapeOf, type Var } from './ir.js'
import { javascriptGroupKernel, wasmGroupKernel } from './kernels.js'
import { attachReductions, reductionStep } from './reduction.js'
import { matmulSizes, singleStep, threadedMatmul } from './steps.js'

/** Choices of the compiler. */
export interface PlanOptions {
  /** Fuse elementwise chains into generated kernels (false: one kernel per elementwise op). */
  readonly fusion: boolean
  /** Split large products across the shared arena's helper threads (default true; false to compare). */
  readonly threads?: boolean
  /** Per input of the IR: whether the caller donates it (its tensor is consumed by the call). */
  readonly donated?: readonly boolean[]
}

/**
 * A compiled IR: `run` takes concrete input tensors and returns output tensors: fresh ones, or ones
 * lent the buffers of donated inputs (see the module header).
 */
export interface Plan {
  readonly ir: IR
  readonly units: readonly Unit[]
  /** Bytes of WebAssembly memory the plan's buffers span. */
  readonly bytes: number
  /** Whether some of the plan's products are split across the shared arena's helper threads. */
  readonly threaded: boolean
  /** Results written into a donated input's buffer: result variable id → that input. */
  readonly donations: ReadonlyMap<number, Var>
  run(inputs: readonly AnyTensor[]): AnyTensor[]
}

type FloatArray = Float32Array | Float64Array

const precisionOf = (dtype: DType) => (dtype === 'float64' ? 'f64' : 'f32')

// a result's values copied out of the plan's memory into memory of their own, which is not
// cleared first (every element is written): `slice` zero-fills a fresh array, and on a 4 MB
// result that clearing cost more than the kernel that computed it
const copyOf = (values: Storage): Storage => {
  const out = allocateUnfilled(values instanceof Float64Array ? 'float64' : 'float32', values.length, 'jit')
  out.set(values)
  return out
}

/** Where a plan's buffers live: a region of the shared arena, or a private memory. */
interface Placement {
  readonly arena: Pick<Arena, 'kernels' | 'fused'>
  readonly shared: SharedArena | undefined
  readonly base: number
  readonly views: { readonly f32: Float32Array; readonly f64: Float64Array }
}

// a plan's region of the shared arena goes back when nothing can run the plan any more
const regions = new FinalizationRegistry<number>((at) => sharedArena()?.release(at))
// a lent result keeps its plan (and so the plan's memory) alive
const lenders = new WeakMap<Storage, unknown>()

// the storage of a tensor, or undefined when it was donated (to any jitted call)
const valuesOf = (t: AnyTensor): Storage | undefined => {
  try {
    return storage(t)
  } catch {
    return undefined
  }
}

/**
 * A region of the first of `sizes` (bytes, most wanted first) that the shared arena can reserve,
 * else a private memory (`own`, or a new one) of the first size it can hold; undefined when none
 * fits. The shared arena comes first at any size: its helper threads matter more than what a
 * larger size would add.
 */
const place = (
  sizes: readonly number[],
  shared: SharedArena | undefined,
  own: Arena | undefined,
): (Placement & { readonly bytes: number }) | undefined => {
  for (const bytes of sizes) {
    const base = shared?.reserve(bytes)
    if (shared !== undefined && base !== undefined)
      return { arena: shared, shared, base, views: shared.views(), bytes }
  }
  const arena = own ?? createArena()
  const bytes = sizes.find((size) => arena?.ensure(size) === true)
  if (arena === undefined || bytes === undefined) return undefined
  return { arena, shared: undefined, base: 0, views: arena.views(), bytes }
}

/** Compiles an IR (see the module header); undefined when the runtime has no WebAssembly SIMD. */
export const compilePlan = (ir: IR, options: PlanOptions): Plan | undefined => {
  const shared = sharedArena()
  const own = shared === undefined ? createArena() : undefined
  const probe = shared ?? own
  if (probe === undefined) return undefined
  const pruned = eliminateDeadCode(ir)
  const grouped = planUnits(pruned, options.fusion)
  const donatedIds = new Set(pruned.inputs.filter((_, i) => options.donated?.[i] === true).map((v) => v.id))
  const units = options.fusion
    ? attachReductions(pruned, attachEpilogues(pruned, grouped, donatedIds))
    : grouped
  const donations = pairDonations(pruned, units, donatedIds)
  const layout = planBuffers(pruned, units, donations)
  const scratchOffset = Math.ceil(layout.bytes / 16) * 16
  // scratch for the products: one gemm's packing space, or a threaded product's packed B and
  // per-thread space
  // per-thread space (decided here, once: a thread that becomes ready later changes nothing)
  let scratch = Math.max(probe.gemmScratch(probe.kernels.f32), probe.gemmScratch(probe.kernels.f64))
  const splits = new Set<Equation>()
  for (const unit of units)
    if (
      unit.kind !== 'fused' &&
      unit.equation.prim.name === 'matmul' &&
      options.threads !== false &&
      threadedMatmul(unit.equation, shared)
    ) {
      const { n, k } = matmulSizes(unit.equation)
      const precision = precisionOf(unit.equation.outputs[0]!.dtype)
      scratch = Math.max(scratch, shared!.threadedScratch(precision, k, n))
      splits.add(unit.equation)
    }
  // the products whose op(B) is an input (not donated) or a constant keep it packed across runs, in
  // ranges after the scratch: a weight matrix given again as the same tensor is not packed again
  const inputIndex = new Map(pruned.inputs.map((v, i) => [v.id, i]))
  const kept = new Map<Equation, { readonly offset: number; readonly input: number }>()
  let keptBytes = 0
  for (const unit of units) {
    if (unit.kind !== 'single' && unit.kind !== 'epilogue') continue
    const eq = unit.equation
    const [out, b] = [eq.outputs[0]!, eq.inputs[1]!]
    if (eq.prim.name !== 'matmul' || sizeOf(out.shape) === 0 || sizeOf(out.shape.slice(0, -2)) !== 1) continue
    const input = b.kind === 'var' ? (inputIndex.get(b.id) ?? -1) : -1
    if (b.kind === 'var' && (input < 0 || donatedIds.has(b.id))) continue
    const { n, k } = matmulSizes(eq)
    if (k === 0) continue
    const gemmShape = (out.dtype === 'float64' ? probe.kernels.f64 : probe.kernels.f32).gemmShape
    kept.set(eq, { offset: keptBytes, input })
    keptBytes += packedBytes(gemmShape, k, n)
  }
  // (where the memory cannot grow that far, the plan packs every product's op(B) at each run instead)
  const placement = place([scratchOffset + scratch + keptBytes, scratchOffset + scratch], shared, own)
  if (placement === undefined) return undefined
  if (placement.bytes < scratchOffset + scratch + keptBytes) {
    kept.clear()
    keptBytes = 0
  }
  // in a private memory (the shared one was full) every product runs on this thread
  if (placement.shared === undefined) splits.clear()
  const { base } = placement
  const { f32, f64 } = placement.views
  const address = (atom: Atom): number =>
    base + (atom.kind === 'var' ? layout.variables.get(atom.id)! : layout.constants.get(atom.value)!)
  const view = (atom: Atom): FloatArray => {
    const at = address(atom)
    const n = sizeOf(shapeOf(atom))
    return dtypeOf(atom) === 'float64' ? f64.subarray(at / 8, at / 8 + n) : f32.subarray(at / 4, at / 4 + n)
  }
  for (const value of layout.constants.keys()) {
    const t = value as AnyTensor
    view({ kind: 'const', value: t }).set(storage(t))
  }
  // per input: how many times a run copied other values into its range
  const versions = pruned.inputs.map(() => 0)
  const constantVersion = () => 0
  const keptPackings = new Map<Equation, KeptPacking>()
  for (const [eq, { offset, input }] of kept)
    keptPackings.set(eq, {
      at: base + scratchOffset + scratch + offset,
      version: input < 0 ? constantVersion : () => versions[input]!,
    })
  const buffers: Buffers = {
    arena: placement.arena,
    shared: placement.shared,
    splits,
    scratch: base + scratchOffset,
    address,
    view,
    keptPacking: (eq) => keptPackings.get(eq),
  }
  const steps = units.map((unit): (() => void) => {
    if (unit.kind === 'single') return singleStep(unit.equation, buffers)
    if (unit.kind === 'epilogue') return epilogueStep(unit, buffers)
    if (unit.kind === 'reduction') return reductionStep(unit, buffers)
    const precision = precisionOf(unit.output.dtype)
    const shapes = unit.operands.map(shapeOf)
    const exposed = unit.exposed.map((e) => ({ node: e.node, out: view(e.variable) }))
    return (
      (unit.smallValues
        ? undefined
        : wasmGroupKernel(
            placement.arena,
            precision,
            unit.expression,
            unit.output.shape,
            shapes,
            unit.operands.map(address),
            address(unit.output),
          )) ??
      javascriptGroupKernel(
        precision,
        unit.expression,
        unit.output.shape,
        shapes,
        unit.operands.map(view),
        view(unit.output),
        exposed,
      )
    )
  })
  const inputViews = pruned.inputs.map((v) => view(v))
  const donatedInputs = pruned.inputs.map((v) => donatedIds.has(v.id))
  // the tensor each input's range holds (undefined: unknown), by identity
  const held: (AnyTensor | undefined)[] = pruned.inputs.map(() => undefined)
  // per output: the donated input it is written over (its index), the tensor lent that range, its view
  const donors = pruned.outputs.map((atom) =>
    atom.kind === 'var' && donations.has(atom.id) ? pruned.inputs.indexOf(donations.get(atom.id)!) : -1,
  )
  // per input: the output written over it (-1: none)
  const donated = pruned.inputs.map((_, i) => donors.indexOf(i))
  const lent: (AnyTensor | undefined)[] = pruned.outputs.map(() => undefined)
  const lentViews: (Storage | undefined)[] = pruned.outputs.map(() => undefined)
  const outputs = pruned.outputs.map((atom, j) => {
    if (atom.kind === 'const') return () => atom.value
    const index = pruned.inputs.findIndex((v) => v.id === atom.id)
    const made = units.some((u) => unitOutputs(u).some((v) => v.id === atom.id))
    if (index >= 0 && !made) return (inputs: readonly AnyTensor[]) => inputs[index]!
    const source = view(atom)
    if (donors[j]! < 0) return () => makeTensor(atom.shape, atom.dtype, copyOf(source))
    return () => {
      const own = new (source.constructor as Float32ArrayConstructor)(
        source.buffer,
        source.byteOffset,
        source.length,
      )
      const t = makeTensor(atom.shape, atom.dtype, own)
      lend(own)
      lenders.set(own, run)
      lent[j] = t
      lentViews[j] = own
      return t
    }
  })
  const run = (inputs: readonly AnyTensor[]): AnyTensor[] => {
    // a lent result not donated back at the input it was written over: its values move out first
    for (let j = 0; j < lent.length; j++) {
      const t = lent[j]
      if (t === undefined) continue
      lent[j] = undefined
      const data = valuesOf(t)
      if (data === lentViews[j] && !(donatedInputs[donors[j]!] && inputs[donors[j]!] === t))
        moveStorage(t, copyOf(data!))
    }
    for (let i = 0; i < inputViews.length; i++) {
      const t = inputs[i]!
      const data = storage(t)
      if (held[i] === t) continue
      // other values in the range from here on: a packing kept of the old ones is stale
      versions[i]!++
      // a tensor donated back where it was lent is in place already
      if (!donatedInputs[i] || lentViews[donated[i]!] !== data) inputViews[i]!.set(data)
      // a donated input's range is written over by the run
      held[i] = donatedInputs[i] ? undefined : t
    }
    for (let i = 0; i < steps.length; i++) steps[i]!()
    return outputs.map((read) => read(inputs))
  }
  if (placement.shared !== undefined) regions.register(run, base)
  return {
    ir: pruned,
    units,
    bytes: scratchOffset + scratch + keptBytes,
    threaded: splits.size > 0,
    donations,
    run,
  }
}
