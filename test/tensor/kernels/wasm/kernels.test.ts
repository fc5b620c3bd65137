import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { referenceKernels } from '../../../../src/tensor/kernels/reference.js'
import { createWasmKernels } from '../../../../src/tensor/kernels/wasm/kernels.js'
import { broadcastShapes } from '../../../../src/tensor/shape.js'
import { arbBroadcastPair, arbShape } from '../../../../src/testing/arbitraries.js'
import { arbFloats, arbProduct, firstDifference, matchesReference, precisions, zerosLike } from './helpers.js'

const size = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1)

// as shipped (small arrays stay in JavaScript), and forced onto WebAssembly at every size
const backends = [
  ['default thresholds', createWasmKernels({ threads: 0 })!],
  ['every size in WebAssembly', createWasmKernels({ threads: 0, smallSize: 0, smallMatmul: 0 })!],
] as const

const binaryOps = [
  'x + y',
  'x - y',
  'x * y',
  'x / y',
  'x > y || x !== x ? x : y',
  'x >= y ? 1 : 0',
  'Math.pow(x, y)',
]
const unaryOps = ['-x', 'Math.sqrt(x)', 'x < 0 ? 0 : x', 'Math.exp(x)', 'Math.tanh(x)']

describe('createWasmKernels', () => {
  for (const [label, wasm] of backends)
    for (const dtype of precisions) {
      it(`binary ops agree with the reference bit for bit over random broadcasts (${label}, ${dtype})`, () => {
        fc.assert(
          fc.property(
            arbBroadcastPair({ maxRank: 3, maxDim: 12 }).chain(([aShape, bShape]) =>
              fc.tuple(
                fc.constant([aShape, bShape] as const),
                arbFloats(dtype, size(aShape), true),
                arbFloats(dtype, size(bShape), true),
                fc.constantFrom(...binaryOps),
              ),
            ),
            ([[aShape, bShape], a, b, expr]) => {
              const outShape = broadcastShapes('test', aShape, bShape)
              const actual = zerosLike(a, size(outShape))
              const expected = zerosLike(a, size(outShape))
              wasm.binary({ name: expr, expr }, a, aShape, b, bShape, actual, outShape)
              referenceKernels.binary({ name: expr, expr }, a, aShape, b, bShape, expected, outShape)
              expect(firstDifference(actual, expected)).toBe(-1)
            },
          ),
          { seed: 580, numRuns: 200 },
        )
      })
      it(`unary ops agree with the reference bit for bit (${label}, ${dtype})`, () => {
        fc.assert(
          fc.property(
            fc
              .integer({ min: 0, max: 300 })
              .chain((n) => fc.tuple(arbFloats(dtype, n, true), fc.constantFrom(...unaryOps))),
            ([x, expr]) => {
              const actual = zerosLike(x, x.length)
              const expected = zerosLike(x, x.length)
              wasm.unary({ name: expr, expr }, x, actual)
              referenceKernels.unary({ name: expr, expr }, x, expected)
              expect(firstDifference(actual, expected)).toBe(-1)
            },
          ),
          { seed: 581, numRuns: 100 },
        )
      })
      it(`reductions agree with the reference over random axes (${label}, ${dtype})`, () => {
        fc.assert(
          fc.property(
            arbShape({ maxRank: 4, maxDim: 9 }).chain((shape) =>
              fc.tuple(
                fc.constant(shape),
                arbFloats(dtype, size(shape)),
                fc.subarray(shape.map((_, i) => i)),
                fc.constantFrom('sum', 'max', 'min') as fc.Arbitrary<'sum' | 'max' | 'min'>,
              ),
            ),
            ([shape, x, axes, kind]) => {
              if (kind !== 'sum' && axes.some((a) => shape[a] === 0)) return
              const outSize = size(shape.filter((_, i) => !axes.includes(i)))
              const actual = zerosLike(x, outSize)
              const expected = zerosLike(x, outSize)
              const magnitude = zerosLike(x, outSize)
              wasm.reduce(kind, x, shape, axes, actual)
              referenceKernels.reduce(kind, x, shape, axes, expected)
              referenceKernels.reduce('sum', x.map(Math.abs), shape, axes, magnitude)
              for (let i = 0; i < outSize; i++)
                expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(
                  size(shape) * 2 ** -52 * magnitude[i]! +
                    (dtype === 'float32' ? 2 ** -23 : 0) * Math.abs(expected[i]!),
                )
            },
          ),
          { seed: 582, numRuns: 200 },
        )
      })
      it(`where and broadcastTo agree with the reference bit for bit (${label}, ${dtype})`, () => {
        fc.assert(
          fc.property(
            arbBroadcastPair({ maxRank: 3, maxDim: 12 }).chain(([aShape, bShape]) =>
              fc.tuple(
                fc.constant([aShape, bShape] as const),
                fc.boolean(),
                arbFloats(dtype, size(aShape), true),
                arbFloats(dtype, size(bShape), true),
                arbFloats(dtype, size(broadcastShapes('test', aShape, bShape)), true),
              ),
            ),
            ([[aShape, bShape], scalarCondition, a, b, c]) => {
              const outShape = broadcastShapes('test', aShape, bShape)
              const condition = scalarCondition ? c.subarray(0, Math.min(1, c.length)) : c
              const conditionShape = scalarCondition && c.length > 0 ? [] : outShape
              const actual = zerosLike(a, size(outShape))
              const expected = zerosLike(a, size(outShape))
              wasm.where(condition, conditionShape, a, aShape, b, bShape, actual, outShape)
              referenceKernels.where(condition, conditionShape, a, aShape, b, bShape, expected, outShape)
              expect(firstDifference(actual, expected)).toBe(-1)
              const spread = zerosLike(a, size(outShape))
              const spreadExpected = zerosLike(a, size(outShape))
              wasm.broadcastTo(a, aShape, spread, outShape)
              referenceKernels.broadcastTo(a, aShape, spreadExpected, outShape)
              expect(firstDifference(spread, spreadExpected)).toBe(-1)
            },
          ),
          { seed: 584, numRuns: 200 },
        )
      })
      it(`matmul agrees with the reference (${label}, ${dtype})`, () => {
        fc.assert(
          fc.property(arbProduct(dtype), (p) => {
            const out = zerosLike(p.a, size(p.outShape)).fill(Number.NaN)
            wasm.matmul({ ...p, out })
            return matchesReference(p, out)
          }),
          { seed: 583, numRuns: 100 },
        )
      })
    }

  it('hands every other kernel to the reference', () => {
    const [, wasm] = backends[0]
    for (const name of ['transpose', 'slice', 'pad', 'concat', 'gather', 'scatterAdd'] as const)
      expect(wasm[name]).toBe(referenceKernels[name])
  })
  it('names itself by whether it fuses multiply-add', () => {
    const [, wasm] = backends[0]
    expect(wasm.name).toBe(wasm.fma ? 'wasm-simd-fma' : 'wasm-simd')
  })
  it('starts no thread when asked for none', async () => {
    const [, wasm] = backends[0]
    expect(await wasm.startThreads()).toBe(0)
  })
})
