/** Tests of the parameter-tree helpers: leaves and paths, templates, and rebuilding trees. */
import { describe, expect, it } from 'vitest'
import {
  buildTree,
  dottedName,
  isSpec,
  keyProblem,
  paramLeaves,
  propertyPath,
  rebuildLike,
  templateLeaves,
} from '../../../src/models/serialize/tree.js'
import { ArgumentError, DecodeError, isTensor, zeros } from '../../../src/tensor/index.js'

describe('paths', () => {
  it('writes dotted names and property paths', () => {
    expect(dottedName(['layers', 0, 'w'])).toBe('layers.0.w')
    expect(propertyPath('params', ['layers', 0, 'w'])).toBe('params.layers[0].w')
    expect(propertyPath('', ['w', 1])).toBe('w[1]')
  })
})

describe('paramLeaves and templateLeaves', () => {
  it('list tensor leaves with their paths, arrays by index and records in key order', () => {
    const w = zeros([2])
    const b = zeros([1])
    expect(paramLeaves('t', { w, layers: [b, { b }] }).map((l) => l.segments)).toEqual([
      ['w'],
      ['layers', 0],
      ['layers', 1, 'b'],
    ])
  })
  it('reject non-tensor leaves and excessive depth with ArgumentErrors naming the path', () => {
    expect(() => paramLeaves('saveParams', { w: [zeros([1]), 3] })).toThrow(
      /saveParams: params.w\[1\] must be a tensor/,
    )
    expect(() => paramLeaves('t', new Map())).toThrow(ArgumentError)
    let deep: unknown = zeros([1])
    for (let i = 0; i < 100; i++) deep = [deep]
    expect(() => paramLeaves('t', deep)).toThrow(/nested deeper than 64/)
  })
  it('take shapes and dtypes from tensors and specs', () => {
    const leaves = templateLeaves('t', { w: zeros([2, 3], { dtype: 'float64' }), b: { shape: [3] } })
    expect(leaves.map((l) => [l.segments, l.value.shape, l.value.dtype])).toEqual([
      [['w'], [2, 3], 'float64'],
      [['b'], [3], undefined],
    ])
    expect(isSpec({ shape: [1, 2] })).toBe(true)
    expect(isSpec({ shape: [zeros([1])] })).toBe(false)
    expect(() => templateLeaves('t', { w: 'x' })).toThrow(ArgumentError)
  })
})

describe('buildTree and rebuildLike', () => {
  it('nests dotted paths, turning index-named levels into arrays', () => {
    const x = zeros([1])
    const tree = buildTree('t', [
      { segments: ['layers', '1', 'w'], value: x },
      { segments: ['layers', '0', 'w'], value: x },
      { segments: ['out'], value: x },
    ]) as { layers: { w: unknown }[]; out: unknown }
    expect(Array.isArray(tree.layers)).toBe(true)
    expect(tree.layers.length).toBe(2)
    expect(isTensor(tree.out)).toBe(true)
    expect(Object.isFrozen(tree)).toBe(true)
    const sparse = buildTree('t', [{ segments: ['a', '1'], value: x }]) as Record<
      string,
      Record<string, unknown>
    >
    expect(Array.isArray(sparse.a)).toBe(false)
  })
  it('rejects reserved keys (never sets a prototype) and reports a name that is both a tensor and a group', () => {
    const x = zeros([1])
    for (const reserved of ['__proto__', 'constructor', 'prototype'])
      expect(() => buildTree('t', [{ segments: [reserved, 'polluted'], value: x }])).toThrow(
        new DecodeError('t', `${reserved}.polluted: ${keyProblem(reserved)}`, `${reserved}.polluted`),
      )
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(() =>
      buildTree('readSafetensors', [
        { segments: ['a'], value: x },
        { segments: ['a', 'b'], value: x },
      ]),
    ).toThrow(DecodeError)
    expect(() =>
      buildTree('t', [
        { segments: ['a', 'b'], value: x },
        { segments: ['a'], value: x },
      ]),
    ).toThrow(/a clashes with another tensor/)
  })
  it('rebuilds the structure of a template', () => {
    const x = zeros([2])
    const tree = rebuildLike({ a: [{ shape: [2] }, x], b: x }, (segments) => {
      expect(segments.length).toBeGreaterThan(0)
      return x
    }) as { a: unknown[]; b: unknown }
    expect(tree.a.length).toBe(2)
    expect(isTensor(tree.b)).toBe(true)
  })
})
