/**
 * Random programs, check: running a program under the laws the fuzzer checks (gradients, immutability, traced = untraced).
 *
 * @module programs/check
 */

import { grad, vjp } from '../../grad/index.js'
import type { AnyTensor } from '../../tensor/internal.js'
import { formatShape, shapesEqual, storage, sum } from '../../tensor/internal.js'
import { flatten } from '../../tree/index.js'
import { type CheckOptions, checkGrads, describeMismatch } from '../check.js'
import type { Program, ProgramCase } from './types.js'

/** The bytes of a tensor's storage (for bit-for-bit comparisons). */
export const bytesOf = (t: AnyTensor): Uint8Array => {
  const data = storage(t)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()
}

export const sameBits = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i])

/**
 * Options of `checkProgram`.
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgramCase, checkProgram } from 'nabla/testing'
 * for (const c of fc.sample(arbProgramCase(), { seed: 1, numRuns: 1 }))
 *   checkProgram(c, { order: 1, seed: 3 }) // undefined when every check passes
 */
export interface ProgramCheckOptions {
  /** Check gradients with `checkGrads` (float64 programs only; default true). */
  readonly gradients?: boolean
  /** Order of the gradient check (default 2). */
  readonly order?: 1 | 2
  /** Seed of `checkGrads`' random directions (default 0). */
  readonly seed?: number
}

/**
 * Checks one program case: the result has the predicted shape and dtype; running it twice, and
 * under a trace, gives bit-identical values; its gradient has each input's shape and dtype and is
 * finite; `checkGrads` passes at order 1 and 2 (float64 programs); and the inputs are bit-for-bit
 * unchanged afterwards. Returns a description of the first problem, or `undefined`.
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgramCase, checkProgram } from 'nabla/testing'
 * fc.assert(fc.property(arbProgramCase(), (c) => checkProgram(c) === undefined), { seed: 1, numRuns: 20 })
 */
export const checkProgram = (
  { program, inputs }: ProgramCase,
  options: ProgramCheckOptions = {},
): string | undefined => {
  const before = inputs.map(bytesOf)
  const modified = (): string | undefined => {
    const changed = inputs.findIndex((t, i) => !sameBits(bytesOf(t), before[i]!))
    return changed >= 0 ? `input v${changed} was modified` : undefined
  }
  return inspect(program, inputs, options, modified) ?? modified()
}

export const inspect = (
  program: Program,
  inputs: readonly AnyTensor[],
  options: ProgramCheckOptions,
  modified: () => string | undefined,
): string | undefined => {
  const plain = program.run(inputs)
  const changed = modified()
  if (changed !== undefined) return changed
  if (!shapesEqual(plain.shape, program.outputShape) || plain.dtype !== program.dtype)
    return `result is Tensor<${formatShape(plain.shape)}, ${plain.dtype}>, expected shape ${formatShape(program.outputShape)} and ${program.dtype}`
  const first = bytesOf(plain)
  if (!sameBits(bytesOf(program.run(inputs)), first)) return 'two runs gave different values'
  const [traced] = vjp((xs: readonly AnyTensor[]) => program.run(xs), [...inputs])
  if (!sameBits(bytesOf(traced), first)) return 'the value under vjp differs from the value without a trace'
  const [gradients] = flatten(
    grad((xs: readonly AnyTensor[]) => sum(program.run(xs)))([...inputs]),
    'checkProgram',
  )
  for (let i = 0; i < inputs.length; i++) {
    const g = gradients[i]!
    if (!shapesEqual(g.shape, inputs[i]!.shape) || g.dtype !== inputs[i]!.dtype)
      return `the gradient of v${i} is ${String(g)}, expected ${String(inputs[i])}`
    if (!storage(g).every(Number.isFinite))
      return `the gradient of v${i} is not finite: ${storage(g).join(', ')}`
  }
  if (options.gradients === false || program.dtype !== 'float64') return undefined
  const checkOptions: CheckOptions = { order: options.order ?? 2, seed: options.seed ?? 0 }
  const result = checkGrads((xs: readonly AnyTensor[]) => program.run(xs), [...inputs], checkOptions)
  if (!result.ok)
    return `checkGrads: ${result.failures.length} of ${result.checked} derivatives disagree; first: ${describeMismatch(result.failures[0]!)}`
  return undefined
}
