/**
 * Assembles nabla's WebAssembly kernel module from the emitters, detects what the runtime
 * supports (SIMD, relaxed-SIMD fused multiply-add, shared memory) and instantiates it over a memory
 * it can grow. The bytes are emitted by TypeScript at load time (a few kilobytes, compiled in about a
 * millisecond), so there is nothing to build and no binary in the repository.
 *
 * @module kernels/wasm/module
 */
import { enableRelaxedSimd } from '../../../platform/index.js'
import { type WasmMemory, type WasmModule, webAssembly } from './api.js'
import { binaryVectorOps, emitBinary, emitUnary, emitWhere, unaryVectorOps } from './elementwise.js'
import { buildModule, type ExportedFunction, FunctionBuilder } from './encoder.js'
import { emitGemm, emitMacro, type GemmShape, tileColumns } from './gemm.js'
import { f32Lanes, f64Lanes, type Lanes, type Precision } from './lanes.js'
import { emitPack } from './pack.js'
import { emitSum } from './reduce.js'
import { emitGemmRows, emitPackAll } from './shared.js'
import {
  emitTableRows,
  type PoolFunction,
  type RowsFunction,
  functionsOf as windowFunctions,
} from './windowCode.js'

/** 64 KiB pages: the largest memory nabla asks for (4 GiB, the 32-bit address space). */
export const maximumPages = 65536

/** The signature of an exported gemm (see `emitGemm`). */
export type GemmFunction = (
  a: number,
  rowStrideA: number,
  colStrideA: number,
  b: number,
  rowStrideB: number,
  colStrideB: number,
  c: number,
  ldc: number,
  m: number,
  n: number,
  k: number,
  scratch: number,
) => void

/** The signature of an exported `packAll` (see `emitPackAll`). */
export type PackAllFunction = (
  b: number,
  rowStrideB: number,
  colStrideB: number,
  n: number,
  k: number,
  dst: number,
  first: number,
  step: number,
) => void

/** The signature of an exported `gemmRows` (see `emitGemmRows`). */
export type GemmRowsFunction = (
  a: number,
  rowStrideA: number,
  colStrideA: number,
  packedB: number,
  c: number,
  ldc: number,
  m: number,
  n: number,
  k: number,
  scratch: number,
) => void

/** The signature of an exported `unfold` or `fold` (see `emitTableRows`). */
export type TableRowsFunction = (
  table: number,
  first: number,
  rows: number,
  firstImage: number,
  images: number,
) => void

/** The signature of an exported binary kernel (see `emitBinary`). */
export type BinaryFunction = (
  a: number,
  b: number,
  out: number,
  outer: number,
  inner: number,
  aStride: number,
  bStride: number,
  mode: number,
) => void

/** The signature of an exported unary kernel (see `emitUnary`). */
export type UnaryFunction = (x: number, out: number, n: number) => void

/** The signature of an exported sum (see `emitSum`). */
export type SumFunction = (x: number, out: number, outer: number, middle: number, inner: number) => void

/** The signature of an exported `where` (see `emitWhere`). */
export type WhereFunction = (
  condition: number,
  a: number,
  b: number,
  out: number,
  n: number,
  mode: number,
) => void

/** The kernels of one precision. */
export interface PrecisionKernels {
  readonly gemm: GemmFunction
  readonly packAll: PackAllFunction
  readonly gemmRows: GemmRowsFunction
  readonly gemmShape: GemmShape
  /** Elementwise kernels by primitive name. */
  readonly binary: ReadonlyMap<string, BinaryFunction>
  readonly unary: ReadonlyMap<string, UnaryFunction>
  readonly sum: SumFunction
  /** `sum` writing float64 sums whatever the storage type (a partial sum kept unrounded). */
  readonly sumWide: SumFunction
  readonly where: WhereFunction
  /**
   * Row copies and additions between an image and a patch matrix (`windowCode.ts`), for
   * convolutions in this memory.
   */
  readonly copyRows: RowsFunction
  readonly addRows: RowsFunction
  /** Runs a range of a patch table's rows over a range of images (`emitTableRows`): im2col. */
  readonly unfold: TableRowsFunction
  /** The same with the additions of a fold's table: col2im. */
  readonly fold: TableRowsFunction
  /** The 2×2, stride-2 max pooling and its gradient (`windowCode.ts`), for a plan's buffers in place. */
  readonly maxPool2x2: PoolFunction
  readonly maxPool2x2Grad: PoolFunction
}

