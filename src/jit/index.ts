/**
 * src/jit: the staging interpreter and what reads its IR — `makeIR` (the IR of a function,
 * printable), `jit` (trace once per signature, run a compiled plan).
 *
 * @module jit
 */
export { type Atom, type Const, type Equation, type IR, printIR, type Var } from './ir.js'
export { type JitOptions, type Jitted, jit } from './jit.js'
export { makeIR, type PrintableIR } from './makeIR.js'
export { exportOnnx, irToOnnx } from './onnx.js'
export { TraceError } from './stage.js'
