/**
 * `vmap`: the batch equals the stacked examples. Hand cases pin inAxes/outAxes, pytrees, shared
 * (unbatched) arguments and outputs, the errors; properties over random programs (the fuzzer's
 * generator) check `vmap(f)` against a loop of `f`, and vmap's composition with grad, jvp, hvp,
 * jacrev and itself against loops of the unbatched transform.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  add,
  customVjp,
  exp,
  formatTensor,
  grad,
  hvp,
  item,
  jacrev,
  jvp,
  matmul,
  mul,
  ShapeError,
  sin,
  stack,
  stopGradient,
  sum,
  tensor,
  toArray,
  toFlat,
  toTypedArray,
  transpose,
  vjp,
  vmap,
} from '../../src/index.js'
import { slice } from '../../src/tensor/internal.js'
import { arbProgram, programInputs } from '../../src/testing/index.js'
import type { Program } from '../../src/testing/programs.js'
import { batchOf, expectClose } from '../support/batches.js'

type Nested = number | readonly Nested[]
const f64 = (values: Nested): AnyTensor => tensor(values as number[], { dtype: 'float64' })
/** Example `b` of a batch along `axis`. */
const row = (x: AnyTensor, b: number, axis = 0): AnyTensor =>
  sum(
    slice(
      x,
      x.shape.map((_, i) => (i === axis ? b : 0)),
      x.shape.map((d, i) => (i === axis ? b + 1 : d)),
    ),
    axis,
  )

