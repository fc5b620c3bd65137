/**
 * Random programs, generate: decoding random choices into programs, and the fast-check arbitraries
 * of programs and their inputs.
 *
 * @module programs/generate
 */
import * as fc from 'fast-check'
import type { AnyTensor, DType, Shape } from '../../tensor/internal.js'
import { formatShape, makeTensor, ShapeError, storageFrom } from '../../tensor/internal.js'
import { call, type Expr, type Probe, probesOf, type StepChoice, shrinkSize, sizeOf, tame } from './expr.js'
import { builders } from './steps.js'
import type { Program, ProgramCase, ProgramOptions } from './types.js'

/** The random choices a program is decoded from. */
export interface ProgramChoice {
  readonly base: readonly number[]
  readonly inputs: readonly { readonly ones: number; readonly drop: number }[]
  readonly steps: readonly StepChoice[]
  readonly dtype: DType
}

export const decode = (choice: ProgramChoice, options: ProgramOptions): Program => {
  const { base, dtype } = choice
  const inputShapes = choice.inputs.map(({ ones, drop }) =>
    base.map((d, i) => ((ones >> i) % 2 === 1 ? 1 : d)).slice(drop % (base.length + 1)),
  )
  const values: Expr[] = inputShapes.map((shape, i) => ({
    text: `v${i}`,
    shape,
    bound: 2,
    run: (env) => env[i]!,
  }))
  const lines: string[] = []
  const steps: ((env: readonly AnyTensor[]) => AnyTensor)[] = []
  const used = new Set<number>()
  const probes: Probe[] = []
  const push = (expr: Expr): void => {
    probes.push(...probesOf(expr))
    for (const [, i] of expr.text.matchAll(/\bv(\d+)\b/g)) used.add(Number(i))
    const index = values.length
    lines.push(`v${index} = ${expr.text}  // ${formatShape(expr.shape)}`)
    values.push({ text: `v${index}`, shape: expr.shape, bound: expr.bound, run: (env) => env[index]! })
    steps.push(expr.run)
  }
  const kinds = builders.filter(([name]) => options.casts === true || name !== 'cast')
  for (const step of choice.steps) {
    // operands count back from the newest value, so programs tend to be chains
    const pick = (n: number): Expr => values[values.length - 1 - (n % values.length)]!
    const [, build] = kinds[step.op % kinds.length]!
    push(tame(shrinkSize(build(pick(step.a), pick(step.b), pick(step.c), step.p, dtype))))
  }
  // fold values nothing used into the result, so every input and step matters
  const unused = values.slice(0, -1).filter((_, i) => !used.has(i))
  for (const v of unused) {
    const result = values[values.length - 1]!
    const total = call('sum', [v], [], v.bound * sizeOf(v.shape))
    push(tame(call('add', [result, total], result.shape, result.bound + total.bound)))
  }
  const last = values[values.length - 1]!
  const description = [
    `program(${inputShapes.map((s, i) => `v${i}: ${formatShape(s)}`).join(', ')}) in ${dtype}`,
    ...lines.map((l) => `  ${l}`),
    `  return v${values.length - 1}`,
  ].join('\n')
  const environment = (inputs: readonly AnyTensor[]): AnyTensor[] => {
    if (inputs.length !== inputShapes.length)
      throw new ShapeError('program', `needs ${inputShapes.length} inputs, got ${inputs.length}`)
    const env: AnyTensor[] = [...inputs]
    for (const step of steps) env.push(step(env))
    return env
  }
  return {
    inputShapes,
    dtype,
    steps: lines,
    outputShape: last.shape,
    run: (inputs) => environment(inputs).at(-1)!,
    margin: (inputs) => {
      const env = environment(inputs)
      return probes.reduce((m, probe) => Math.min(m, probe(env)), Infinity)
    },
    toString: () => description,
  }
}

