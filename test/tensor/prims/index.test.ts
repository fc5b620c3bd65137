/**
 * The table-driven gradient test over the primitive registry: every primitive, over its own input
 * domain, passes `checkGrads` in full-Jacobian and random-direction modes, at first and second
 * order, in float64. A primitive added without a vjp rule or a domain fails here (comparisons,
 * which have no gradient, are the named exception).
 */

import { existsSync, readdirSync } from 'node:fs'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AnyTensor, apply, isPrim } from '../../../src/tensor/internal.js'
import { domainTools } from '../../../src/testing/arbitraries.js'
import { checkGrads, describeMismatch } from '../../../src/testing/index.js'
import { families, primitives } from '../../support/families.js'

// comparisons (their outputs are constants) and stopGradient (a constant by definition)
const withoutGradient = new Set([
  'equal',
  'notEqual',
  'less',
  'lessEqual',
  'greater',
  'greaterEqual',
  'stopGradient',
])
const runs = Number(process.env.NABLA_GRAD_RUNS ?? 40)

describe('primitive registry', () => {
  it('gives every differentiable primitive a vjp rule and a test domain', () => {
    const missing = primitives.filter(
      (p) => !withoutGradient.has(p.name) && (p.vjp === undefined || p.domain === undefined),
    )
    expect(missing.map((p) => p.name)).toEqual([])
    const names = primitives.map((p) => p.name)
    expect(new Set(names).size).toBe(names.length)
  })

  it('lists every primitive declared in a file under a prims folder (none can be left out)', async () => {
    const root = new URL('../../../', import.meta.url)
    // every floor with a prims folder is a family of test/support/families.ts
    const folders = readdirSync(new URL('src/', root), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(new URL(`src/${d.name}/prims/`, root)))
      .map((d) => `src/${d.name}/prims`)
    expect(new Set(folders)).toEqual(new Set(families.map((f) => f.folder)))
    for (const family of families) {
      const folder = new URL(`${family.folder}/`, root)
      const files = readdirSync(folder).filter((f) => f.endsWith('.ts'))
      const declared: string[] = []
      for (const file of files) {
        const module: Record<string, unknown> = await import(new URL(file, folder).href)
        for (const value of Object.values(module)) if (isPrim(value)) declared.push(value.name)
      }
      expect(declared.length, family.folder).toBeGreaterThan(0)
      expect(new Set(declared), family.folder).toEqual(new Set(family.primitives.map((p) => p.name)))
    }
    expect(primitives.length).toBeGreaterThan(40)
  })

  it('gives comparisons and stopGradient no vjp rule (their outputs are constants)', () => {
    for (const p of primitives.filter((q) => withoutGradient.has(q.name))) expect(p.vjp).toBeUndefined()
  })

  for (const prim of primitives.filter((p) => !withoutGradient.has(p.name))) {
    it(`${prim.name}: vjp agrees with finite differences (full and random modes, order 1 and 2)`, () => {
      fc.assert(
        fc.property(prim.domain!(domainTools), (domainCase) => {
          const { inputs, params } = domainCase
          const wrt = domainCase.wrt ?? inputs.map((_, i) => i)
          const f = (xs: readonly AnyTensor[]) => {
            const all = [...inputs]
            wrt.forEach((w, i) => {
              all[w] = xs[i]!
            })
            return apply(prim, all, params)
          }
          const result = checkGrads(
            f,
            wrt.map((w) => inputs[w]!),
            { order: 2, modes: ['full', 'random'], seed: 7 },
          )
          if (!result.ok) throw new Error(`${prim.name}: ${describeMismatch(result.failures[0]!)}`)
          return true
        }),
        { seed: 20261128, numRuns: runs },
      )
    })
  }
})