describe('vmap by hand', () => {
  const xs = f64([
    [1, 2, 3],
    [4, 5, 6],
  ])

  it('maps over axis 0 by default: one result per row', () => {
    expect(toArray(vmap((x: AnyTensor) => sum(mul(x, x)))(xs))).toEqual([14, 77])
  })

  it('maps over another axis with inAxes, and puts the batch where outAxes says', () => {
    expect(toArray(vmap((x: AnyTensor) => sum(x), { inAxes: 1 })(xs))).toEqual([5, 7, 9])
    expect(toArray(vmap((x: AnyTensor) => mul(x, 2), { inAxes: 1, outAxes: 1 })(xs))).toEqual([
      [2, 4, 6],
      [8, 10, 12],
    ])
    expect(toArray(vmap((x: AnyTensor) => mul(x, 2), { inAxes: -1 })(xs))).toEqual([
      [2, 8],
      [4, 10],
      [6, 12],
    ])
  })

  it('shares an argument whose inAxes entry is null, and broadcasts an output that does not depend on the batch', () => {
    const w = f64([10, 20, 30])
    expect(
      toArray(vmap((x: AnyTensor, v: AnyTensor) => sum(mul(x, v)), { inAxes: [0, null] })(xs, w)),
    ).toEqual([140, 320])
    expect(toArray(vmap((_x: AnyTensor) => w)(xs))).toEqual([
      [10, 20, 30],
      [10, 20, 30],
    ])
  })

  it('takes and returns pytrees', () => {
    const out = vmap((p: { a: AnyTensor; b: readonly [AnyTensor] }) => ({
      s: add(p.a, p.b[0]),
      t: [sum(p.a)],
    }))({
      a: xs,
      b: [f64([[1], [2]])],
    })
    expect(toArray(out.s)).toEqual([
      [2, 3, 4],
      [6, 7, 8],
    ])
    expect(toArray(out.t[0]!)).toEqual([6, 15])
  })

  it('batches a matrix product with a shared matrix on either side, and a batched pair', () => {
    const m = f64([
      [1, 0],
      [0, 1],
      [1, 1],
    ])
    const a = f64([
      [
        [1, 2, 3],
        [0, 1, 0],
      ],
      [
        [2, 0, 1],
        [1, 1, 1],
      ],
    ])
    const loop = (f: (x: AnyTensor) => AnyTensor) => stack([f(row(a, 0)), f(row(a, 1))], 0)
    for (const f of [
      (x: AnyTensor) => matmul(x, m),
      (x: AnyTensor) => matmul(transpose(m), transpose(x)),
      (x: AnyTensor) => matmul(x, transpose(x)),
    ])
      expectClose(vmap(f)(a), loop(f))
  })

  it('stops gradients per example: stopGradient inside vmap keeps the batch', () => {
    const g = vmap((x: AnyTensor) => grad((y: AnyTensor) => sum(mul(y, stopGradient(y))))(x))(xs)
    expect(toArray(g)).toEqual(toArray(xs))
  })

  it('batches a custom-vjp function and keeps its rule', () => {
    const twice = customVjp(
      (x: AnyTensor) => mul(x, 2),
      (ct) => [mul(ct, 3)] as const,
    )
    expect(toArray(vmap(twice)(xs))).toEqual([
      [2, 4, 6],
      [8, 10, 12],
    ])
    // the rule (3, deliberately not the true derivative 2) is what the per-example gradient uses
    expect(toArray(vmap((x: AnyTensor) => grad((y: AnyTensor) => sum(twice(y)))(x))(xs))).toEqual([
      [3, 3, 3],
      [3, 3, 3],
    ])
  })

  it('refuses to read values inside vmap (a tensor there stands for every example)', () => {
    expect(() => vmap((x: AnyTensor) => tensor(item(sum(x))))(xs)).toThrow(
      /item: cannot read the values of a tensor inside vmap/,
    )
    expect(() => vmap((x: AnyTensor) => tensor(toFlat(x)))(xs)).toThrow(ArgumentError)
    expect(() => vmap((x: AnyTensor) => tensor([...toTypedArray(x)]))(xs)).toThrow(
      /toTypedArray: cannot read/,
    )
    let printed = ''
    vmap((x: AnyTensor) => {
      printed = formatTensor(x)
      return x
    })(xs)
    expect(printed).toBe(
      'Tensor<[3], float64> (inside vmap: stands for every example of the batch, no values to show)',
    )
  })

  it('names the arguments whose batch sizes differ, and needs a batched argument', () => {
    expect(() => vmap((x: AnyTensor, y: AnyTensor) => add(x, y))(xs, f64([[1, 2, 3]]))).toThrow(
      /vmap: batch sizes differ: args\[0\] \(shape \[2,3\], axis 0\) has 2 examples but args\[1\] \(shape \[1,3\], axis 0\) has 1/,
    )
    expect(() => vmap((x: AnyTensor, y: AnyTensor) => add(x, y))(xs, f64([[1, 2, 3]]))).toThrow(ShapeError)
    expect(() => vmap((x: AnyTensor) => x, { inAxes: [null] })(xs)).toThrow(/needs at least one batched/)
    expect(() => vmap((x: AnyTensor) => x, { inAxes: [0, 0] })(xs)).toThrow(
      /one entry per argument \(1\), got 2/,
    )
    expect(() => vmap((x: AnyTensor) => x, { inAxes: 2 })(xs)).toThrow(/inAxes\[0\]/)
  })

  it('batches zero examples', () => {
    const empty = batchOf([], 0, [3], 'float64')
    expect(vmap((x: AnyTensor) => sum(exp(x)))(empty).shape).toEqual([0])
  })
})

// ---------------------------------------------------------------------------------------------
// Properties over random programs: a batch of B examples, each argument batched along a random
// axis or shared, against a loop over the examples.

const runs = Number(process.env.NABLA_VMAP_RUNS ?? 40)
const settings = { seed: 20261206, numRuns: runs }

interface Batch {
  readonly program: Program
  readonly size: number
  /** Per example, the program's inputs (shared arguments are the same in every example). */
  readonly examples: readonly (readonly AnyTensor[])[]
  readonly inAxes: readonly (number | null)[]
  /** The batched arguments. */
  readonly args: readonly AnyTensor[]
}

