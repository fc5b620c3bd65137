/**
 * Random programs: a fast-check generator of random compositions of nabla's primitives and ops
 * over random broadcast-compatible shapes, for fuzzing the differentiation engine. A generated
 * `Program` is a printable description (`v3 = mul(v0, sum(v2, 1))`, one line per step) and a
 * function `run(inputs) → tensor`.
 *
 * Programs are decoded from plain random choices (an op number and operand numbers per step), so
 * fast-check shrinks a failing program toward fewer steps, earlier operands and simpler ops while
 * every shrunk program stays valid. Domains are kept safe, so finite differences are valid:
 * - `log` and `sqrt` see `1 + x²`, `softplus(x)` or `|x| + 1`; division is by `1 + y²`; `pow` raises
 *   `x² + ½` to a bounded exponent, or any base to an integer power;
 * - every value carries a bound on its magnitude; `exp` is applied to `tanh(x)` once the bound
 *   passes 3, and a value whose bound passes 8 is scaled down by a power of two (exact);
 * - values larger than 32 elements are summed over their first axis;
 * - input values are distinct and away from 0 (no ties for max/min/maximum, no condition of
 *   `where` or kink of `relu`/`abs` at an input).
 *
 * Laws the fuzzer checks with it (`npm run fuzz`, and a fixed-seed slice in CI): `checkGrads`
 * passes at order 1 and 2 in float64; inputs are bit-for-bit unchanged; the value under a trace
 * equals the value without one.
 *
 * The pieces: `programs/types.ts` (public shapes), `programs/expr.ts` (expressions with bounds and
 * kink probes), `programs/steps.ts` (the step kinds), `programs/generate.ts` (decoding and
 * arbitraries), `programs/check.ts` (the laws).
 *
 * @module programs
 */
export { checkProgram, type ProgramCheckOptions } from './programs/check.js'
export { arbProgram, arbProgramCase, minimumMargin, programInputs } from './programs/generate.js'
export type { Program, ProgramCase, ProgramOptions } from './programs/types.js'
