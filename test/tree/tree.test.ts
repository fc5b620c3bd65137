/** Pytrees: flatten/unflatten round trips, sorted record keys, paths, and typed errors. */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  flatten,
  leafPaths,
  mul,
  ShapeError,
  tensor,
  toFlat,
  treeMap,
  treeZip,
  unflatten,
} from '../../src/index.js'
import { arbPytree } from '../../src/testing/index.js'
import { sameStructure, structureKey, type TreeDef } from '../../src/tree/internal.js'

/**
 * Structures over few, confusable record keys (empty, digits, the key writer's own punctuation), so
 * that pairs often coincide or differ by one detail.
 */
const arbDef: fc.Arbitrary<TreeDef> = fc.letrec<{ def: TreeDef }>((tie) => ({
  def: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant({ kind: 'leaf' } as const),
    fc.array(tie('def'), { maxLength: 3 }).map((children) => ({ kind: 'array' as const, children })),
    fc
      .uniqueArray(fc.tuple(fc.constantFrom('', '1', '1:', 'a', '.', '[', '{1:a.}', ','), tie('def')), {
        maxLength: 3,
        selector: ([k]) => k,
      })
      .map((entries) => ({
        kind: 'record' as const,
        keys: entries.map(([k]) => k),
        children: entries.map(([, c]) => c),
      })),
  ),
})).def

describe('pytrees', () => {
  it('unflatten(flatten(t)) rebuilds the same tree with the same leaves', () => {
    fc.assert(
      fc.property(arbPytree({ depth: 3 }), (tree) => {
        const [leaves, def] = flatten(tree)
        const rebuilt = unflatten(def, leaves)
        const [again, def2] = flatten(rebuilt)
        expect(def2).toEqual(def)
        expect(again.length).toBe(leaves.length)
        again.forEach((t, i) => {
          expect(t).toBe(leaves[i])
        })
      }),
      { seed: 11, numRuns: 100 },
    )
  })

  it('structureKey names a structure: equal keys exactly for the same structure', () => {
    fc.assert(
      fc.property(arbDef, arbDef, (a, b) => {
        // the oracle: the structures' JSON (their keys in order, their kinds and children)
        const same = JSON.stringify(a) === JSON.stringify(b)
        expect(sameStructure(a, b)).toBe(same)
        expect(structureKey(a) === structureKey(b)).toBe(same)
      }),
      { seed: 12, numRuns: 2000 },
    )
  })

  it('structureKey can be read back into the structure it names (so no two structures share one)', () => {
    // a reader of the key's grammar: '.' a leaf, '[' children ']', '{' (length ':' key child)* '}'
    const read = (key: string): TreeDef => {
      let at = 0
      const node = (): TreeDef => {
        const c = key[at++]
        if (c === '.') return { kind: 'leaf' }
        const children: TreeDef[] = []
        if (c === '[') {
          while (key[at] !== ']') children.push(node())
          at++
          return { kind: 'array', children }
        }
        expect(c).toBe('{')
        const keys: string[] = []
        while (key[at] !== '}') {
          const colon = key.indexOf(':', at)
          const length = Number(key.slice(at, colon))
          keys.push(key.slice(colon + 1, colon + 1 + length))
          at = colon + 1 + length
          children.push(node())
        }
        at++
        return { kind: 'record', keys, children }
      }
      const def = node()
      expect(at).toBe(key.length)
      return def
    }
    fc.assert(
      fc.property(arbDef, (def) => {
        expect(read(structureKey(def))).toEqual(def)
      }),
      { seed: 13, numRuns: 1000 },
    )
  })

  it('unflatten writes own data properties even where Object.prototype has a setter or a read-only value for the key', () => {
    const taken: unknown[] = []
    Object.defineProperty(Object.prototype, 'polluted', {
      set: (v: unknown) => {
        taken.push(v)
      },
      configurable: true,
    })
    try {
      const w = tensor([1])
      const [leaves, def] = flatten({ polluted: tensor([0]), w })
      const rebuilt = unflatten<Record<string, unknown>>(def, leaves)
      expect(Object.getOwnPropertyDescriptor(rebuilt, 'polluted')).toEqual({
        value: leaves[0],
        enumerable: true,
        writable: true,
        configurable: true,
      })
      expect(rebuilt.w).toBe(w)
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted
    }
    Object.defineProperty(Object.prototype, 'frozen', { value: 1, writable: false, configurable: true })
    try {
      const [leaves, def] = flatten({ frozen: tensor([0]) })
      const rebuilt = unflatten<Record<string, unknown>>(def, leaves)
      expect(Object.hasOwn(rebuilt, 'frozen') && rebuilt.frozen === leaves[0]).toBe(true)
    } finally {
      delete (Object.prototype as Record<string, unknown>).frozen
    }
  })

  it('orders record leaves by sorted key and names their paths', () => {
    const [leaves, def] = flatten({ w: tensor([1]), b: [tensor([2]), { z: tensor([3]) }] })
    expect(leaves.map((t) => toFlat(t)[0])).toEqual([2, 3, 1])
    expect(leafPaths(def)).toEqual(['x.b[0]', 'x.b[1].z', 'x.w'])
  })

  it('rejects leaves that are not tensors, naming the path', () => {
    expect(() => flatten({ w: tensor([1]), lr: 0.1 })).toThrow(ArgumentError)
    expect(() => flatten({ w: tensor([1]), lr: 0.1 })).toThrow(/x\.lr/)
  })

  it('treeMap keeps the structure; treeZip rejects different structures', () => {
    const t = { a: tensor([1, 2]), b: [tensor([3])] }
    const doubled = treeMap(t, (x) => mul(x, 2))
    expect(toFlat(doubled.a)).toEqual([2, 4])
    expect(toFlat(doubled.b[0]!)).toEqual([6])
    expect(() => treeZip(t, { a: tensor([1, 2]) }, (x) => x)).toThrow(ShapeError)
  })

  it('treeZip names the leaves one tree lacks, and a leaf whose shapes differ', () => {
    const params = { w: tensor([1, 2]), layers: [{ b: tensor([3]) }] }
    const zip = (other: unknown) => () => treeZip(params, other, (x) => x, 'step', ['params', 'grads'])
    expect(zip({ w: tensor([1, 2]) })).toThrow(
      'step: params and grads have different structures: params.layers[0].b only in params',
    )
    expect(zip({ w: tensor([1, 2]), layers: [{ b: tensor([3]) }], c: tensor([0]) })).toThrow(
      'grads.c only in grads',
    )
    expect(zip({ w: tensor([1, 2]), layers: [{ c: tensor([3]) }] })).toThrow(
      'params.layers[0].b only in params; grads.layers[0].c only in grads',
    )
    expect(zip({ w: tensor([1, 2, 3]), layers: [{ b: tensor([3]) }] })).toThrow(
      'step: grads.w has shape [3] but params.w has [2]',
    )
    // more than four missing leaves: the first four and the count
    const wide = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k, tensor([1])]))
    expect(() => treeZip(wide, {}, (x) => x)).toThrow('a.a, a.b, a.c, a.d, … (6 in all) only in a')
    // an array where the other has a record: both sides' paths are named
    expect(() => treeZip([tensor([1])], { 0: tensor([1]) }, (x) => x)).toThrow(
      'a[0] only in a; b.0 only in b',
    )
  })
})
