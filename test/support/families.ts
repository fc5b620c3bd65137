/**
 * The primitive families: src/tensor's core primitives and each library floor's own (src/conv).
 * The registry-wide tests (gradients at order 1 and 2, batching, reliability, the op sets) run over
 * all of them, so a primitive gets the same checks whichever floor declares it; a folder
 * `src/<floor>/prims` missing from this list fails test/tensor/prims/index.test.ts.
 */
import { convPrimitives } from '../../src/conv/internal.js'
import * as convOps from '../../src/conv/ops.js'
import * as einsumOps from '../../src/einsum/einsum.js'
import { type Prim, primitives as tensorPrimitives } from '../../src/tensor/internal.js'
import * as tensorOps from '../../src/tensor/ops.js'

/** Each family: the folder its prim files live in and its derived primitive list. */
export const families: readonly { readonly folder: string; readonly primitives: readonly Prim<any>[] }[] = [
  { folder: 'src/tensor/prims', primitives: tensorPrimitives },
  { folder: 'src/conv/prims', primitives: convPrimitives },
]

/** Every primitive of every family. */
export const primitives: readonly Prim<any>[] = families.flatMap((f) => f.primitives)

/** Every op set: the core's and each floor's around it (conv, einsum). */
export const ops = { ...tensorOps, ...convOps, ...einsumOps }
