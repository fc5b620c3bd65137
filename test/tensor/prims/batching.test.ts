/**
 * The table-driven batching test over the primitive registry: for every primitive, over its own
 * input domain, `vmap` of the primitive equals the primitive applied to each example and stacked —
 * with random batch sizes (0–3), a random subset of the inputs batched (the rest shared by every
 * example) and each batched input's batch axis at a random position. The examples of a batch are
 * random permutations of the domain's tensor, so every per-element constraint of the domain holds.
 * No primitive may batch by looping over the examples (`batchLoopCount` stays 0).
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toFlat } from '../../../src/io/index.js'
import {
  type AnyTensor,
  apply,
  batchLoopCount,
  type DomainCase,
  stack,
  tensor,
} from '../../../src/tensor/internal.js'
import * as ops from '../../../src/tensor/ops.js'
import { batchByLoop } from '../../../src/tensor/prims/batching.js'
import { mulPrim } from '../../../src/tensor/prims/index.js'
import { domainTools } from '../../../src/testing/arbitraries.js'
import { vmap } from '../../../src/vmap/index.js'
import { batchOf, expectClose, permuted } from '../../support/batches.js'
import { primitives } from '../../support/families.js'

/** Primitives without a gradient have no domain; they are broadcasting binary comparisons. */
const comparisons = new Set(['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'])
const runs = Number(process.env.NABLA_BATCH_RUNS ?? 30)

const batchCase = fc.record({
  size: fc.integer({ min: 0, max: 3 }),
  batched: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  axes: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
  seed: fc.nat(),
})

describe('batching rules of the primitive registry', () => {
  it('gives a domain to every primitive but the comparisons, which are broadcasting binaries', () => {
    expect(primitives.filter((p) => p.domain === undefined).map((p) => p.name)).toEqual(
      primitives.filter((p) => comparisons.has(p.name)).map((p) => p.name),
    )
  })

  for (const prim of primitives) {
    const domain = prim.domain ?? (() => domainTools.binary())
    it(`${prim.name}: vmap equals the primitive applied to each example, stacked`, () => {
      fc.assert(
        fc.property(
          domain(domainTools) as fc.Arbitrary<DomainCase<unknown>>,
          batchCase,
          ({ inputs, params }, { size, batched: flags, axes: picks, seed }) => {
            const batched = inputs.map((_, i) => flags[i % flags.length]!)
            if (!batched.some(Boolean)) batched[seed % inputs.length] = true
            const examples = inputs.map((x, i) =>
              Array.from({ length: size }, (_, b) => (b === 0 ? x : permuted(x, seed + 101 * i + b))),
            )
            const inAxes = inputs.map((x, i) => (batched[i] ? picks[i]! % (x.shape.length + 1) : null))
            const args = inputs.map((x, i) =>
              batched[i] ? batchOf(examples[i]!, inAxes[i]!, x.shape, x.dtype) : x,
            )
            const actual = vmap((...xs: AnyTensor[]) => apply(prim, xs, params), { inAxes })(...args)
            const one = apply(prim, inputs, params)
            const expected =
              size === 0
                ? batchOf([], 0, one.shape, one.dtype)
                : stack(
                    Array.from({ length: size }, (_, b) =>
                      apply(
                        prim,
                        inputs.map((x, i) => (batched[i] ? examples[i]![b]! : x)),
                        params,
                      ),
                    ),
                    0,
                  )
            expectClose(actual, expected, 1e-12, `${prim.name} (batched ${batched}, inAxes ${inAxes})`)
          },
        ),
        { seed: 20261206, numRuns: runs },
      )
    })
  }

  it('never fell back to looping over the examples', () => {
    expect(batchLoopCount()).toBe(0)
  })
})

describe('the loop fallback', () => {
  it('is right and counted, so a primitive that uses it shows up', () => {
    const before = batchLoopCount()
    const rule = batchByLoop(() => mulPrim)
    const xs = tensor([
      [1, 2],
      [3, 4],
    ])
    const out = rule(ops, [xs, tensor([10, 20])], [true, false], undefined, 2)
    expect(toFlat(out)).toEqual([10, 40, 30, 80])
    expect(batchLoopCount()).toBe(before + 1)
  })
})
