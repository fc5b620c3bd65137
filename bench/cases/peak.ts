/**
 * The ceiling of one thread: 128-bit WebAssembly SIMD float32 multiply-adds with nothing else in
 * the loop (no loads, twelve independent accumulators), in GFLOP/s, with the instruction nabla's
 * products use here: the fused multiply-add (`f32x4.relaxed_madd`) where the runtime has relaxed
 * SIMD (Node 20 too, turned on by nabla), else `acc = acc·a + b` as a `mul` and an `add`. No
 * product can run faster per thread than this; two threads at most double it. Printed so that a
 * target above what the machine can do is visibly so.
 *
 * @module bench/cases/peak
 */
import { webAssembly } from '../../src/tensor/kernels/wasm/api.js'
import { buildModule, FunctionBuilder } from '../../src/tensor/kernels/wasm/encoder.js'
import { supportsRelaxedSimd } from '../../src/tensor/kernels/wasm/module.js'
import type { Case, Implementation } from './types.js'

/** The case's name, read by the ceiling lines under the targets. */
export const peakCaseName = 'SIMD peak f32 1 thread'

/** The instruction the peak is measured with: the one nabla's products use here. */
export const peakInstruction = (): 'fma' | 'mul+add' => (supportsRelaxedSimd() ? 'fma' : 'mul+add')

// registers: twelve accumulators and two operands fit x64's sixteen vector registers; more spill
const accumulators = 12
const turns = 1_000_000

const peakKernel = (): ((turns: number) => number) | undefined => {
  if (webAssembly === undefined) return undefined
  const f = new FunctionBuilder(['i32'], ['f32'])
  const a = f.local('v128')
  const b = f.local('v128')
  const accs = Array.from({ length: accumulators }, () => f.local('v128'))
  f.f32(0.999).op('f32x4.splat').set(a).f32(0.001).op('f32x4.splat').set(b)
  for (const acc of accs) f.f32(1).op('f32x4.splat').set(acc)
  f.block().loop()
  const fused = peakInstruction() === 'fma'
  for (const acc of accs)
    if (fused) f.get(acc).get(a).get(b).op('f32x4.relaxed_madd').set(acc)
    else f.get(acc).get(a).op('f32x4.mul').get(b).op('f32x4.add').set(acc)
  f.get(0).i32(1).op('i32.sub').tee(0).op('i32.eqz').brIf(1).br(0).end().end()
  // the sum of the lanes 0 is returned so the loop is not dead code
  f.f32(0)
  for (const acc of accs) f.get(acc).lane('f32x4.extract_lane', 0).op('f32.add')
  const bytes = buildModule({ initial: 1, maximum: 1, shared: false }, [{ name: 'peak', body: f }])
  const memory = new webAssembly.Memory({ initial: 1, maximum: 1 })
  const instance = new webAssembly.Instance(new webAssembly.Module(bytes), { env: { memory } })
  return instance.exports.peak as (turns: number) => number
}

/** The kernel above as an implementation named `impl`, in GFLOP/s. */
export const peakImplementation = (impl: string): Implementation => ({
  impl,
  prepare: async () => {
    const peak = peakKernel()
    if (peak === undefined) return undefined
    // 4 lanes × (one multiply + one add, fused or not) per accumulator per turn
    return { run: () => peak(turns), work: turns * accumulators * 8, scale: 1e9, figure: 'rate' }
  },
})

/**
 * The name of the peak when it is measured as a machine reference inside another case (in the same
 * rounds as nabla's product there).
 */
export const peakReferenceName = 'machine: SIMD peak 1 thread'

/** The peak case: one implementation, the kernel above. */
export const peakCase = (): Case => ({
  name: peakCaseName,
  unit: 'GFLOP/s',
  higherIsBetter: true,
  implementations: [peakImplementation(`wasm SIMD ${peakInstruction()}`)],
})
