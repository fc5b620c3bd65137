/**
 * Fusion of small values: groups may take members whose values other equations read too (those are
 * written out, `exposed`), so a chain of tiny ops becomes a few units instead of one every few ops.
 * Checked here: on random programs every unit runs after the units that write what it reads; on
 * random tiny-op DAGs (values read many times, forward and backward) jit gives the eager values and
 * gradients; and the per-op chain of the benchmark becomes a few dozen units with the eager
 * gradient bit for bit.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  add,
  exp,
  fromArrayOrThrow,
  grad,
  jit,
  mul,
  neg,
  sin,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  toFlat,
} from '../../src/index.js'
import { unitInputs, unitOutputs } from '../../src/jit/buffers.js'
import { eliminateDeadCode } from '../../src/jit/dce.js'
import { maxTreeNodes, planUnits, smallGroupMembers, smallValueSize } from '../../src/jit/fusion.js'
import type { IR } from '../../src/jit/ir.js'
import { makeIR } from '../../src/jit/makeIR.js'
import type { FusedExpression } from '../../src/tensor/internal.js'
import { arbProgram, programInputs } from '../../src/testing/index.js'

/** The first unit that reads a variable before any unit (or the IR's inputs) has written it. */
const readBeforeWritten = (ir: IR, fusion: boolean): string | undefined => {
  const written = new Set(ir.inputs.map((v) => v.id))
  const units = planUnits(ir, fusion)
  for (const [i, unit] of units.entries()) {
    for (const input of unitInputs(unit))
      if (input.kind === 'var' && !written.has(input.id))
        return `unit ${i} reads v${input.id} before it is written`
    for (const out of unitOutputs(unit)) written.add(out.id)
  }
  for (const out of ir.outputs)
    if (out.kind === 'var' && !written.has(out.id)) return `output v${out.id} never written`
  return undefined
}

type Step = {
  readonly op: 'sin' | 'tanh' | 'exp' | 'neg' | 'add' | 'sub' | 'mul' | 'scale'
  readonly a: number
  readonly b: number
}

const arbStep = fc.record({
  op: fc.constantFrom('sin', 'tanh', 'exp', 'neg', 'add', 'sub', 'mul', 'scale'),
  a: fc.nat(),
  b: fc.nat(),
}) as fc.Arbitrary<Step>

/** A tiny-op program whose values are read by any later step (a DAG, not a chain): its last and middle values. */
const dagValues =
  (steps: readonly Step[]) =>
  (x: Tensor): [Tensor, Tensor] => {
    const values: Tensor[] = [x]
    for (const { op, a, b } of steps) {
      const u = values[a % values.length]!
      const v = values[b % values.length]!
      const next =
        op === 'sin'
          ? sin(u)
          : op === 'tanh'
            ? tanh(u)
            : op === 'exp'
              ? exp(tanh(u))
              : op === 'neg'
                ? neg(u)
                : op === 'add'
                  ? add(u, v)
                  : op === 'sub'
                    ? sub(u, v)
                    : op === 'mul'
                      ? tanh(mul(u, v))
                      : mul(u, 0.75)
      values.push(next)
    }
    // two values leave the program, so a member of a group can be an output too
    return [values.at(-1)!, values[values.length >> 1]!]
  }

/** A loss over both values (the sums' own rounding does not enter the gradient). */
const dagLoss =
  (steps: readonly Step[]) =>
  (x: Tensor): Tensor => {
    const [last, middle] = dagValues(steps)(x)
    return add(sum(last), mul(sum(middle), 0.5))
  }

const same = (got: AnyTensor, expected: AnyTensor): boolean => {
  const a = toFlat(got)
  const b = toFlat(expected)
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]))
}

/**
 * Within test/jit/plan.test.ts's float32 tolerance: a group with a WebAssembly form computes tanh
 * and exp with the back end's vector approximations, which eager tensors this small do not use.
 */
const close = (got: AnyTensor, expected: AnyTensor): boolean => {
  const a = toFlat(got)
  const b = toFlat(expected)
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= 1e-4 * (1 + Math.abs(b[i]!)))
}

