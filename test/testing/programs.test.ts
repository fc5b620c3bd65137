/**
 * The random-program generator (nabla/testing `arbProgramCase`, `checkProgram`) and the CI slice of
 * the fuzzer: a fixed-seed run of random programs, each checked with `checkGrads` at order 1 and 2
 * in float64 and for input immutability. `npm run fuzz -- --runs N` runs more.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AnyTensor, customVjp, mul, sin, sum, tensor, toFlat, zeros } from '../../src/index.js'
import { storage } from '../../src/tensor/internal.js'
import {
  arbProgram,
  arbProgramCase,
  checkProgram,
  minimumMargin,
  type Program,
  programInputs,
} from '../../src/testing/index.js'

const seed = 20261128

/** A hand-written program around `body`, for checking that `checkProgram` can fail. */
const programOf = (body: (x: AnyTensor) => AnyTensor): Program => ({
  inputShapes: [[3]],
  dtype: 'float64',
  steps: ['v1 = body(v0)  // [3]'],
  outputShape: [3],
  run: ([x]) => body(x!),
  margin: () => Number.POSITIVE_INFINITY,
  toString: () => 'program(v0: [3]) in float64',
})

describe('random programs: the CI slice of the fuzzer', () => {
  it('1000 float64 programs pass checkGrads at order 1 and 2, keep their inputs bit-for-bit, and trace to the same values', () => {
    fc.assert(
      fc.property(arbProgramCase(), (c) => {
        fc.pre(c.program.margin(c.inputs) >= minimumMargin)
        const problem = checkProgram(c, { order: 2, seed: 7 })
        if (problem !== undefined) throw new Error(`${problem}\n${String(c.program)}`)
      }),
      { seed, numRuns: 1000 },
    )
  })

  it('200 float32/float64 programs with cast round trips run forward with the predicted shape and dtype and finite gradients', () => {
    fc.assert(
      fc.property(arbProgramCase({ dtypes: ['float32', 'float64'], casts: true }), (c) => {
        const problem = checkProgram(c, { gradients: false })
        if (problem !== undefined) throw new Error(`${problem}\n${String(c.program)}`)
      }),
      { seed: seed + 1, numRuns: 200 },
    )
  })
})

describe('checkProgram can fail', () => {
  it('reports a wrong gradient rule, naming the order and the element', () => {
    // sin with the derivative −cos instead of cos
    const wrongSin = customVjp(
      (x: AnyTensor) => sin(x),
      (ct: AnyTensor, _y: AnyTensor, x: AnyTensor) => [mul(ct, mul(sin(x), 0))] as const,
    )
    const inputs = [tensor([0.3, -0.7, 1.1], { dtype: 'float64' })]
    const problem = checkProgram({ program: programOf(wrongSin), inputs })
    expect(problem).toMatch(
      /^checkGrads: \d+ of \d+ derivatives disagree; first: full mode, order 1, x\[0\]\[0\]/,
    )
    expect(checkProgram({ program: programOf(sin), inputs })).toBeUndefined()
  })

  it('reports a program that writes to its input', () => {
    const inputs = [tensor([0.3, -0.7, 1.1], { dtype: 'float64' })]
    const vandal = (x: AnyTensor): AnyTensor => {
      const y = sin(x)
      if (x.size > 0) storage(x)[0] = 42
      return y
    }
    expect(checkProgram({ program: programOf(vandal), inputs }, { gradients: false })).toBe(
      'input v0 was modified',
    )
  })

  it('reports a result whose shape differs from the prediction', () => {
    const inputs = [tensor([0.3, -0.7, 1.1], { dtype: 'float64' })]
    expect(checkProgram({ program: programOf((x) => sum(x)), inputs })).toBe(
      'result is Tensor<[], float64>, expected shape [3] and float64',
    )
  })
})