export const arbChoice = (options: ProgramOptions): fc.Arbitrary<ProgramChoice> => {
  const maxRank = options.maxRank ?? 3
  const dtypes = options.dtypes ?? ['float64']
  const dim = fc.integer({ min: 1, max: options.maxDim ?? 3 })
  return fc.record({
    // mostly rank 2 or more (fast-check's default bias would make most programs scalar)
    base: fc.oneof(fc.array(dim, { maxLength: maxRank, size: 'max' }), {
      weight: 3,
      arbitrary: fc.array(dim, { minLength: Math.min(2, maxRank), maxLength: maxRank, size: 'max' }),
    }),
    // mostly the full base shape; sometimes with size-1 dimensions or leading ones dropped
    inputs: fc.array(
      fc.record({
        ones: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, fc.nat({ max: 2 ** maxRank - 1 })),
        drop: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, fc.nat({ max: maxRank })),
      }),
      { minLength: 1, maxLength: Math.max(1, options.maxInputs ?? 3), size: 'max' },
    ),
    steps: fc.array(
      fc.record({ op: fc.nat(), a: fc.nat(), b: fc.nat(), c: fc.nat(), p: fc.nat({ max: 1023 }) }),
      { maxLength: options.maxSteps ?? 6, size: 'max' },
    ),
    dtype: fc.constantFrom(...dtypes),
  })
}

/**
 * Random programs (see the module header for what is kept safe).
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgram } from 'nabla/testing'
 * const [p] = fc.sample(arbProgram({ maxSteps: 3 }), { seed: 1, numRuns: 1 })
 * console.log(String(p)) // program(v0: [3,2]) in float64 / v1 = mul(v0, greater(v0, 0)) / return v1
 */
export const arbProgram = (options: ProgramOptions = {}): fc.Arbitrary<Program> =>
  arbChoice(options).map((choice) => decode(choice, options))

/**
 * The margin (see `Program.margin`) below which a gradient check of a program is meaningless: a
 * finite-difference step of 1e-6 moves a kink argument by at most 1e-6 times its Lipschitz
 * constant, and programs' constants keep that far below 1e3.
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgramCase, checkProgram, minimumMargin } from 'nabla/testing'
 * fc.property(arbProgramCase(), (c) => {
 *   fc.pre(c.program.margin(c.inputs) >= minimumMargin)
 *   return checkProgram(c) === undefined
 * })
 */
export const minimumMargin = 1e-3

/** mulberry32: a small seeded uniform generator for input values. */
export const uniforms = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Input values for shapes: all distinct and away from 0 (a jittered ladder over [−2, 2] with an
 * even number of rungs, shuffled), so no two inputs tie and none sits on a kink at 0.
 * @example
 * import { programInputs } from 'nabla/testing'
 * programInputs([[2], []], 'float64', 7) // two tensors, three distinct values in [−2, 2]
 */
export const programInputs = (shapes: readonly Shape[], dtype: DType, seed: number): AnyTensor[] => {
  const next = uniforms(seed)
  const total = shapes.reduce((n, s) => n + sizeOf(s), 0)
  const rungs = total + (total % 2)
  const spacing = 4 / Math.max(rungs, 2)
  const order = Array.from({ length: rungs }, (_, i) => i)
  for (let i = rungs - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const values = order.map((r) => -2 + spacing * (r + 0.5 + 0.6 * (next() - 0.5)))
  let offset = 0
  return shapes.map((shape) => {
    const n = sizeOf(shape)
    const data = storageFrom(dtype, values.slice(offset, offset + n))
    offset += n
    return makeTensor([...shape], dtype, data)
  })
}

/**
 * A random program with input values for it (see `programInputs`).
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgramCase } from 'nabla/testing'
 * fc.assert(fc.property(arbProgramCase(), ({ program, inputs }) => program.run(inputs).dtype === 'float64'))
 */
export const arbProgramCase = (options: ProgramOptions = {}): fc.Arbitrary<ProgramCase> =>
  fc
    .tuple(arbProgram(options), fc.nat())
    .map(([program, seed]) => ({ program, inputs: programInputs(program.inputShapes, program.dtype, seed) }))
