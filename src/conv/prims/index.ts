/**
 * The convolution family's primitives, declared once: `conv/ops.ts` applies them from here,
 * `convPrimitives` (in `registry.ts`) is derived from these exports, and the registry-wide
 * gradient, batching and reliability tests run over that list with src/tensor's. A prim file under
 * src/conv/prims that is not listed here fails those tests.
 *
 * @module conv/prims
 */
export { avgPool2dPrim } from './avgPool2d.js'
export { conv2dPrim } from './conv2d.js'
export { conv2dFilterGradPrim } from './conv2dFilterGrad.js'
export { conv2dInputGradPrim } from './conv2dInputGrad.js'
export { maxPool2dPrim } from './maxPool2d.js'
export { maxPool2dGradPrim } from './maxPool2dGrad.js'
export { patches2dPrim } from './patches2d.js'
export { patches2dTransposePrim } from './patches2dTranspose.js'
