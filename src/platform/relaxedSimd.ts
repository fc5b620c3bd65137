/**
 * Turning on WebAssembly's relaxed SIMD where the runtime has it behind a flag. Its fused
 * multiply-add (`f32x4.relaxed_madd`, one instruction where the product kernel otherwise issues a
 * multiply and an add) is what nabla's matrix products are built around when the runtime
 * validates it (kernels/wasm/module.ts). V8 ships relaxed SIMD from 11.4 (Chrome 114, Node 22);
 * Node 20's V8 11.3 has the same implementation behind `--experimental-wasm-relaxed-simd`, so
 * under Node 20 every product ran without it. The flag only widens what validates: a module that
 * validated before compiles as before. `enableRelaxedSimd` sets it once per process, when the
 * kernels first ask, where V8 and Node's `v8.setFlagsFromString` are; the environment variable
 * `NABLA_RELAXED_SIMD=0` leaves the runtime as it is.
 *
 * @module platform/relaxedSimd
 */
import { processFlag } from './v8Flags.js'

/** The V8 flag `enableRelaxedSimd` sets. */
export const relaxedSimdFlag = '--experimental-wasm-relaxed-simd'

const relaxedSimd = processFlag(relaxedSimdFlag, 'NABLA_RELAXED_SIMD')

/**
 * Sets V8's relaxed-SIMD flag once per process where the runtime is V8 and `NABLA_RELAXED_SIMD`
 * does not turn it off; returns whether it is set (by this call or an earlier one). Callers probe
 * the runtime first and call this only when relaxed SIMD does not validate.
 * @example
 * import { enableRelaxedSimd } from './relaxedSimd.js'
 * enableRelaxedSimd() // true under Node unless NABLA_RELAXED_SIMD=0
 */
export const enableRelaxedSimd = (): boolean => relaxedSimd.set()