/** An instantiated kernel module. */
export interface KernelInstance {
  readonly memory: WasmMemory
  readonly f32: PrecisionKernels
  readonly f64: PrecisionKernels
}

/**
 * The register tile and cache blocking of the product (blocking tuned on Zen 3; see bench/). The
 * float32 tile is 2 rows × 4 vectors (2 × 16): on Zen 5 under V8 11.3 it ran 3–10 % faster per CPU
 * second than 4 × 2 vectors at 128×784×128, 784×128×128 and 256³–1024³ (both keep 8 accumulators;
 * larger tiles such as 6 × 2, 3 × 3 or 2 × 5, and unrolling k, spill registers and ran 35–60 %
 * slower). float64 keeps 4 × 2 (2 × 4 measured no faster). The tile does not change the order of
 * any sum, so results are bit-identical either way.
 */
export const gemmShapeOf = (lanes: Lanes, fma: boolean): GemmShape => {
  const [mr, nrVectors] = lanes.precision === 'f32' ? [2, 4] : [4, 2]
  const kc = 256
  const nr = nrVectors * lanes.lanes
  // a packed B block of about 2 MiB stays in the last-level cache
  const nc = Math.floor((2 * 1024 * 1024) / (kc * lanes.bytes) / nr) * nr
  return { lanes, mr, nrVectors, kc, mc: 128, nc, unroll: 1, fma }
}

const probe = (body: (f: FunctionBuilder) => void): boolean => {
  try {
    const f = new FunctionBuilder([], ['v128'])
    body(f)
    return webAssembly!.validate(
      buildModule({ initial: 1, maximum: 1, shared: false }, [{ name: 'f', body: f }]),
    )
  } catch {
    return false
  }
}

/** Whether the runtime has WebAssembly with 128-bit SIMD. */
export const supportsSimd = (): boolean =>
  webAssembly !== undefined &&
  probe((f) => {
    f.f32(1).op('f32x4.splat')
  })

const validatesRelaxedSimd = (): boolean =>
  probe((f) => {
    f.f32(1).op('f32x4.splat').f32(2).op('f32x4.splat').f32(3).op('f32x4.splat').op('f32x4.relaxed_madd')
  })

let relaxedSimd: boolean | undefined

/**
 * Whether the runtime validates relaxed SIMD, after turning it on where V8 has it behind a flag
 * (Node 20; platform/relaxedSimd.ts). Answered once per process, so that every module compiled in
 * it makes the same choice.
 */
export const supportsRelaxedSimd = (): boolean => {
  relaxedSimd ??= validatesRelaxedSimd() || (enableRelaxedSimd() && validatesRelaxedSimd())
  return relaxedSimd
}

/** Whether a shared (thread-visible) WebAssembly memory can be created here. */
export const supportsSharedMemory = (): boolean => {
  try {
    return (
      new webAssembly!.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer
    )
  } catch {
    return false
  }
}

/** What a module is compiled for. */
export interface ModuleOptions {
  readonly shared: boolean
  readonly fma: boolean
}

const functionsOf = (lanes: Lanes, fma: boolean, base: number): ExportedFunction[] => {
  const shape = gemmShapeOf(lanes, fma)
  const p = lanes.precision
  const binaries = Object.entries(binaryVectorOps).map(([, expression], i) => ({
    name: `binary${i}_${p}`,
    body: emitBinary(lanes, expression),
  }))
  const unaries = Object.entries(unaryVectorOps).map(([, expression], i) => ({
    name: `unary${i}_${p}`,
    body: emitUnary(lanes, expression),
  }))
  return [
    {
      name: `gemm_${p}`,
      body: emitGemm(shape, { packRows: base + 1, packColumns: base + 2, macro: base + 3 }),
    },
    { name: `packRows_${p}`, body: emitPack(lanes, shape.mr) },
    { name: `packColumns_${p}`, body: emitPack(lanes, tileColumns(shape)) },
    { name: `macro_${p}`, body: emitMacro(shape) },
    { name: `packAll_${p}`, body: emitPackAll(shape, base + 2) },
    { name: `gemmRows_${p}`, body: emitGemmRows(shape, { packRows: base + 1, macro: base + 3 }) },
    { name: `sum_${p}`, body: emitSum(lanes) },
    { name: `sumWide_${p}`, body: emitSum(lanes, true) },
    { name: `where_${p}`, body: emitWhere(lanes) },
    // copyRows (base + 9), addRows (base + 10), maxPool2x2, maxPool2x2Grad
    ...windowFunctions(lanes),
    { name: `unfold_${p}`, body: emitTableRows(base + 9) },
    { name: `fold_${p}`, body: emitTableRows(base + 10) },
    ...binaries,
    ...unaries,
  ]
}

