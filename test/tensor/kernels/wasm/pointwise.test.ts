import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { referenceKernels } from '../../../../src/tensor/kernels/reference.js'
import { Heap } from '../../../../src/tensor/kernels/wasm/heap.js'
import { compileKernels, createMemory, instantiate } from '../../../../src/tensor/kernels/wasm/module.js'
import {
  chunkElements,
  planBinary,
  runBinary,
  runUnary,
  runWhere,
} from '../../../../src/tensor/kernels/wasm/pointwise.js'
import { broadcastShapes } from '../../../../src/tensor/shape.js'
import { arbBroadcastPair } from '../../../../src/testing/arbitraries.js'
import { arbFloats, binaryOps, firstDifference, precisions, zerosLike } from './helpers.js'

const memory = createMemory(false)
const instance = instantiate(compileKernels({ shared: false, fma: false }), memory, false)
const heap = new Heap(memory)
const size = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1)

const ops = binaryOps

const checkBinary = (
  dtype: (typeof precisions)[number],
  op: { readonly name: string; readonly expr: string },
  aShape: readonly number[],
  bShape: readonly number[],
  a: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
): boolean => {
  const outShape = broadcastShapes('test', aShape, bShape)
  const plan = planBinary(aShape, bShape, outShape)
  if (plan === undefined) return false
  const kernel = (dtype === 'float32' ? instance.f32 : instance.f64).binary.get(op.name)!
  const actual = zerosLike(a, size(outShape))
  const expected = zerosLike(a, size(outShape))
  expect(runBinary(heap, kernel, plan, a, b, actual)).toBe(true)
  referenceKernels.binary(op, a, aShape, b, bShape, expected, outShape)
  expect(firstDifference(actual, expected)).toBe(-1)
  return true
}

describe('planBinary', () => {
  it('plans the common patterns: same shape, scalar, bias row, column, and shapes merging into them', () => {
    const cases: [number[], number[], number[]][] = [
      [
        [128, 10],
        [128, 10],
        [128, 10],
      ],
      [[128, 10], [], [128, 10]],
      [[], [5, 7], [5, 7]],
      [[128, 10], [10], [128, 10]],
      [
        [128, 10],
        [128, 1],
        [128, 10],
      ],
      [
        [128, 1],
        [128, 10],
        [128, 10],
      ],
      [
        [2, 3, 4],
        [3, 4],
        [2, 3, 4],
      ],
      [
        [2, 3, 4],
        [2, 3, 1],
        [2, 3, 4],
      ],
      [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
    ]
    for (const [a, b, out] of cases) expect([a, b, planBinary(a, b, out) !== undefined]).toEqual([a, b, true])
  })
  it('plans an outer product: a column against a row', () => {
    expect(planBinary([2, 1], [1, 3], [2, 3])).toEqual({
      blocks: 1,
      aBlock: 0,
      bBlock: 0,
      outer: 2,
      inner: 3,
      aOuter: 1,
      aInner: 0,
      bOuter: 0,
      bInner: 1,
    })
  })
  it('plans a channel bias as blocks of rows with a value per row: [N, C, H, W] + [C, 1, 1]', () => {
    expect(planBinary([64, 16, 24, 24], [16, 1, 1], [64, 16, 24, 24])).toEqual({
      blocks: 64,
      aBlock: 16 * 576,
      bBlock: 0,
      outer: 16,
      inner: 576,
      aOuter: 576,
      aInner: 1,
      bOuter: 1,
      bInner: 0,
    })
    expect(planBinary([2, 1, 4], [3, 1], [2, 3, 4])).toMatchObject({ blocks: 2, outer: 3, inner: 4 })
  })
  it('declines patterns that need more than three dimensions', () => {
    expect(planBinary([2, 3, 4, 5], [3, 1, 5], [2, 3, 4, 5])).toBeUndefined()
    expect(planBinary([2, 1, 4, 1], [3, 1, 5], [2, 3, 4, 5])).toBeUndefined()
  })
})

describe('runBinary', () => {
  for (const dtype of precisions)
    it(`agrees with the reference on every broadcast it plans, and plans most (${dtype})`, () => {
      let planned = 0
      fc.assert(
        fc.property(
          arbBroadcastPair({ maxRank: 4, maxDim: 9 }).chain(([aShape, bShape]) =>
            fc.tuple(
              fc.constant(aShape),
              fc.constant(bShape),
              arbFloats(dtype, size(aShape)),
              arbFloats(dtype, size(bShape)),
              fc.constantFrom(ops.add, ops.mul, ops.sub, ops.minimum),
            ),
          ),
          ([aShape, bShape, a, b, op]) => {
            if (checkBinary(dtype, op, aShape, bShape, a, b)) planned++
          },
        ),
        { seed: 530, numRuns: 300 },
      )
      expect(planned).toBeGreaterThan(150)
    })

  it('processes arrays larger than a chunk in chunks of rows, copying a broadcast row once', () => {
    const rows = Math.ceil((3 * chunkElements) / 70) + 1
    const a = Float32Array.from({ length: rows * 70 }, (_, i) => Math.sin(i))
    const row = Float32Array.from({ length: 70 }, (_, i) => i)
    const column = Float32Array.from({ length: rows }, (_, i) => -i)
    expect(checkBinary('float32', ops.add, [rows, 70], [70], a, row)).toBe(true)
    expect(checkBinary('float32', ops.sub, [rows, 70], [rows, 1], a, column)).toBe(true)
    expect(checkBinary('float32', ops.div, [1], [rows, 70], Float32Array.of(3), a)).toBe(true)
    const flat = Float64Array.from({ length: 2 * chunkElements + 5 }, (_, i) => i / 7)
    expect(checkBinary('float64', ops.mul, [flat.length], [flat.length], flat, flat)).toBe(true)
  })
})

describe('runWhere', () => {
  it('processes arrays longer than a chunk, and declines a condition that needs broadcasting', () => {
    const n = 2 * chunkElements + 3
    const condition = Float32Array.from({ length: n }, (_, i) => (Math.sin(i) > 0 ? 1 : 0))
    const a = Float32Array.from({ length: n }, (_, i) => i)
    const actual = new Float32Array(n)
    const expected = new Float32Array(n)
    expect(runWhere(heap, instance.f32.where, condition, a, Float32Array.of(-1), actual)).toBe(true)
    referenceKernels.where(condition, [n], a, [n], Float32Array.of(-1), [], expected, [n])
    expect(firstDifference(actual, expected)).toBe(-1)
    expect(runWhere(heap, instance.f32.where, Float32Array.of(1), a, a, actual)).toBe(false)
  })
})

describe('runUnary', () => {
  it('processes arrays longer than a chunk', () => {
    const x = Float32Array.from({ length: 2 * chunkElements + 3 }, (_, i) => Math.cos(i))
    const actual = new Float32Array(x.length)
    const expected = new Float32Array(x.length)
    expect(runUnary(heap, instance.f32.unary.get('relu')!, x, actual)).toBe(true)
    referenceKernels.unary({ name: 'relu', expr: 'x < 0 ? 0 : x' }, x, expected)
    expect(firstDifference(actual, expected)).toBe(-1)
  })
})
