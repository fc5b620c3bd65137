/**
 * Random programs, types: the public shapes of random programs (options, a program, a case).
 *
 * @module programs/types
 */
import type { AnyTensor, DType, Shape } from '../../tensor/internal.js'

/**
 * Options of `arbProgram` and `arbProgramCase`.
 * @example
 * import { arbProgramCase } from 'nabla/testing'
 * arbProgramCase({ maxSteps: 8, dtypes: ['float32', 'float64'], casts: true })
 */
export interface ProgramOptions {
  /** Most program inputs (default 3, at least 1). */
  readonly maxInputs?: number
  /** Most steps (default 6). */
  readonly maxSteps?: number
  /** Largest rank of the shared base shape (default 3). */
  readonly maxRank?: number
  /** Largest dimension (default 3; dimensions are at least 1). */
  readonly maxDim?: number
  /** Dtypes programs may run in (default `['float64']`). */
  readonly dtypes?: readonly DType[]
  /** Whether steps may round-trip through the other dtype with `cast` (default false: it spoils
   * finite differences, so use it for forward-only checks). */
  readonly casts?: boolean
}

/**
 * A random program: a description and a function of its inputs.
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgram, programInputs } from 'nabla/testing'
 * for (const p of fc.sample(arbProgram(), { seed: 1, numRuns: 1 }))
 *   p.run(programInputs(p.inputShapes, p.dtype, 0)).shape // p.outputShape
 */
export interface Program {
  /** Shapes of the inputs `v0 … v(k−1)`. */
  readonly inputShapes: readonly Shape[]
  /** The dtype the program runs in (its inputs' dtype). */
  readonly dtype: DType
  /** One line per step: `v3 = add(v0, v1)  // [2,3]`. */
  readonly steps: readonly string[]
  /** Shape of the result. */
  readonly outputShape: Shape
  /** Runs the program (any inputs of the right shapes and dtype; traced or not). */
  readonly run: (inputs: readonly AnyTensor[]) => AnyTensor
  /**
   * How far the program is from its kinks and jumps at `inputs`: the smallest distance of an
   * argument of `abs`, `relu`, `sign`, `maximum`/`minimum` (the difference), `clip` or a `where`
   * condition from its kink or threshold (Infinity without any). Finite differences across a kink
   * are meaningless: fuzzers skip inputs with a small margin.
   */
  readonly margin: (inputs: readonly AnyTensor[]) => number
  /** The whole program, printable. */
  toString(): string
}

/**
 * A program together with input values for it.
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgramCase } from 'nabla/testing'
 * for (const { program, inputs } of fc.sample(arbProgramCase(), { seed: 1, numRuns: 1 })) program.run(inputs)
 */
export interface ProgramCase {
  readonly program: Program
  readonly inputs: readonly AnyTensor[]
}
