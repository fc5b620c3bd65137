/**
 * What the rest of nabla (tests, jit, models) needs from src/conv beyond its public door: the
 * family's internal faces (the ops its gradients are written with) and its primitive list. Not
 * exported from the package.
 *
 * @module conv/internal
 */
export * from './index.js'
export {
  conv2dFilterGrad,
  conv2dInputGrad,
  conv2dWithParams,
  maxPool2dGrad,
  patches2d,
  patches2dTranspose,
} from './ops.js'
export * as convPrims from './prims/index.js'
export { convPrimitives } from './prims/registry.js'
