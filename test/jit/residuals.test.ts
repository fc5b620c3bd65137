/**
 * The pullback split at the cotangent: the forward part holds every equation that does not depend on
 * the cotangent (so the backward plan never recomputes the forward), and forward + backward plans
 * give the eager values and gradients on random programs.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AnyTensor, grad, matmul, sum, tanh, tensor, toFlat, vjp } from '../../src/index.js'
import { linearize, splitAtCotangent } from '../../src/jit/residuals.js'
import { flattenArguments, traceFunction } from '../../src/jit/trace.js'
import { arbProgram, programInputs } from '../../src/testing/index.js'

describe('the pullback split at the cotangent', () => {
  it('leaves the forward computation out of the backward part', () => {
    const f = (xs: readonly AnyTensor[]) => sum(tanh(matmul(xs[0]!, xs[1]!)))
    const both = (xs: readonly AnyTensor[], ct: AnyTensor) => {
      const [y, back] = vjp((ys: AnyTensor[]) => f(ys), [...xs])
      return [y, ...back(ct)]
    }
    const x = tensor(
      [
        [0.5, -1],
        [2, 0.25],
      ],
      { dtype: 'float64' },
    )
    const w = tensor(
      [
        [1, 0.5],
        [-0.5, 1],
      ],
      { dtype: 'float64' },
    )
    const ir = traceFunction(
      'test',
      both,
      flattenArguments('test', [[x, w], tensor(0, { dtype: 'float64' })], new Set()),
    ).ir
    const split = splitAtCotangent(ir)!
    const names = (eqs: typeof ir.equations) => eqs.map((e) => e.prim.name)
    // the forward product and tanh run once, in the forward part; the backward reads their values
    expect(names(split.forward.equations)).toContain('tanh')
    expect(names(split.backward.equations)).not.toContain('tanh')
    expect(names(split.backward.equations).filter((n) => n === 'matmul')).toHaveLength(2)
    expect(names(ir.equations).filter((n) => n === 'matmul')).toHaveLength(3)
    expect(split.backward.inputs.at(-1)).toBe(ir.inputs.at(-1))
    expect(split.forward.outputs.length).toBeGreaterThan(1)
  })

  it('gives the eager values and gradients through the forward and backward plans', () => {
    fc.assert(
      fc.property(
        arbProgram({ dtypes: ['float32', 'float64'], maxSteps: 6 }),
        fc.nat(1000),
        (program, seed) => {
          const tol = program.dtype === 'float32' ? 1e-4 : 1e-10
          const loss = (xs: readonly AnyTensor[]) => sum(program.run(xs))
          const first = programInputs(program.inputShapes, program.dtype, seed)
          const lin = linearize(loss, first, { shape: [], dtype: program.dtype }, true)!
          for (const inputs of [first, programInputs(program.inputShapes, program.dtype, seed + 1)]) {
            const { output, residuals } = lin.forward(inputs)
            const one = tensor(1, { dtype: program.dtype })
            const grads = lin.backward(
              inputs.map(() => true),
              residuals,
              one,
            )!
            const expected = [loss(inputs), ...grad(loss)(inputs)]
            ;[output, ...grads].forEach((got, i) => {
              const [a, b] = [toFlat(got), toFlat(expected[i]!)]
              a.forEach((v, j) => {
                const ok = Number.isNaN(b[j]!)
                  ? Number.isNaN(v)
                  : Math.abs(v - b[j]!) <= tol * (1 + Math.abs(b[j]!))
                if (!ok) throw new Error(`output ${i} element ${j}: ${v} vs eager ${b[j]}\n${program}`)
              })
            })
          }
        },
      ),
      { seed: 41, numRuns: 30 },
    )
  })
})
