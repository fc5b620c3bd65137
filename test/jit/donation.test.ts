/**
 * Donation (`jit(f, { donate })`): which results are written over a donated input (the pairing of
 * donation.ts, seen through compiled plans), and, on the random-program generator, that a jitted
 * update loop with donated parameters gives the eager loop's values while every tensor a caller
 * still holds keeps its values — results lent the plan's memory are moved out before the plan
 * writes it again, unless they are donated back.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  add,
  exp,
  flatten,
  fromArrayOrThrow,
  grad,
  jit,
  key,
  makeIR,
  matmul,
  mlp,
  mul,
  normal,
  randint,
  reshape,
  softmaxCrossEntropy,
  sub,
  sum,
  type Tensor,
  tensor,
  toFlat,
  unflatten,
  valueAndGrad,
} from '../../src/index.js'
import { compilePlan } from '../../src/jit/plan.js'
import { storage } from '../../src/tensor/internal.js'
import { arbProgram, type Program, programInputs } from '../../src/testing/index.js'

const pairsOf = (
  f: (...xs: any[]) => unknown,
  args: readonly AnyTensor[],
  donated: boolean[],
  fusion = true,
) => {
  const ir = makeIR(f)(...args)
  const plan = compilePlan(ir, { fusion, donated })!
  return [...plan.donations].map(([result, input]) => ({
    output: plan.ir.outputs.findIndex((o) => o.kind === 'var' && o.id === result),
    input: plan.ir.inputs.findIndex((v) => v.id === input.id),
  }))
}

describe('which results take a donated input’s buffer', () => {
  const w = tensor([1, 2, 3, 4])
  const g = tensor([0.5, 0.5, 0.5, 0.5])
  const update = (w: Tensor, g: Tensor) => sub(w, mul(g, 0.1))

  it('a parameter update is written over the donated parameter, fused or not', () => {
    for (const fusion of [true, false]) {
      expect(pairsOf(update, [w, g], [true, false], fusion)).toEqual([{ output: 0, input: 0 }])
      expect(pairsOf(update, [w, g], [false, true], fusion)).toEqual([{ output: 0, input: 1 }])
      expect(pairsOf(update, [w, g], [false, false], fusion)).toEqual([])
    }
  })

  it('only a result written after the donated input’s last read, or by that read in place', () => {
    // the first result is written while the second still has to read x: only the second pairs
    const twice = (x: Tensor) => [exp(x), mul(x, 2)]
    expect(pairsOf(twice, [w], [true])).toEqual([{ output: 1, input: 0 }])
    // a product reads its operands while it writes: never in place
    const square = tensor([
      [1, 2],
      [3, 4],
    ])
    expect(pairsOf((x: Tensor<[2, 2]>) => matmul(x, x), [square], [true])).toEqual([])
    // but a result written after the product has read x may take x's buffer
    expect(pairsOf((x: Tensor<[2, 2]>) => exp(matmul(x, x)), [square], [true])).toEqual([
      { output: 0, input: 0 },
    ])
    // shapes and dtypes must match
    expect(pairsOf((x: Tensor<[4]>) => reshape(add(x, 1), [2, 2]), [w], [true])).toEqual([])
    expect(pairsOf((x: Tensor<[4]>) => sum(x), [w], [true])).toEqual([])
  })
})

describe('jit donate', () => {
  it('writes the result over the donated tensor, which is consumed', () => {
    const step = jit((a: Tensor<[4]>, b: Tensor<[4]>) => add(a, b), { donate: [0] })
    const y = tensor([10, 20, 30, 40])
    let x = tensor([1, 2, 3, 4])
    const places: { buffer: ArrayBufferLike; offset: number }[] = []
    for (let i = 0; i < 4; i++) {
      const before = x
      x = step(x, y)
      expect(() => toFlat(before)).toThrow(ArgumentError)
      expect(() => toFlat(before)).toThrow(/donated to a jitted call/)
      expect(String(before)).toBe(
        'Tensor<[4], float32> (donated to a jitted call, whose result now holds its memory: no values)',
      )
      expect(() => JSON.stringify(before)).toThrow(ArgumentError)
      expect(() => step(before, y)).toThrow(ArgumentError)
      places.push({ buffer: storage(x).buffer, offset: storage(x).byteOffset })
    }
    expect(toFlat(x)).toEqual([41, 82, 123, 164])
    // from the second call on, every result is in the same memory (nothing allocated for it)
    for (const p of places.slice(2)) expect(p).toEqual(places[1])
    expect(toFlat(y)).toEqual([10, 20, 30, 40])
  })

  it('moves a lent result out before writing its memory when it is not donated back', () => {
    const step = jit((a: Tensor<[4]>) => mul(a, 2), { donate: [0] })
    const kept = step(tensor([1, 2, 3, 4]))
    const view = reshape(kept, [2, 2]) // shares no memory the plan writes
    const other = step(tensor([5, 6, 7, 8]))
    expect(toFlat(kept)).toEqual([2, 4, 6, 8])
    expect(toFlat(view)).toEqual([2, 4, 6, 8])
    expect(toFlat(other)).toEqual([10, 12, 14, 16])
    // a lent result passed where nothing is donated is read, not consumed
    const plain = jit((a: Tensor<[4]>) => add(a, 1))
    expect(toFlat(plain(other))).toEqual([11, 13, 15, 17])
    expect(toFlat(step(other))).toEqual([20, 24, 28, 32])
    expect(() => toFlat(other)).toThrow(ArgumentError)
  })

  it('gives a copy when the donated tensor is itself the result, and donates nothing under grad', () => {
    const same = jit((a: Tensor<[2]>) => a, { donate: [0] })
    const x = tensor([1, 2])
    const y = same(x)
    expect(toFlat(y)).toEqual([1, 2])
    expect(() => toFlat(x)).toThrow(ArgumentError)
    const doubled = jit((a: Tensor<[2]>) => mul(a, a), { donate: [0] })
    const w = tensor([3, 4])
    expect(toFlat(grad((v: Tensor<[2]>) => sum(doubled(v)))(w))).toEqual([6, 8])
    expect(toFlat(w)).toEqual([3, 4])
    // a result lent by the plan, given to it again under grad, is neither consumed nor written over
    const lent = doubled(w)
    expect(toFlat(grad((v: Tensor<[2]>) => sum(doubled(v)))(lent))).toEqual([18, 32])
    expect(toFlat(lent)).toEqual([9, 16])
    expect(toFlat(doubled(lent))).toEqual([81, 256])
  })

  it('refuses donate indices that are not tensor arguments', () => {
    const f = (a: Tensor) => a
    expect(() => jit(f, { donate: [-1] })).toThrow(ArgumentError)
    expect(() => jit(f, { donate: [0.5] })).toThrow(ArgumentError)
    expect(() => jit(f, { donate: [0], staticArgs: [0] })).toThrow(/static/)
  })
})

const tolerance = (dtype: string) => (dtype === 'float32' ? 1e-4 : 1e-10)

const differs = (got: AnyTensor, expected: readonly number[], tol: number): string | undefined => {
  const a = toFlat(got)
  if (a.length !== expected.length) return 'sizes differ'
  for (let i = 0; i < a.length; i++) {
    const b = expected[i]!
    const bad = Number.isNaN(b) ? !Number.isNaN(a[i]!) : !(Math.abs(a[i]! - b) <= tol * (1 + Math.abs(b)))
    if (bad) return `element ${i}: jit ${a[i]} vs eager ${b}`
  }
  return undefined
}

// one step of gradient descent on sum(program), returning the new inputs and the program's value
// (computed first: a value computed after the update would read the inputs after it, so no update
// could be written over them)
const stepOf = (program: Program) => {
  const loss = (xs: readonly AnyTensor[]) => sum(program.run(xs))
  return (xs: readonly AnyTensor[]): [AnyTensor[], AnyTensor] => {
    const value = program.run(xs)
    const g = grad(loss)(xs)
    return [xs.map((x, i) => sub(x, mul(g[i]!, 0.01))), value]
  }
}

describe('donated update loops on random programs', () => {
  for (const fusion of [true, false])
    it(`equal the eager loop, and every tensor still held keeps its values (fusion ${fusion ? 'on' : 'off'})`, () => {
      let reused = 0
      fc.assert(
        fc.property(
          arbProgram({ dtypes: ['float32', 'float64'], maxSteps: 6 }),
          fc.nat(1000),
          fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
          (program, seed, donateBack) => {
            const step = stepOf(program)
            const jitted = jit(step, { donate: [0], fusion })
            const tol = tolerance(program.dtype)
            let eager: AnyTensor[] = programInputs(program.inputShapes, program.dtype, seed)
            let xs: AnyTensor[] = eager.map((t) =>
              fromArrayOrThrow(toFlat(t), [...t.shape], { dtype: t.dtype }),
            )
            const held: { tensor: AnyTensor; values: number[] }[] = []
            let previous: ArrayBufferLike[] = []
            for (const back of donateBack) {
              // donate the last results back, or copies of them (the results stay lent and held)
              const given = back
                ? xs
                : xs.map((t) => fromArrayOrThrow(toFlat(t), [...t.shape], { dtype: t.dtype }))
              if (!back) for (const t of xs) held.push({ tensor: t, values: toFlat(t) })
              const [next, value] = jitted(given)
              for (const t of given) expect(() => toFlat(t)).toThrow(ArgumentError)
              const [expectedNext, expectedValue] = step(eager)
              const problems = [
                differs(value, toFlat(expectedValue), tol),
                ...next.map((t, i) => differs(t, toFlat(expectedNext[i]!), tol)),
              ].filter((p) => p !== undefined)
              if (problems.length > 0) throw new Error(`${problems[0]}\n${program}`)
              const buffers = next.map((t) => storage(t).buffer)
              reused += buffers.filter((b, i) => b === previous[i]).length
              previous = buffers
              held.push({ tensor: value, values: toFlat(value) })
              xs = next
              eager = expectedNext
            }
            for (const h of held) expect(toFlat(h.tensor)).toEqual(h.values)
          },
        ),
        { seed: fusion ? 25 : 26, numRuns: 40 },
      )
      // results were written over donated inputs in the plans' memory, not into fresh arrays
      expect(reused).toBeGreaterThan(20)
    })
})

describe('inputs given again', () => {
  it('are not copied in again, and the plan still equals eager (random programs, inputs kept or replaced)', () => {
    fc.assert(
      fc.property(
        arbProgram({ dtypes: ['float32', 'float64'], maxSteps: 8 }),
        fc.nat(1000),
        fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 3, maxLength: 3 }),
        (program, seed, keeps) => {
          const jitted = jit((xs: readonly AnyTensor[]) => program.run(xs))
          let xs = programInputs(program.inputShapes, program.dtype, seed)
          keeps.forEach((keep, call) => {
            const fresh = programInputs(program.inputShapes, program.dtype, seed + call + 1)
            xs = xs.map((x, i) => (keep[i % keep.length] ? x : fresh[i]!))
            const problem = differs(jitted(xs), toFlat(program.run(xs)), tolerance(program.dtype))
            if (problem !== undefined) throw new Error(`call ${call}: ${problem}\n${program}`)
          })
        },
      ),
      { seed: 27, numRuns: 60 },
    )
  })
})

describe('a donated training step', () => {
  it('equals the same step without donation bit for bit (products large enough for helper threads)', () => {
    const net = mlp([784, 128, 10])
    const x = normal(key(1), [64, 784])
    const y = randint(key(2), [64], { max: 10 })
    type P = ReturnType<typeof net.init>
    const update = (p: P): [AnyTensor, P] => {
      const [value, g] = valueAndGrad((q: P) => softmaxCrossEntropy(net.apply(q, x), y))(p)
      const [ws, def] = flatten(p)
      const [ds] = flatten(g)
      return [
        value,
        unflatten(
          def,
          ws.map((w, i) => sub(w, mul(ds[i]!, 0.1))),
        ),
      ]
    }
    const losses = (donate: boolean) => {
      const step = jit(update, { donate: donate ? [0] : [] })
      let params = net.init(key(0))
      const out: number[] = []
      for (let i = 0; i < 4; i++) {
        const [value, next] = step(params)
        out.push(...toFlat(value))
        params = next
      }
      const leaves = flatten(params)[0]
      // donated: the new parameters are views of the plan's memory, not arrays of their own
      const lent = leaves.filter((t) => storage(t).buffer.byteLength > t.size * 4)
      expect(lent.length).toBe(donate ? leaves.length : 0)
      return [...out, ...leaves.flatMap((t) => toFlat(reshape(t, [t.size])))]
    }
    expect(losses(true)).toEqual(losses(false))
  })
})
