/** Copies of arrays on views of the plans' shared memory, where kernels may work on them in place. */
import type { FloatArray } from '../../src/tensor/kernels/types.js'
import { sharedArena } from '../../src/tensor/kernels/wasm/sharedArena.js'

const arena = sharedArena()
const regionBytes = 1 << 24
const region = arena?.reserve(regionBytes)

/**
 * Copies of `arrays` on views of the plans' shared memory, one after the other in a region of its
 * own (each call starts again at its beginning, so earlier views are overwritten); undefined where
 * there is no shared arena.
 */
export const inArena =
  arena === undefined || region === undefined
    ? undefined
    : (arrays: readonly FloatArray[]): FloatArray[] => {
        const { f32, f64 } = arena.views()
        let at = region
        return arrays.map((a) => {
          const view =
            a instanceof Float32Array
              ? f32.subarray(at / 4, at / 4 + a.length)
              : f64.subarray(at / 8, at / 8 + a.length)
          at += Math.ceil(a.byteLength / 16) * 16
          if (at > region + regionBytes) throw new Error('inArena: the arrays do not fit the test region')
          view.set(a)
          return view
        })
      }
