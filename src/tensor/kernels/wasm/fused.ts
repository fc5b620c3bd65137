/**
 * Fused elementwise kernels, generated per expression: a compiler (`jit`) hands over a tree of
 * elementwise ops over a few operands (`fusedExpression.ts`) and gets one WebAssembly SIMD function
 * that computes it in a single pass — one load per operand and one store per element, no
 * intermediate arrays — or, for a spec with `sum`, one that sums its rows or columns instead of
 * storing it (`fusedSum.ts`).
 *
 * The output is `[outer, inner]`; each operand is `full` (its own `[outer, inner]` values), a `row`
 * (`inner` values repeated for every row, a bias), a `column` (one value per row) or a `scalar`.
 *
 * @module kernels/wasm/fused
 */
import { exactJson } from '../exactJson.js'
import type { WasmModule } from './api.js'
import { webAssembly } from './api.js'
import { buildModule, FunctionBuilder } from './encoder.js'
import { expressionEmitter, type FusedSpec, pointFullOperands, startRow, varies } from './fusedExpression.js'
import { emitFusedColumnSums, emitFusedRowSums } from './fusedSum.js'
import { lanesOf } from './lanes.js'
import { maximumPages } from './module.js'

export {
  canFuse,
  type FusedExpression,
  type FusedFunction,
  type FusedSpec,
  type OperandLayout,
} from './fusedExpression.js'

/** Emits the kernel (see `FusedFunction`); the caller checks `canFuse` first. */
export const emitFused = (spec: FusedSpec): FunctionBuilder => {
  const lanes = lanesOf(spec.precision)
  const k = spec.layouts.length
  const f = new FunctionBuilder(Array.from({ length: k + 3 }, () => 'i32' as const))
  const [out, outer, inner] = [k, k + 1, k + 2]
  const e = lanes.bytes
  const values = spec.layouts.map(() => f.local('v128'))
  const pointers = spec.layouts.map(() => f.local('i32'))
  const [outPointer, i] = [f.local('i32'), f.local('i32')]
  const evaluate = expressionEmitter(f, lanes, spec, values)
  const body = (vector: boolean): void => {
    spec.layouts.forEach((layout, j) => {
      if (varies(layout))
        f.get(pointers[j]!)
          .mem(vector ? 'v128.load' : lanes.splatLoad)
          .set(values[j]!)
    })
    const result = evaluate()
    f.get(outPointer).get(result)
    if (vector) f.mem('v128.store')
    else f.lane(spec.precision === 'f32' ? 'f32x4.extract_lane' : 'f64x2.extract_lane', 0).mem(lanes.store)
    const step = vector ? 16 : e
    spec.layouts.forEach((layout, j) => {
      if (varies(layout)) f.get(pointers[j]!).i32(step).op('i32.add').set(pointers[j]!)
    })
    f.get(outPointer).i32(step).op('i32.add').set(outPointer)
    f.get(i)
      .i32(vector ? lanes.lanes : 1)
      .op('i32.sub')
      .set(i)
  }
  // full operands continue where the previous row ended, rows restart, columns give one per row
  f.get(out).set(outPointer)
  pointFullOperands(f, spec, pointers)
  f.block().loop()
  f.get(outer).op('i32.eqz').brIf(1)
  startRow(f, lanes, spec, pointers, values)
  f.get(inner).set(i)
  // two vectors a turn while they last (less loop overhead on memory-bound kernels), then one
  f.block().loop()
  f.get(i)
    .i32(2 * lanes.lanes)
    .op('i32.lt_u')
    .brIf(1)
  body(true)
  body(true)
  f.br(0).end().end()
  f.block().loop()
  f.get(i).i32(lanes.lanes).op('i32.lt_u').brIf(1)
  body(true)
  f.br(0).end().end()
  f.block().loop()
  f.get(i).op('i32.eqz').brIf(1)
  body(false)
  f.br(0).end().end()
  f.get(outer).i32(1).op('i32.sub').set(outer)
  f.br(0).end().end()
  return f
}

// compiled modules by spec, most recently used last; bounded, since each distinct constant is a
// distinct spec (a static argument that changes every call would otherwise add one per call)
const compiled = new Map<string, WasmModule>()
/** How many compiled fused modules are kept (the least recently used goes first). */
export const compiledLimit = 1024

/**
 * Compiles (once per distinct spec) a module exporting the fused kernel as `fused`, importing a
 * shared memory when `shared` (the plans' shared arena) and a private one otherwise.
 */
export const compileFused = (spec: FusedSpec, shared = false): WasmModule => {
  // a kernel compiled for one constant must not be reused for another (−0 and 0, NaN and ±Infinity)
  const key = `${shared}${exactJson(spec)}`
  let module = compiled.get(key)
  if (module === undefined) {
    const bytes = buildModule({ initial: 1, maximum: maximumPages, shared }, [
      {
        name: 'fused',
        body:
          spec.sum === 'rows'
            ? emitFusedRowSums(spec)
            : spec.sum === 'columns'
              ? emitFusedColumnSums(spec)
              : emitFused(spec),
      },
    ])
    module = new webAssembly!.Module(bytes)
    if (compiled.size >= compiledLimit) compiled.delete(compiled.keys().next().value!)
  } else compiled.delete(key)
  compiled.set(key, module)
  return module
}
