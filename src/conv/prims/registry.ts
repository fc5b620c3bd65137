/**
 * The list of the convolution family's primitives, derived from the exports of `prims/index.ts`
 * (never written by hand).
 *
 * @module conv/prims/registry
 */
import { isPrim, type Prim } from '../../tensor/internal.js'
import * as declared from './index.js'

/** The convolution family's primitives, in the registry's order. */
export const convPrimitives: readonly Prim<any>[] = Object.values(declared).filter(isPrim)
