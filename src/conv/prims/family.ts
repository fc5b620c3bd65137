/**
 * The convolution family's own ops, handed to its rules. The family is closed under
 * differentiation: conv2d's vjp is `conv2dInputGrad` and `conv2dFilterGrad`, and theirs is conv2d
 * again; `patches2d` and `patches2dTranspose` are each other's vjp. src/tensor hands every rule its
 * op set as an argument so that a prim file never imports the ops (which import the prims); that
 * op set is the core's and has no convolution in it, so this family hands its rules its own ops
 * the same way one level up: `conv/ops.ts` installs them here once, when it loads. Every way to a
 * conv primitive (the `conv2d`/pooling ops, src/conv's doors) loads `ops.ts` first, so a rule never
 * runs before the ops are installed; if one did, it throws instead of guessing.
 *
 * @module conv/prims/family
 */
import type { AnyTensor } from '../../tensor/internal.js'
import type { Conv2dParams, Pool2dParams } from './convolution.js'

/** The ops the family's vjp rules are written with (besides the core's op set). */
export interface ConvOps {
  readonly conv2dWithParams: (x: AnyTensor, w: AnyTensor, params: Conv2dParams) => AnyTensor
  readonly conv2dInputGrad: (
    cotangent: AnyTensor,
    w: AnyTensor,
    params: Conv2dParams & { readonly inputSize: readonly [number, number] },
  ) => AnyTensor
  readonly conv2dFilterGrad: (
    x: AnyTensor,
    cotangent: AnyTensor,
    params: Conv2dParams & { readonly kernelSize: readonly [number, number] },
  ) => AnyTensor
  readonly maxPool2d: (x: AnyTensor, params: Pool2dParams) => AnyTensor
  readonly maxPool2dGrad: (x: AnyTensor, cotangent: AnyTensor, params: Pool2dParams) => AnyTensor
  readonly patches2d: (x: AnyTensor, params: Pool2dParams & { readonly padValue: number }) => AnyTensor
  readonly patches2dTranspose: (
    windows: AnyTensor,
    params: Pool2dParams & { readonly inputSize: readonly [number, number] },
  ) => AnyTensor
}

let installed: ConvOps | undefined

/** Called once by `conv/ops.ts` as it loads: from then on the family's rules reach its ops. */
export const installConvOps = (ops: ConvOps): void => {
  installed = ops
}

/** The family's ops, for its vjp rules. */
export const convOps = (): ConvOps => {
  if (installed === undefined)
    throw new Error('the convolution ops are not loaded: import src/conv through its door (conv/index.ts)')
  return installed
}
