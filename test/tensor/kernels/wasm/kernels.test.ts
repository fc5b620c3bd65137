import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluate, makeTensor, type Prim, primitives, storage } from '../../../../src/tensor/internal.js'
import { type Kernels, useKernels } from '../../../../src/tensor/kernels/index.js'
import { referenceKernels } from '../../../../src/tensor/kernels/reference.js'
import type { FloatArray } from '../../../../src/tensor/kernels/types.js'
import { binaryVectorOps, unaryVectorOps } from '../../../../src/tensor/kernels/wasm/elementwise.js'
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

// named as the primitives they are (the WebAssembly kernels are found by name); pow, exp and tanh
// have no WebAssembly kernel and take the fallback
const binaryOps = [
  { name: 'add', expr: 'x + y' },
  { name: 'sub', expr: 'x - y' },
  { name: 'mul', expr: 'x * y' },
  { name: 'div', expr: 'x / y' },
  { name: 'maximum', expr: 'x > y || x !== x ? x : y' },
  { name: 'greaterEqual', expr: 'x >= y ? 1 : 0' },
  { name: 'pow', expr: 'Math.pow(x, y)' },
]
const unaryOps = [
  { name: 'neg', expr: '-x' },
  { name: 'sqrt', expr: 'Math.sqrt(x)' },
  { name: 'relu', expr: 'x < 0 ? 0 : x' },
  { name: 'exp', expr: 'Math.exp(x)' },
  { name: 'tanh', expr: 'Math.tanh(x)' },
]

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
            ([[aShape, bShape], a, b, op]) => {
              const outShape = broadcastShapes('test', aShape, bShape)
              const actual = zerosLike(a, size(outShape))
              const expected = zerosLike(a, size(outShape))
              wasm.binary(op, a, aShape, b, bShape, actual, outShape)
              referenceKernels.binary(op, a, aShape, b, bShape, expected, outShape)
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
            ([x, op]) => {
              const actual = zerosLike(x, x.length)
              const expected = zerosLike(x, x.length)
              wasm.unary(op, x, actual)
              referenceKernels.unary(op, x, expected)
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

  it('keeps a product’s weight matrix and its packing between products on one thread: bit for bit what copying and packing every time gives', () => {
    const wasm = createWasmKernels({ threads: 0 })!
    fc.assert(
      fc.property(
        fc.constantFrom(...precisions),
        fc.integer({ min: 130, max: 260 }),
        fc.integer({ min: 70, max: 140 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 }), fc.boolean()), {
          minLength: 2,
          maxLength: 8,
        }),
        (dtype, k, n, calls) => {
          const make = (length: number, seed: number) => {
            const values = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length)
            for (let i = 0; i < length; i++) values[i] = Math.sin(seed + i * 0.37)
            return values
          }
          // owned weight matrices of 70–290 KiB (kept), and each one's copy as a view (never kept)
          const weights = [1, 2, 3].map((seed) => make(k * n, seed))
          const views = weights.map((w) => {
            const whole =
              dtype === 'float32' ? new Float32Array(w.length + 4) : new Float64Array(w.length + 4)
            whole.set(w, 2)
            return whole.subarray(2, 2 + w.length)
          })
          calls.forEach(([m, which, transposeB], call) => {
            const a = make(m * k, 10 + call)
            const product = (b: FloatArray) => {
              const out = zerosLike(a, m * n).fill(Number.NaN)
              const bShape = transposeB ? [n, k] : [k, n]
              wasm.matmul({
                a,
                aShape: [m, k],
                b,
                bShape,
                transposeA: false,
                transposeB,
                out,
                outShape: [m, n],
              })
              return out
            }
            expect(firstDifference(product(weights[which]!), product(views[which]!))).toBe(-1)
          })
        },
      ),
      { seed: 585, numRuns: 30 },
    )
  })

  it('does not copy or pack again a weight matrix given again (which nabla never writes)', () => {
    const wasm = createWasmKernels({ threads: 0 })!
    const [m, k, n] = [3, 160, 128]
    const w = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.11))
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.37))
    const run = (b: Float32Array) => {
      const out = new Float32Array(m * n)
      wasm.matmul({
        a,
        aShape: [m, k],
        b,
        bShape: [k, n],
        transposeA: false,
        transposeB: false,
        out,
        outShape: [m, n],
      })
      return out
    }
    const first = run(w)
    // written after its first product, as no tensor's storage ever is: the kept copy (and its
    // packing) is what the next product multiplies by; an array never seen before is read afresh
    const written = Float32Array.from(w, (v) => v + 1)
    w.set(written)
    expect(firstDifference(run(w), first)).toBe(-1)
    expect(firstDifference(run(written), first)).not.toBe(-1)
  })

  it('hands every other kernel to the reference', () => {
    const [, wasm] = backends[0]
    for (const name of ['slice', 'pad', 'concat', 'gather', 'scatterAdd'] as const)
      expect(wasm[name]).toBe(referenceKernels[name])
  })
  it('transposes with its tiled loop, never the reference (the loop is tested in loops.test.ts)', () => {
    const fallback = {
      ...referenceKernels,
      transpose: () => expect.fail('transpose reached the reference'),
    }
    const wasm = createWasmKernels({ threads: 0, fallback })!
    const x = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i)
    const out = new Float32Array(x.length)
    const expected = new Float32Array(x.length)
    wasm.transpose(x, [2, 3, 4], [2, 0, 1], out)
    referenceKernels.transpose(x, [2, 3, 4], [2, 0, 1], expected)
    expect([...out]).toEqual([...expected])
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

/** A fallback that records which elementwise ops reach it. */
const recordingFallback = (): { kernels: Kernels; calls: string[] } => {
  const calls: string[] = []
  const kernels: Kernels = {
    ...referenceKernels,
    name: 'recording',
    unary: (op, ...rest) => {
      calls.push(op.name)
      referenceKernels.unary(op, ...rest)
    },
    binary: (op, ...rest) => {
      calls.push(op.name)
      referenceKernels.binary(op, ...rest)
    },
    reduce: (kind, ...rest) => {
      calls.push(`reduce ${kind}`)
      referenceKernels.reduce(kind, ...rest)
    },
  }
  return { kernels, calls }
}

describe("a convolution layer's bias, forward and backward, in WebAssembly", () => {
  const { kernels: fallback, calls } = recordingFallback()
  const wasm = createWasmKernels({ threads: 0, fallback })!
  for (const dtype of precisions)
    it(`adds [C, 1, 1] to [N, C, H, W] bit for bit and sums over [0, 2, 3] to within rounding, never the fallback (${dtype})`, () => {
      fc.assert(
        fc.property(
          // at least 64 elements: smaller arrays stay in JavaScript by design (smallSize)
          fc.tuple(
            fc.integer({ min: 2, max: 5 }),
            fc.integer({ min: 2, max: 6 }),
            fc.integer({ min: 4, max: 9 }),
            fc.integer({ min: 4, max: 9 }),
          ),
          fc.integer({ min: 0, max: 2 ** 31 }),
          ([n, c, h, w], seed) => {
            const shape = [n, c, h, w]
            const make = (length: number, offset: number) => {
              const values = Array.from({ length }, (_, i) => Math.sin(seed + offset + i * 1.3) * 3)
              return dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values)
            }
            const x = make(size(shape), 0)
            const bias = make(c, 7)
            calls.length = 0
            const sum = zerosLike(x, size(shape))
            wasm.binary({ name: 'add', expr: 'x + y' }, x, shape, bias, [c, 1, 1], sum, shape)
            const expectedSum = zerosLike(x, size(shape))
            referenceKernels.binary(
              { name: 'add', expr: 'x + y' },
              x,
              shape,
              bias,
              [c, 1, 1],
              expectedSum,
              shape,
            )
            expect(firstDifference(sum, expectedSum)).toBe(-1)
            const grad = zerosLike(x, c)
            wasm.reduce('sum', x, shape, [0, 2, 3], grad)
            const expectedGrad = zerosLike(x, c)
            const magnitude = zerosLike(x, c)
            referenceKernels.reduce('sum', x, shape, [0, 2, 3], expectedGrad)
            referenceKernels.reduce('sum', x.map(Math.abs), shape, [0, 2, 3], magnitude)
            for (let i = 0; i < c; i++)
              expect(Math.abs(grad[i]! - expectedGrad[i]!)).toBeLessThanOrEqual(
                size(shape) * 2 ** -52 * magnitude[i]! +
                  (dtype === 'float32' ? 2 ** -23 : 0) * Math.abs(expectedGrad[i]!),
              )
            expect(calls).toEqual([])
          },
        ),
        { seed: 595, numRuns: 40 },
      )
    })
})

