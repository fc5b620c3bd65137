/**
 * The two element types the WebAssembly kernels are emitted for, and the instruction names that
 * differ between them, so each emitter is written once for float32 (f32x4) and float64 (f64x2).
 *
 * @module kernels/wasm/lanes
 */
import type { FloatArray } from '../types.js'
import type { FunctionBuilder, MemoryOp, PlainOp } from './encoder.js'

/** An element type of the kernels. */
export type Precision = 'f32' | 'f64'

/** The element type of an array's storage. */
export const precisionOf = (a: FloatArray): Precision => (a instanceof Float32Array ? 'f32' : 'f64')

/** What an emitter needs to know about an element type. */
export interface Lanes {
  readonly precision: Precision
  /** Bytes per element. */
  readonly bytes: number
  /** log2 of `bytes`. */
  readonly shift: number
  /** Elements per v128. */
  readonly lanes: number
  readonly load: MemoryOp
  readonly store: MemoryOp
  readonly splatLoad: MemoryOp
  readonly splat: PlainOp
  /** `f32x4.add` or `f64x2.add` and friends, by the op's short name. */
  readonly vector: (name: VectorOpName) => PlainOp
  /** Pushes the scalar constant `value`. */
  readonly constant: (f: FunctionBuilder, value: number) => FunctionBuilder
}

/** The lane-wise instructions the kernels use. */
export type VectorOpName =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'min'
  | 'max'
  | 'abs'
  | 'neg'
  | 'sqrt'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'gt'
  | 'le'
  | 'ge'
  | 'relaxed_madd'

/** float32: four lanes. */
export const f32Lanes: Lanes = {
  precision: 'f32',
  bytes: 4,
  shift: 2,
  lanes: 4,
  load: 'f32.load',
  store: 'f32.store',
  splatLoad: 'v128.load32_splat',
  splat: 'f32x4.splat',
  vector: (name) => `f32x4.${name}` as PlainOp,
  constant: (f, value) => f.f32(value),
}

/** float64: two lanes. */
export const f64Lanes: Lanes = {
  precision: 'f64',
  bytes: 8,
  shift: 3,
  lanes: 2,
  load: 'f64.load',
  store: 'f64.store',
  splatLoad: 'v128.load64_splat',
  splat: 'f64x2.splat',
  vector: (name) => `f64x2.${name}` as PlainOp,
  constant: (f, value) => f.f64(value),
}

/** The lanes of a precision. */
export const lanesOf = (precision: Precision): Lanes => (precision === 'f32' ? f32Lanes : f64Lanes)
