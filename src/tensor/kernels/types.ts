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
 * The geometry of a 2-D convolution over `[N, C, H, W]` images with filters `[O, C/groups, kH, kW]`,
 * resolved to numbers (src/conv resolves it from a call's parameters): batch, input channels of all
 * groups, image size, output channels of all groups, window, output size, strides, the padding
 * before each axis, dilation and groups.
 */
export interface ConvGeometry {
  readonly batch: number
  readonly channels: number
  readonly height: number
  readonly width: number
  readonly outChannels: number
  readonly kernelHeight: number
  readonly kernelWidth: number
  readonly outHeight: number
  readonly outWidth: number
  readonly strideY: number
  readonly strideX: number
  readonly padTop: number
  readonly padLeft: number
  readonly dilationY: number
  readonly dilationX: number
  readonly groups: number
}

/**
 * The three faces of a 2-D convolution, for a back end that runs them whole in its own memory (the
 * WebAssembly one unfolds the patches where its product reads them). Each returns false, having
 * written nothing, when it declines a call; src/conv then unfolds the patches itself and multiplies
 * with `matmul`. A face that runs gives bit for bit what that path gives.
 */
export interface ConvKernels {
  /** `out = conv(x, w)`: x `[N, C, H, W]`, w `[O, C/groups, kH, kW]`, out `[N, O, H', W']`. */
  forward(x: FloatArray, w: FloatArray, g: ConvGeometry, out: FloatArray): boolean
  /** `dx += convᵀ(ct, w)`: the input's cotangent added onto dx `[N, C, H, W]`. */
  inputGrad(ct: FloatArray, w: FloatArray, g: ConvGeometry, dx: FloatArray): boolean
  /** `dw = ct ⋆ x`: the filters' cotangent, every element of dw written. */
  filterGrad(x: FloatArray, ct: FloatArray, g: ConvGeometry, dw: FloatArray): boolean
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
  /** Convolutions run whole by the back end (optional: see `ConvKernels`). */
  readonly conv2d?: ConvKernels
}
