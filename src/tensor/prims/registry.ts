/**
 * The list of all primitives, derived from the exports of `prims/index.ts` (never written by hand).
 *
 * @module prims/registry
 */
import { isPrim, type Prim } from '../prim.js'
import * as declared from './index.js'

/** All primitives, in the registry's order. */
export const primitives: readonly Prim<any>[] = Object.values(declared).filter(isPrim)