describe('fusion of small values', () => {
  it('runs every unit after the units that write what it reads (random programs and their gradients)', () => {
    fc.assert(
      fc.property(arbProgram({ dtypes: ['float32', 'float64'], maxSteps: 10 }), fc.nat(100), (p, seed) => {
        const inputs = programInputs(p.inputShapes, p.dtype, seed)
        const loss = (xs: readonly AnyTensor[]) => sum(p.run(xs))
        for (const ir of [
          makeIR((xs: readonly AnyTensor[]) => p.run(xs))(inputs),
          makeIR(grad(loss))(inputs),
        ])
          for (const fusion of [true, false]) {
            const problem = readBeforeWritten(ir, fusion)
            if (problem !== undefined) throw new Error(`${problem}\n${p}`)
          }
      }),
      { seed: 1504, numRuns: 80 },
    )
  })

  it('gives the eager values and gradients on tiny-op DAGs', () => {
    fc.assert(
      fc.property(
        fc.array(arbStep, { minLength: 1, maxLength: 80 }),
        fc.constantFrom([4], [2, 3], [], [4, 8]),
        (steps, shape) => {
          const size = shape.reduce((x, y) => x * y, 1)
          const x = fromArrayOrThrow(
            Float32Array.from({ length: size }, (_, i) => Math.sin(i + 1) * 1.5),
            shape,
          ) as Tensor
          const f = dagValues(steps)
          const [last, middle] = jit(f)(x)
          const [eagerLast, eagerMiddle] = f(x)
          expect(close(last, eagerLast) && close(middle, eagerMiddle)).toBe(true)
          const loss = dagLoss(steps)
          expect(close(jit(grad(loss))(x), grad(loss)(x))).toBe(true)
        },
      ),
      { seed: 1505, numRuns: 60 },
    )
  })

  it('turns the chain of 1000 tiny ops, forward and backward, into a few dozen units', () => {
    const chain = (x: Tensor): Tensor => {
      let t = x
      for (let i = 0; i < 1000; i++) {
        const k = i % 4
        t = k === 0 ? sin(t) : k === 1 ? mul(t, 1.01) : k === 2 ? tanh(t) : add(t, 0.5)
      }
      return sum(t)
    }
    const x = fromArrayOrThrow(new Float32Array([0.1, -0.2, 0.3, 0.4]), [4]) as Tensor
    const ir = eliminateDeadCode(makeIR(grad(chain))(x))
    const units = planUnits(ir, true)
    // about 2500 equations; groups of at most smallGroupMembers
    expect(units.length).toBeLessThanOrEqual(Math.ceil(ir.equations.length / smallGroupMembers) + 8)
    // one-reader fusion alone cuts it at every value the backward pass reads again
    expect(ir.equations.length).toBeGreaterThan(2000)
    expect(readBeforeWritten(ir, true)).toBeUndefined()
    expect(same(jit(grad(chain))(x), grad(chain)(x))).toBe(true)
  })

  it('leaves values larger than smallValueSize to one-reader fusion', () => {
    const n = smallValueSize + 1
    const f = (x: Tensor): Tensor => {
      const a = sin(x)
      return sum(mul(tanh(a), a)) // a is read twice
    }
    const x = fromArrayOrThrow(new Float32Array(n).fill(0.5), [n]) as Tensor
    const units = planUnits(makeIR(f)(x), true)
    expect(units.every((u) => u.kind !== 'fused' || (u.exposed.length === 0 && !u.smallValues))).toBe(true)
    const tiny = fromArrayOrThrow(new Float32Array(4).fill(0.5), [4]) as Tensor
    expect(planUnits(makeIR(f)(tiny), true).some((u) => u.kind === 'fused' && u.smallValues)).toBe(true)
  })
})

describe('constants of fused kernels', () => {
  // numbers a JSON key or a Map key would merge with others: −0 with 0 (SameValueZero, JSON), NaN
  // with ±Infinity (JSON writes all three as null)
  const special = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, -2]
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((v, i) => Object.is(v, b[i]))

  it('stay what they are: −0 is not 0, NaN is not ±Infinity, in one kernel and in kernels compiled before', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...special),
        fc.constantFrom(...special),
        fc.constantFrom('add', 'sub', 'mul'),
        fc.constantFrom(8, smallValueSize + 8),
        (c1, c2, outer, size) => {
          // every special value as an element, repeated up to the size (a JavaScript loop for small
          // values, a generated WebAssembly kernel for larger ones)
          const x = fromArrayOrThrow(
            Float32Array.from({ length: size }, (_, i) => special[i % special.length]!),
            [size],
          )
          const op = { add, sub, mul }[outer]
          const f = (t: Tensor<[number]>) => op(mul(t, c1), c2)
          const eager = toFlat(f(x))
          const jitted = toFlat(jit(f)(x))
          if (!same(jitted, eager))
            throw new Error(
              `${outer}(mul(x, ${Object.is(c1, -0) ? '-0' : c1}), ${Object.is(c2, -0) ? '-0' : c2}) on ${size}: jit ${jitted.slice(0, 7)} vs eager ${eager.slice(0, 7)}`,
            )
        },
      ),
      { seed: 18, numRuns: 150 },
    )
  })
})

/** Nodes of an expression tree, a subtree counted each time it is written. */
const treeNodes = (node: FusedExpression): number =>
  node.kind === 'operand' || node.kind === 'constant'
    ? 1
    : node.kind === 'unary'
      ? 1 + treeNodes(node.x)
      : node.kind === 'binary'
        ? 1 + treeNodes(node.x) + treeNodes(node.y)
        : 1 + treeNodes(node.condition) + treeNodes(node.x) + treeNodes(node.y)

describe('values read twice by one equation', () => {
  const n = smallValueSize + 8
  const filled = (seed: number) =>
    fromArrayOrThrow(
      Float32Array.from({ length: n }, (_, i) => 1 + Math.sin(seed + i) * 1e-3),
      [n],
    ) as Tensor

  it('join the group of the value: (x − y)² is one kernel', () => {
    const f = (x: Tensor, y: Tensor): Tensor => square(sub(x, y))
    const units = planUnits(makeIR(f)(filled(1), filled(2)), true)
    expect(units.map((u) => u.kind)).toEqual(['fused'])
    // one node read twice, so the kernels compute x − y once per element
    const root = units[0]!.kind === 'fused' ? units[0]!.expression : undefined
    expect(root?.kind === 'binary' && root.x === root.y).toBe(true)
    expect(same(jit(f)(filled(1), filled(2)), f(filled(1), filled(2)))).toBe(true)
  })

  it('keep a tree that doubles at every step bounded (x ↦ x·x forty times)', () => {
    const f = (x: Tensor): Tensor => {
      let t = x
      for (let i = 0; i < 40; i++) t = mul(t, t)
      return t
    }
    const units = planUnits(makeIR(f)(filled(3)), true)
    for (const unit of units)
      if (unit.kind === 'fused') expect(treeNodes(unit.expression)).toBeLessThanOrEqual(maxTreeNodes)
    // several squarings per kernel, not one per kernel
    expect(units.length).toBeLessThanOrEqual(Math.ceil(40 / 4))
    expect(same(jit(f)(filled(3)), f(filled(3)))).toBe(true)
  })
})
