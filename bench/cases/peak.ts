/**
 * The ceiling of one thread: 128-bit WebAssembly SIMD float32 multiply-adds with nothing else in
 * the loop (no loads, twelve independent accumulators), in GFLOP/s, with the instruction nabla's
 * products use here: the fused multiply-add (`f32x4.relaxed_madd`) where the runtime has relaxed
 * SIMD (Node 20 too, turned on by nabla), else `acc = acc·a + b` as a `mul` and an `add`. No
 * product can run faster per thread than this; two threads at most double it. Printed so that a
 * target above what the machine can do is visibly so.
 *
 * The same loop on every thread at once (`threadsPeakImplementation`) is what the machine gives a
 * split product during a run: on a quiet machine it is the one-thread peak times the threads (two
 * threads here ran 58.5 + 58.4 against 58.5 alone), and it drops when another guest takes a core.
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

/** The peak loop's module: `peak(turns)` over an imported one-page memory it does not touch. */
const peakModule = (): WebAssembly.Module | undefined => {
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
  return new webAssembly.Module(bytes)
}

const peakKernel = (module = peakModule()): ((turns: number) => number) | undefined => {
  if (module === undefined || webAssembly === undefined) return undefined
  const memory = new webAssembly.Memory({ initial: 1, maximum: 1 })
  const instance = new webAssembly.Instance(module, { env: { memory } })
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

/** The name of the peak of `threads` threads at once, measured in the same rounds as a product. */
export const threadsPeakReferenceName = (threads: number): string => `machine: SIMD peak ${threads} threads`

// turns per call on every thread: ~13 ms here, so a helper's wake-up (tens of µs) stays below 1 %
const threadsTurns = 8 * turns

// a helper: runs the loop once per generation the caller publishes, then counts itself done; it
// spins a moment before sleeping, so that the next call of a sample finds it awake
const helperSource = `
const { workerData } = require('node:worker_threads')
const [control, module] = workerData
const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 })
const peak = new WebAssembly.Instance(module, { env: { memory } }).exports.peak
let seen = 0
for (;;) {
  for (let spin = 0; spin < 100000 && Atomics.load(control, 0) === seen; spin++);
  Atomics.wait(control, 0, seen)
  seen = Atomics.load(control, 0)
  if (seen < 0) break
  peak(${threadsTurns})
  Atomics.add(control, 1, 1)
  Atomics.notify(control, 1)
}
`

/**
 * The peak loop on `threads` threads at once (this one and `threads − 1` helpers started here), as
 * an implementation named `impl`, in GFLOP/s of all of them together. Each call returns how many
 * threads ran the loop (all of them: it waits for the helpers). Undefined where there is no
 * WebAssembly or fewer than two threads.
 */
export const threadsPeakImplementation = (impl: string, threads: number): Implementation => ({
  impl,
  prepare: async () => {
    if (threads < 2) return undefined
    const module = peakModule()
    const peak = peakKernel(module)
    if (module === undefined || peak === undefined) return undefined
    const { Worker } = await import('node:worker_threads')
    // [generation (−1: stop), helpers done with it]
    const control = new Int32Array(new SharedArrayBuffer(8))
    const helpers = Array.from(
      { length: threads - 1 },
      () => new Worker(helperSource, { eval: true, workerData: [control, module] }),
    )
    await Promise.all(helpers.map((helper) => new Promise((resolve) => helper.once('online', resolve))))
    const run = (): number => {
      Atomics.store(control, 1, 0)
      Atomics.add(control, 0, 1)
      Atomics.notify(control, 0)
      peak(threadsTurns)
      for (let done = Atomics.load(control, 1); done < helpers.length; done = Atomics.load(control, 1))
        Atomics.wait(control, 1, done)
      return 1 + Atomics.load(control, 1)
    }
    return {
      run,
      work: threads * threadsTurns * accumulators * 8,
      scale: 1e9,
      figure: 'rate',
      cleanup: () => {
        Atomics.store(control, 0, -1)
        Atomics.notify(control, 0)
        for (const helper of helpers) void helper.terminate()
      },
    }
  },
})