describe('arbProgram', () => {
  it('prints a program as its inputs, one line per step with the shape, and the result', () => {
    fc.assert(
      fc.property(arbProgram({ maxSteps: 4 }), (p) => {
        const lines = String(p).split('\n')
        expect(lines[0]).toMatch(/^program\((v\d+: \[[\d,]*\](, )?)+\) in float64$/)
        expect(lines.slice(1, -1)).toEqual(p.steps.map((s) => `  ${s}`))
        for (const step of p.steps) expect(step).toMatch(/^v\d+ = .+ {2}\/\/ \[[\d,]*\]$/)
        expect(lines.at(-1)).toBe(`  return v${p.inputShapes.length + p.steps.length - 1}`)
      }),
      { seed, numRuns: 100 },
    )
  })

  it('shrinks a failure to a one-step program (the decoder keeps every shrunk program valid)', () => {
    const details = fc.check(
      fc.property(arbProgram(), (p) => !p.steps.some((s) => /\bexp\(/.test(s))),
      { seed, numRuns: 500 },
    )
    expect(details.failed).toBe(true)
    const [shrunk] = details.counterexample!
    // one input of the smallest shape its branch allows (all dimensions 1), one step
    expect(shrunk.inputShapes).toHaveLength(1)
    expect(shrunk.inputShapes[0]!.every((d) => d === 1)).toBe(true)
    expect(shrunk.steps).toEqual([`v1 = exp(v0)  // ${JSON.stringify(shrunk.inputShapes[0])}`])
  })

  it('uses every input and step: each value before the result is an operand of a later step', () => {
    fc.assert(
      fc.property(arbProgram(), (p) => {
        const total = p.inputShapes.length + p.steps.length
        for (let v = 0; v < total - 1; v++) {
          const used = p.steps.some((s) => new RegExp(`=.*\\bv${v}\\b`).test(s))
          expect(used, `v${v} unused in\n${String(p)}`).toBe(true)
        }
      }),
      { seed, numRuns: 200 },
    )
  })
})

describe('Program.margin', () => {
  it('is finite exactly when a step has a kink or jump (abs, relu, sign, maximum, minimum, clip, a condition)', () => {
    fc.assert(
      fc.property(arbProgramCase(), ({ program, inputs }) => {
        const kinked = program.steps.some((s) => /\b(abs|relu|sign|maximum|minimum|clip|greater)\(/.test(s))
        const margin = program.margin(inputs)
        expect(margin >= 0).toBe(true)
        expect(Number.isFinite(margin)).toBe(kinked)
      }),
      { seed, numRuns: 200 },
    )
  })

  it('is the distance of a kink argument from the kink: an input exactly at 0 under relu gives 0', () => {
    const details = fc.check(
      fc.property(arbProgramCase(), ({ program }) => !program.steps.some((s) => s.includes('relu(v0)'))),
      { seed, numRuns: 2000 },
    )
    const [{ program }] = details.counterexample!
    const atZero: AnyTensor[] = program.inputShapes.map((shape) => zeros(shape, { dtype: 'float64' }))
    expect(program.margin(atZero)).toBe(0)
  })
})

describe('programInputs', () => {
  it('gives values in [−2, 2] at least a fifth of the rung spacing from 0 and two fifths from each other, the same for the same seed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (shapes, s) => {
          const values = programInputs(shapes, 'float64', s).flatMap(toFlat)
          expect(programInputs(shapes, 'float64', s).flatMap(toFlat)).toEqual(values)
          const spacing = 4 / Math.max(values.length + (values.length % 2), 2)
          const sorted = [...values].sort((a, b) => a - b)
          for (const v of values) {
            expect(Math.abs(v)).toBeGreaterThanOrEqual(0.2 * spacing)
            expect(Math.abs(v)).toBeLessThanOrEqual(2)
          }
          for (let i = 1; i < sorted.length; i++)
            expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(0.4 * spacing)
        },
      ),
      { seed, numRuns: 200 },
    )
  })
})