const arbBatch = (options: { maxSteps?: number } = {}): fc.Arbitrary<Batch> =>
  fc
    .record({
      program: arbProgram({ maxSteps: options.maxSteps ?? 5, maxInputs: 3 }),
      size: fc.integer({ min: 1, max: 3 }),
      shared: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      axes: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
      seed: fc.nat(),
    })
    .map(({ program, size, shared, axes, seed }) => {
      const { inputShapes: shapes, dtype } = program
      const isShared = shapes.map((_, i) => shared[i]! && i > 0)
      const perExample = Array.from({ length: size }, (_, b) => programInputs(shapes, dtype, seed + b))
      const examples = perExample.map((inputs) =>
        inputs.map((x, i) => (isShared[i] ? perExample[0]![i]! : x)),
      )
      const inAxes = shapes.map((s, i) => (isShared[i] ? null : axes[i]! % (s.length + 1)))
      const args = shapes.map((s, i) =>
        isShared[i]
          ? perExample[0]![i]!
          : batchOf(
              examples.map((e) => e[i]!),
              inAxes[i]!,
              s,
              dtype,
            ),
      )
      return { program, size, examples, inAxes, args }
    })

const loop = (batch: Batch, f: (inputs: readonly AnyTensor[], b: number) => AnyTensor): AnyTensor =>
  stack(
    batch.examples.map((inputs, b) => f(inputs, b)),
    0,
  )

const describeBatch = (b: Batch) =>
  `${String(b.program)}\ninAxes ${JSON.stringify(b.inAxes)}, ${b.size} examples`

