/**
 * `nabla/testing`: gradient checking and fast-check arbitraries, so users verify their own models
 * the way nabla verifies itself. Requires `fast-check` (an optional peer dependency).
 *
 * @module nabla/testing
 */

export type { ValueRange } from '../tensor/internal.js'
// domainTools (what primitives describe their test inputs with) is internal: prims are nabla's own
export {
  type ArbPytree,
  arbAnyTensor,
  arbBroadcastPair,
  arbDistinctTensor,
  arbParams,
  arbPytree,
  arbShape,
  arbTensor,
  type ShapeOptions,
  type TensorOptions,
} from './arbitraries.js'
export {
  assertGrads,
  type CheckMode,
  type CheckOptions,
  type CheckResult,
  checkGrads,
  describeMismatch,
  GradCheckError,
  type GradMismatch,
} from './check.js'
export * from './programs.js'