/** `prim` applied, through the public dispatch, with `backend` active. */
const run = (
  backend: Kernels,
  prim: Prim<any>,
  inputs: readonly FloatArray[],
  shapes: readonly number[][],
) => {
  const dtype = inputs[0] instanceof Float32Array ? 'float32' : 'float64'
  const previous = useKernels(backend)
  try {
    return storage(
      evaluate(
        prim,
        inputs.map((x, i) => makeTensor(shapes[i]!, dtype, x)),
        undefined,
      ),
    )
  } finally {
    useKernels(previous)
  }
}

describe('WebAssembly fast paths', () => {
  const claimed = [...Object.keys(unaryVectorOps), ...Object.keys(binaryVectorOps)]
  const { kernels: fallback, calls } = recordingFallback()
  const wasm = createWasmKernels({ threads: 0, fallback })!
  const primNamed = (name: string) => primitives.find((p) => p.name === name)

  it('claims only registered primitives', () => {
    expect(claimed.filter((name) => primNamed(name) === undefined)).toEqual([])
    expect(claimed).toHaveLength(17)
  })

  for (const dtype of precisions)
    it(`computes every claimed primitive in WebAssembly, never the fallback, as the reference does (${dtype})`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 64, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
          const values = (offset: number) =>
            Array.from({ length: n }, (_, i) => Math.sin(seed + offset + i * 1.7) * 4 * ((i % 5) - 2))
          const rows = Math.floor(n / 8)
          const make = (v: number[]) => (dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v))
          for (const name of claimed) {
            const prim = primNamed(name)!
            const unary = name in unaryVectorOps
            // same shapes, and (binary) a row broadcast as a bias add makes
            const cases: [FloatArray[], number[][]][] = unary
              ? [[[make(values(0))], [[n]]]]
              : [
                  [
                    [make(values(0)), make(values(1))],
                    [[n], [n]],
                  ],
                  [
                    [make(values(0).slice(0, rows * 8)), make(values(1).slice(0, 8))],
                    [[rows, 8], [8]],
                  ],
                ]
            for (const [inputs, shapes] of cases) {
              calls.length = 0
              const actual = run(wasm, prim, inputs, shapes)
              expect(calls, `${name} fell back to the reference kernel`).toEqual([])
              expect(
                firstDifference(
                  actual as FloatArray,
                  run(referenceKernels, prim, inputs, shapes) as FloatArray,
                ),
              ).toBe(-1)
            }
          }
        }),
        { seed: 590, numRuns: 10 },
      )
    })

  it('sees a primitive without a WebAssembly kernel fall back (the check above can fail)', () => {
    const x = new Float32Array(100).fill(0.5)
    calls.length = 0
    run(wasm, primNamed('exp')!, [x], [[100]])
    run(wasm, primNamed('pow')!, [x, x], [[100], [100]])
    expect(calls).toEqual(['exp', 'pow'])
    // and a claimed op under a name nabla does not know falls back too
    calls.length = 0
    wasm.binary({ name: 'plus', expr: 'x + y' }, x, [100], x, [100], new Float32Array(100), [100])
    expect(calls).toEqual(['plus'])
  })
})
