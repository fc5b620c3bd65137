/**
 * The window kernels' code (src/tensor/kernels/wasm/windowCode.ts): each precision's four functions
 * are named as windows.ts looks them up and make a module WebAssembly validates. What they compute is
 * tested through windows.ts against the TypeScript loops (windows.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { webAssembly } from '../../../../src/tensor/kernels/wasm/api.js'
import { buildModule } from '../../../../src/tensor/kernels/wasm/encoder.js'
import { f32Lanes, f64Lanes } from '../../../../src/tensor/kernels/wasm/lanes.js'
import { functionsOf } from '../../../../src/tensor/kernels/wasm/windowCode.js'

describe('window kernel code', () => {
  for (const lanes of [f32Lanes, f64Lanes])
    it(`emits the ${lanes.precision} row copies, row additions, max pool and its gradient as a valid module`, () => {
      const functions = functionsOf(lanes)
      expect(functions.map((f) => f.name)).toEqual(
        ['copyRows', 'addRows', 'maxPool2x2', 'maxPool2x2Grad'].map((name) => `${name}_${lanes.precision}`),
      )
      const bytes = buildModule({ initial: 1, maximum: 16, shared: false }, functions)
      expect(webAssembly?.validate(bytes)).toBe(true)
    })
})
