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