// one compiled module per kind, instantiated as often as needed: the eager back end's helper
// threads and the plans' shared arena both run the shared one (a module is immutable)
const compiledKernels = new Map<string, WasmModule>()

/** Emits and compiles the kernel module (once per kind in a process). */
export const compileKernels = ({ shared, fma }: ModuleOptions): WasmModule => {
  const key = `${shared}${fma}`
  let module = compiledKernels.get(key)
  if (module === undefined) {
    const f32 = functionsOf(f32Lanes, fma, 0)
    const f64 = functionsOf(f64Lanes, fma, f32.length)
    const bytes = buildModule({ initial: 1, maximum: maximumPages, shared }, [...f32, ...f64])
    module = new webAssembly!.Module(bytes)
    compiledKernels.set(key, module)
  }
  return module
}

// every kernel memory alive, so that a view of one can be told from an array of its own
let memories: readonly WeakRef<WasmMemory>[] = []

/** A fresh memory for the module (shared when the module was compiled for it). */
export const createMemory = (shared: boolean): WasmMemory => {
  const memory = new webAssembly!.Memory({ initial: 16, maximum: maximumPages, shared })
  memories = [...memories.filter((m) => m.deref() !== undefined), new WeakRef(memory)]
  return memory
}

/**
 * A fresh memory as `createMemory` makes it, or undefined when there is no address space for
 * another one (`ulimit -v`): the callers then do without it.
 */
export const createMemoryIfRoom = (shared: boolean): WasmMemory | undefined => {
  try {
    return createMemory(shared)
  } catch (error) {
    if (error instanceof RangeError) return undefined
    throw error
  }
}

/** Whether `buffer` is the memory of a kernel instance (its current buffer). */
export const isKernelMemory = (buffer: ArrayBufferLike): boolean =>
  memories.some((m) => m.deref()?.buffer === buffer)

const kernelsOf = (
  exports: Readonly<Record<string, unknown>>,
  precision: Precision,
  fma: boolean,
): PrecisionKernels => {
  const get = <F>(name: string) => exports[`${name}_${precision}`] as F
  return {
    gemm: get<GemmFunction>('gemm'),
    packAll: get<PackAllFunction>('packAll'),
    gemmRows: get<GemmRowsFunction>('gemmRows'),
    gemmShape: gemmShapeOf(precision === 'f32' ? f32Lanes : f64Lanes, fma),
    binary: new Map(Object.keys(binaryVectorOps).map((name, i) => [name, get<BinaryFunction>(`binary${i}`)])),
    unary: new Map(Object.keys(unaryVectorOps).map((name, i) => [name, get<UnaryFunction>(`unary${i}`)])),
    sum: get<SumFunction>('sum'),
    sumWide: get<SumFunction>('sumWide'),
    where: get<WhereFunction>('where'),
    copyRows: get<RowsFunction>('copyRows'),
    addRows: get<RowsFunction>('addRows'),
    unfold: get<TableRowsFunction>('unfold'),
    fold: get<TableRowsFunction>('fold'),
    maxPool2x2: get<PoolFunction>('maxPool2x2'),
    maxPool2x2Grad: get<PoolFunction>('maxPool2x2Grad'),
  }
}

/** Instantiates a compiled kernel module over `memory`. */
export const instantiate = (module: WasmModule, memory: WasmMemory, fma: boolean): KernelInstance => {
  const { exports } = new webAssembly!.Instance(module, { env: { memory } })
  return { memory, f32: kernelsOf(exports, 'f32', fma), f64: kernelsOf(exports, 'f64', fma) }
}
