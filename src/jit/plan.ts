/**
 * The compiled plan of an IR: what a jitted function runs after its first call. Compiling removes
 * dead code, groups elementwise chains into fused kernels (`fusion.ts`, `kernels.ts`), lays every
 * value out in one WebAssembly memory by liveness (`buffers.ts`) and turns each unit into a step
 * that works on addresses or views of that memory. A run copies the inputs in, runs the steps and
 * copies the outputs out into fresh tensors: those are its only allocations, so a jitted training
 * step allocates nothing else in steady state.
 *
 * @module jit/plan
 */
import { type AnyTensor, createArena, type DType, makeTensor, sizeOf, storage } from '../tensor/internal.js'
import { type Buffers, planBuffers, unitOutput } from './buffers.js'
import { eliminateDeadCode } from './dce.js'
import { planUnits, type Unit } from './fusion.js'
import { type Atom, dtypeOf, type IR, shapeOf } from './ir.js'
import { javascriptGroupKernel, wasmGroupKernel } from './kernels.js'
import { singleStep } from './steps.js'

/** Choices of the compiler. */
export interface PlanOptions {
  /** Fuse elementwise chains into generated kernels (false: one kernel per elementwise op). */
  readonly fusion: boolean
}

/** A compiled IR: `run` takes concrete input tensors and returns fresh output tensors. */
export interface Plan {
  readonly ir: IR
  readonly units: readonly Unit[]
  /** Bytes of WebAssembly memory the plan's buffers span. */
  readonly bytes: number
  run(inputs: readonly AnyTensor[]): AnyTensor[]
}

type FloatArray = Float32Array | Float64Array

const precisionOf = (dtype: DType) => (dtype === 'float64' ? 'f64' : 'f32')

/** Compiles an IR (see the module header); undefined when the runtime has no WebAssembly SIMD. */
export const compilePlan = (ir: IR, options: PlanOptions): Plan | undefined => {
  const arena = createArena()
  if (arena === undefined) return undefined
  const pruned = eliminateDeadCode(ir)
  const units = planUnits(pruned, options.fusion)
  const layout = planBuffers(pruned, units)
  const scratchAt = Math.ceil(layout.bytes / 16) * 16
  const scratch = Math.max(arena.gemmScratch(arena.kernels.f32), arena.gemmScratch(arena.kernels.f64))
  if (!arena.ensure(scratchAt + scratch)) return undefined
  const { f32, f64 } = arena.views()
  const address = (atom: Atom): number =>
    atom.kind === 'var' ? layout.variables.get(atom.id)! : layout.constants.get(atom.value)!
  const view = (atom: Atom): FloatArray => {
    const at = address(atom)
    const n = sizeOf(shapeOf(atom))
    return dtypeOf(atom) === 'float64' ? f64.subarray(at / 8, at / 8 + n) : f32.subarray(at / 4, at / 4 + n)
  }
  for (const value of layout.constants.keys()) {
    const t = value as AnyTensor
    view({ kind: 'const', value: t }).set(storage(t))
  }
  const buffers: Buffers = { arena, address, view }
  const steps = units.map((unit): (() => void) => {
    if (unit.kind === 'single') return singleStep(unit.equation, buffers, scratchAt)
    const precision = precisionOf(unit.output.dtype)
    const shapes = unit.operands.map(shapeOf)
    return (
      wasmGroupKernel(
        arena,
        precision,
        unit.expression,
        unit.output.shape,
        shapes,
        unit.operands.map(address),
        address(unit.output),
      ) ??
      javascriptGroupKernel(
        precision,
        unit.expression,
        unit.output.shape,
        shapes,
        unit.operands.map(view),
        view(unit.output),
      )
    )
  })
  const inputViews = pruned.inputs.map((v) => view(v))
  const outputs = pruned.outputs.map((atom) => {
    if (atom.kind === 'const') return () => atom.value
    const index = pruned.inputs.findIndex((v) => v.id === atom.id)
    const made = units.some((u) => unitOutput(u).id === atom.id)
    if (index >= 0 && !made) return (inputs: readonly AnyTensor[]) => inputs[index]!
    const source = view(atom)
    return () => makeTensor(atom.shape, atom.dtype, source.slice())
  })
  return {
    ir: pruned,
    units,
    bytes: scratchAt + scratch,
    run: (inputs) => {
      for (let i = 0; i < inputViews.length; i++) inputViews[i]!.set(storage(inputs[i]!))
      for (let i = 0; i < steps.length; i++) steps[i]!()
      return outputs.map((read) => read(inputs))
    },
  }
}
