/**
 * Child of relaxedSimd.test.ts and v8Flags.test.ts, run by plain Node in a fresh process: whether a
 * module using `f32x4.relaxed_madd` validates before and after the call named by the first argument
 * (`enable`: `enableRelaxedSimd()`, `set`: `setV8Flags(relaxedSimdFlag)`), and what the call
 * returned, as JSON on stdout.
 */
import { enableRelaxedSimd, relaxedSimdFlag } from '../../../src/platform/relaxedSimd.js'
import { setV8Flags } from '../../../src/platform/v8Flags.js'
import { webAssembly } from '../../../src/tensor/kernels/wasm/api.js'
import { buildModule, FunctionBuilder } from '../../../src/tensor/kernels/wasm/encoder.js'

const validates = (): boolean => {
  const f = new FunctionBuilder([], ['v128'])
  f.f32(1).op('f32x4.splat').f32(2).op('f32x4.splat').f32(3).op('f32x4.splat').op('f32x4.relaxed_madd')
  return webAssembly!.validate(
    buildModule({ initial: 1, maximum: 1, shared: false }, [{ name: 'f', body: f }]),
  )
}

const before = validates()
const returned = process.argv[2] === 'set' ? setV8Flags(relaxedSimdFlag) : enableRelaxedSimd()
const again = process.argv[2] === 'set' ? undefined : enableRelaxedSimd()
console.log(JSON.stringify({ before, returned, again, after: validates() }))
