/**
 * The kernel boundary: every loop over tensor storage that a primitive needs. Primitives call the
 * active `Kernels`; the plain TypeScript implementation (`reference.ts`) is the fallback and the
 * reference that faster back ends (WebAssembly SIMD, workers, later a GPU) are tested against.
 * A kernel writes only into the output array it is given or returns; it never writes its inputs.
 *
 * @module kernels/types
 */
import type { Shape } from '../shape.js'

/**
 * Float storage of either dtype.
 * @example
 * import type { FloatArray } from 'nabla'
 * const out: FloatArray = new Float64Array(4)
 */
export type FloatArray = Float32Array | Float64Array

/**
 * An elementwise unary op, as a JavaScript expression in `x` (`'Math.exp(x)'`).
 * @example
 * import type { UnaryOp } from 'nabla'
 * const exp: UnaryOp = { name: 'exp', expr: 'Math.exp(x)' }
 */
export interface UnaryOp {
  readonly name: string
  readonly expr: string
}

/**
 * An elementwise binary op, as a JavaScript expression in `x` and `y` (`'x + y'`).
 * @example
 * import type { BinaryOp } from 'nabla'
 * const add: BinaryOp = { name: 'add', expr: 'x + y' }
 */
export interface BinaryOp {
  readonly name: string
  readonly expr: string
}

/**
 * A reduction.
 * @example
 * import type { ReduceKind } from 'nabla'
 * const kind: ReduceKind = 'max'
 */
export type ReduceKind = 'sum' | 'max' | 'min'

/**
 * Operands of a (batched) matrix product `op(a) · op(b)`, where op transposes the last two axes.
 * @example
 * import { type MatmulArgs, referenceKernels } from 'nabla'
 * const args: MatmulArgs = {
 *   a: new Float32Array([1, 2, 3, 4]), aShape: [2, 2], b: new Float32Array([1, 0, 0, 1]), bShape: [2, 2],
 *   transposeA: false, transposeB: false, out: new Float32Array(4), outShape: [2, 2],
 * }
 * referenceKernels.matmul(args) // args.out: [1, 2, 3, 4]
 */
export interface MatmulArgs {
  readonly a: FloatArray
  readonly aShape: Shape
  readonly b: FloatArray
  readonly bShape: Shape
  readonly transposeA: boolean
  readonly transposeB: boolean
  /** Where the product goes; its previous contents are arbitrary, and the kernel writes every element. */
  readonly out: FloatArray
  readonly outShape: Shape
}

/**
 * The loops a back end provides; install one with `useKernels`.
 * @example
 * import { type Kernels, referenceKernels, useKernels } from 'nabla'
 * const logged: Kernels = { ...referenceKernels, name: 'logged' }
 * const previous = useKernels(logged)
 */
export interface Kernels {
  readonly name: string
  unary(op: UnaryOp, x: FloatArray, out: FloatArray): void
  binary(
    op: BinaryOp,
    a: FloatArray,
    aShape: Shape,
    b: FloatArray,
    bShape: Shape,
    out: FloatArray,
    outShape: Shape,
  ): void
  where(
    condition: FloatArray,
    conditionShape: Shape,
    a: FloatArray,
    aShape: Shape,
    b: FloatArray,
    bShape: Shape,
    out: FloatArray,
    outShape: Shape,
  ): void
  reduce(kind: ReduceKind, x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray): void
  matmul(args: MatmulArgs): void
  broadcastTo(x: FloatArray, shape: Shape, out: FloatArray, outShape: Shape): void
  transpose(x: FloatArray, shape: Shape, perm: readonly number[], out: FloatArray): void
  slice(x: FloatArray, shape: Shape, begin: readonly number[], out: FloatArray, outShape: Shape): void
  pad(x: FloatArray, shape: Shape, before: readonly number[], out: FloatArray, outShape: Shape): void
  concat(parts: readonly FloatArray[], shapes: readonly Shape[], axis: number, out: FloatArray): void
  gather(x: FloatArray, shape: Shape, indices: FloatArray, axis: number, out: FloatArray): void
  scatterAdd(values: FloatArray, indices: FloatArray, axis: number, outShape: Shape, out: FloatArray): void
}
