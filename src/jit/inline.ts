/**
 * Inline rules: how a staging trace expands a call primitive (`call.ts`) into the equations of its
 * IR, so an outer `jit`/`makeIR` records the called function's own primitives. Set by `makeCall`,
 * read by `StagingTrace.process`; a module of its own so the two need not import each other.
 *
 * @module jit/inline
 */
import type { AnyTensor, Prim } from '../tensor/internal.js'

/** The inline rule of each call primitive. */
export const inlineRules = new WeakMap<Prim<any>, (inputs: readonly AnyTensor[]) => AnyTensor>()
