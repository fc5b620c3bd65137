/**
 * ONNX export, checked by running the exported model in ONNX Runtime (the onnxruntime-web
 * WebAssembly build, in Node) and comparing its outputs with nabla's: an MNIST-sized MLP
 * (784-128-10, ReLU, softmax) and random programs (the primitives the exporter covers).
 */
import * as fc from 'fast-check'
import * as ort from 'onnxruntime-web'
import { describe, expect, it } from 'vitest'
import {
  type AnyTensor,
  ArgumentError,
  avgPool2d,
  conv2d,
  exportOnnx,
  floor,
  gather,
  key,
  maxPool2d,
  mlp,
  ShapeError,
  softmax,
  type Tensor,
  tensor,
  toFlat,
  uniform,
} from '../../src/index.js'
import { arbProgram, programInputs } from '../../src/testing/index.js'

ort.env.wasm.numThreads = 1

const runOnnx = async (bytes: Uint8Array, inputs: readonly AnyTensor[]): Promise<Float64Array[]> => {
  const session = await ort.InferenceSession.create(bytes)
  const feeds = Object.fromEntries(
    inputs.map((t, i) => [
      `input${i}`,
      t.dtype === 'float64'
        ? new ort.Tensor('float64', Float64Array.from(toFlat(t)), [...t.shape])
        : new ort.Tensor('float32', Float32Array.from(toFlat(t)), [...t.shape]),
    ]),
  )
  const results = await session.run(feeds)
  return session.outputNames.map((name) => Float64Array.from(results[name]!.data as Float32Array))
}

const maxRelativeError = (got: ArrayLike<number>, expected: readonly number[]): number => {
  let worst = 0
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(got[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)))
  return got.length === expected.length ? worst : Infinity
}

describe('exportOnnx', () => {
  it('an MNIST MLP (784-128-10) gives the same probabilities in ONNX Runtime', async () => {
    const net = mlp([784, 128, 10])
    const params = net.init(key(0))
    const x = uniform(key(1), [16, 784])
    const predict = (batch: Tensor<[number, 784], 'float32'>) => softmax(net.apply(params, batch), -1)
    const bytes = exportOnnx(predict, x)
    const [probabilities] = await runOnnx(bytes, [x])
    const expected = toFlat(predict(x))
    expect(maxRelativeError(probabilities!, expected)).toBeLessThan(1e-5)
    // and the classes agree row by row
    for (let row = 0; row < 16; row++) {
      const slice = (a: ArrayLike<number>) => Array.from({ length: 10 }, (_, j) => a[row * 10 + j]!)
      const best = (a: number[]) => a.indexOf(Math.max(...a))
      expect(best(slice(probabilities!))).toBe(best(slice(expected)))
    }
  })

  it('random programs give the same values in ONNX Runtime (both dtypes)', async () => {
    const cases = fc.sample(
      fc.tuple(arbProgram({ dtypes: ['float32', 'float64'], maxSteps: 6 }), fc.nat(1000)),
      {
        seed: 21,
        numRuns: 40,
      },
    )
    let exported = 0
    for (const [program, seed] of cases) {
      const inputs = programInputs(program.inputShapes, program.dtype, seed)
      let bytes: Uint8Array
      try {
        bytes = exportOnnx((...xs: AnyTensor[]) => program.run(xs), ...inputs)
      } catch (error) {
        if (error instanceof ArgumentError && /no ONNX translation/.test(error.message)) continue
        throw error
      }
      exported++
      const [got] = await runOnnx(bytes, inputs)
      const tol = program.dtype === 'float32' ? 1e-4 : 1e-9
      const error = maxRelativeError(got!, toFlat(program.run(inputs)))
      if (!(error <= tol)) throw new Error(`relative error ${error}\n${program}`)
    }
    expect(exported).toBeGreaterThan(20)
  })

  it('convolutions and pooling windows give the same values in ONNX Runtime (random geometries; float64 for MaxPool)', async () => {
    const pair = (max: number, min = 0) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }))
    const cases = fc.sample(
      fc.record({
        dtype: fc.constantFrom('float32' as const, 'float64' as const),
        batch: fc.integer({ min: 1, max: 2 }),
        groups: fc.integer({ min: 1, max: 2 }),
        perGroup: pair(3, 1),
        size: pair(9, 3),
        kernel: pair(3, 1),
        stride: pair(2, 1),
        dilation: pair(2, 1),
        padding: fc.tuple(pair(2), pair(2)),
        seed: fc.nat(1000),
      }),
      { seed: 22, numRuns: 60 },
    )
    let exported = 0
    for (const c of cases) {
      const [inPer, outPer] = c.perGroup
      const x = uniform(key(c.seed), [c.batch, c.groups * inPer, ...c.size], {
        dtype: c.dtype,
        min: -2,
        max: 2,
      })
      const w = uniform(key(c.seed + 1), [c.groups * outPer, inPer, ...c.kernel], {
        dtype: c.dtype,
        min: -2,
        max: 2,
      })
      // the pooling windows' padding must stay below the window
      const poolPadding = c.padding.map(([a, b], i) => [
        Math.min(a, c.kernel[i]! - 1),
        Math.min(b, c.kernel[i]! - 1),
      ]) as unknown as readonly [readonly [number, number], readonly [number, number]]
      const functions: readonly (readonly [string, (v: AnyTensor) => AnyTensor])[] = [
        [
          'conv2d',
          (v) =>
            conv2d(v, w, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups }),
        ],
        ['maxPool2d', (v) => maxPool2d(v, { window: c.kernel, stride: c.stride, padding: poolPadding })],
        ['avgPool2d', (v) => avgPool2d(v, { window: c.kernel, stride: c.stride, padding: poolPadding })],
      ]
      for (const [name, f] of functions) {
        // ONNX Runtime has float64 kernels only for MaxPool (the models are valid ONNX either way)
        if (name !== 'maxPool2d' && c.dtype === 'float64') continue
        let expected: number[]
        try {
          expected = toFlat(f(x))
        } catch (error) {
          if (error instanceof ShapeError) continue // the window does not fit this image
          throw error
        }
        const [got] = await runOnnx(exportOnnx(f, x), [x])
        const tol = c.dtype === 'float32' ? 1e-5 : 1e-12
        const error = maxRelativeError(got!, expected)
        if (!(error <= tol)) throw new Error(`${name}: relative error ${error} for ${JSON.stringify(c)}`)
        exported++
      }
    }
    expect(exported).toBeGreaterThan(80)
  })

  it('floor gives the same values in ONNX Runtime (both dtypes, integers and halves included)', async () => {
    const values = fc.sample(
      fc.oneof(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: -9, max: 9 }),
        fc.constant(-0.5),
      ),
      { seed: 7, numRuns: 64 },
    )
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor(values, { dtype })
      const [got] = await runOnnx(
        exportOnnx((t: AnyTensor) => floor(t), x),
        [x],
      )
      expect(Array.from(got!)).toEqual(toFlat(floor(x)))
    }
  })

  it('names a primitive it cannot translate', () => {
    expect(() => exportOnnx((x: AnyTensor) => gather(x, tensor([0]), 0), tensor([1, 2]))).toThrow(
      /exportOnnx: the primitive 'gather' has no ONNX translation/,
    )
  })
})