describe('vmap over random programs', () => {
  it(`vmap(f) equals stacking f over the examples (${runs} programs)`, () => {
    fc.assert(
      fc.property(arbBatch({ maxSteps: 6 }), (batch) => {
        const run = (...xs: AnyTensor[]) => batch.program.run(xs)
        const actual = vmap(run, { inAxes: batch.inAxes })(...batch.args)
        expectClose(
          actual,
          loop(batch, (xs) => batch.program.run(xs)),
          1e-12,
          describeBatch(batch),
        )
      }),
      settings,
    )
  })

  it(`vmap ∘ grad (per-example gradients) equals a loop of grad (${runs} programs)`, () => {
    fc.assert(
      fc.property(arbBatch(), (batch) => {
        const gradOf = (xs: readonly AnyTensor[]) =>
          grad((ys: AnyTensor[]) => sum(batch.program.run(ys)))([...xs])[0]!
        const actual = vmap((...xs: AnyTensor[]) => gradOf(xs), { inAxes: batch.inAxes })(...batch.args)
        expectClose(actual, loop(batch, gradOf), 1e-10, describeBatch(batch))
      }),
      settings,
    )
  })

  it(`grad ∘ vmap: the gradient of the batch's total is each example's gradient (${runs} programs)`, () => {
    fc.assert(
      fc.property(arbBatch(), (batch) => {
        const first = batch.inAxes[0]!
        const total = (x0: AnyTensor) =>
          sum(
            vmap((...xs: AnyTensor[]) => batch.program.run(xs), { inAxes: batch.inAxes })(
              x0,
              ...batch.args.slice(1),
            ),
          )
        const actual = grad(total)(batch.args[0]!)
        const perExample = loop(batch, (xs) =>
          grad((y: AnyTensor) => sum(batch.program.run([y, ...xs.slice(1)])))(xs[0]!),
        )
        // per-example gradients stacked along the first argument's batch axis
        const expected = vmap((g: AnyTensor) => g, { outAxes: first })(perExample)
        expectClose(actual, expected, 1e-10, describeBatch(batch))
      }),
      settings,
    )
  })

  it(`vmap ∘ vmap equals a double loop (${runs} programs)`, () => {
    fc.assert(
      fc.property(arbBatch({ maxSteps: 4 }), fc.integer({ min: 1, max: 2 }), (batch, outer) => {
        // an outer batch of `outer` copies, the second scaled by −½ (exact), of the inner batch
        const scaled = (t: AnyTensor, k: number) => (k === 0 ? t : mul(t, -0.5))
        const outerArgs = batch.args.map((a, i) =>
          batch.inAxes[i] === null
            ? a
            : stack(
                Array.from({ length: outer }, (_, k) => scaled(a, k)),
                0,
              ),
        )
        const outerAxes = batch.inAxes.map((a) => (a === null ? null : 0))
        const inner = vmap((...xs: AnyTensor[]) => batch.program.run(xs), { inAxes: batch.inAxes })
        const actual = vmap((...xs: AnyTensor[]) => inner(...xs), { inAxes: outerAxes })(...outerArgs)
        const expected = stack(
          Array.from({ length: outer }, (_, k) =>
            loop(batch, (xs) =>
              batch.program.run(xs.map((x, i) => (batch.inAxes[i] === null ? x : scaled(x, k)))),
            ),
          ),
          0,
        )
        expectClose(actual, expected, 1e-12, describeBatch(batch))
      }),
      settings,
    )
  })

  it(`jvp ∘ vmap and vmap ∘ jvp equal a loop of jvp (${runs} programs)`, () => {
    fc.assert(
      fc.property(arbBatch(), (batch) => {
        const tangents = batch.args.map((a) => sin(a))
        const batched = (xs: readonly AnyTensor[]) =>
          vmap((...ys: AnyTensor[]) => batch.program.run(ys), { inAxes: batch.inAxes })(...xs)
        const [, actual] = jvp(batched, [...batch.args], tangents)
        const tangentRows = (b: number) =>
          batch.examples[b]!.map((x, i) => (batch.inAxes[i] === null ? sin(x) : sin(x)))
        const expected = loop(
          batch,
          (xs, b) => jvp((ys: AnyTensor[]) => batch.program.run(ys), [...xs], tangentRows(b))[1],
        )
        expectClose(actual, expected, 1e-10, describeBatch(batch))
        const inside = vmap(
          (...xs: AnyTensor[]) =>
            jvp(
              (ys: AnyTensor[]) => batch.program.run(ys),
              xs,
              xs.map((x) => sin(x)),
            )[1],
          { inAxes: batch.inAxes },
        )(...batch.args)
        expectClose(inside, expected, 1e-10, describeBatch(batch))
      }),
      { ...settings, numRuns: Math.ceil(runs / 2) },
    )
  })

  it(`vmap ∘ hvp and vmap ∘ vjp equal loops (${runs} programs)`, () => {
    fc.assert(
      fc.property(arbBatch({ maxSteps: 4 }), (batch) => {
        const f = (ys: AnyTensor[]) => sum(batch.program.run(ys))
        const hvpOf = (xs: readonly AnyTensor[]) =>
          hvp(f)(
            [...xs],
            xs.map((x) => sin(x)),
          )[0]!
        expectClose(
          vmap((...xs: AnyTensor[]) => hvpOf(xs), { inAxes: batch.inAxes })(...batch.args),
          loop(batch, hvpOf),
          1e-9,
          describeBatch(batch),
        )
        const vjpOf = (xs: readonly AnyTensor[]) => {
          const [y, pullback] = vjp((ys: AnyTensor[]) => batch.program.run(ys), [...xs])
          return pullback(sin(y))[0]!
        }
        expectClose(
          vmap((...xs: AnyTensor[]) => vjpOf(xs), { inAxes: batch.inAxes })(...batch.args),
          loop(batch, vjpOf),
          1e-10,
          describeBatch(batch),
        )
      }),
      { ...settings, numRuns: Math.ceil(runs / 2) },
    )
  })

  it(`vmap ∘ jacrev equals a loop of jacrev (${runs} programs)`, () => {
    fc.assert(
      fc.property(arbBatch({ maxSteps: 4 }), (batch) => {
        const jacOf = (xs: readonly AnyTensor[]) =>
          jacrev((y: AnyTensor) => batch.program.run([y, ...xs.slice(1)]))(xs[0]!)
        expectClose(
          vmap((...xs: AnyTensor[]) => jacOf(xs), { inAxes: batch.inAxes })(...batch.args),
          loop(batch, jacOf),
          1e-10,
          describeBatch(batch),
        )
      }),
      { ...settings, numRuns: Math.ceil(runs / 2) },
    )
  })
})
