/**
 * The fast convolution kernels (im2col + the back end's GEMM) against the direct loops of
 * `convReference.ts`, by property over random geometries (grouped, strided, dilated, padded), on
 * the WebAssembly GEMM (threads off and on) and the reference GEMM, in float32 and float64.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  conv2dFilterGrad,
  conv2dFilterGradOn,
  conv2dForward,
  conv2dForwardOn,
  conv2dInputGrad,
  conv2dInputGradOn,
  type MatmulKernel,
} from '../../../src/conv/kernels/conv.js'
import type { ConvGeometry } from '../../../src/conv/kernels/convGeometry.js'
import {
  conv2dFilterGradReference,
  conv2dForwardReference,
  conv2dInputGradReference,
} from '../../../src/conv/kernels/convReference.js'
import { createWasmKernels, referenceKernels, useKernels } from '../../../src/tensor/kernels/index.js'
import type { ConvKernels, FloatArray, Kernels } from '../../../src/tensor/kernels/types.js'
import { arbConvGeometry, geometryOf } from '../../support/convGeometry.js'

const wasm = createWasmKernels({ threads: 0 })!
const threaded = createWasmKernels({ threads: 1, threadThreshold: 1, adaptiveSplit: false })!
const backEnds: [string, MatmulKernel][] = [
  ['reference GEMM', referenceKernels.matmul],
  ['WebAssembly GEMM', wasm.matmul],
  ['threaded WebAssembly GEMM', threaded.matmul],
]

const arbGeometry = arbConvGeometry()

const sizes = (g: ConvGeometry) => ({
  x: g.batch * g.channels * g.height * g.width,
  w: g.outChannels * (g.channels / g.groups) * g.kernelHeight * g.kernelWidth,
  y: g.batch * g.outChannels * g.outHeight * g.outWidth,
})

const arbCase = (dtype: 'float32' | 'float64') =>
  arbGeometry.chain((g) => {
    const n = sizes(g)
    const values = (length: number) =>
      fc
        .array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: length, maxLength: length })
        .map((v) => (dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v)))
    return fc.record({ g: fc.constant(g), x: values(n.x), w: values(n.w), ct: values(n.y) })
  })

const close = (actual: FloatArray, expected: FloatArray, tolerance: number): void => {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < actual.length; i++)
    if (Math.abs(actual[i]! - expected[i]!) > tolerance * (1 + Math.abs(expected[i]!)))
      expect.fail(`at ${i}: ${actual[i]} vs reference ${expected[i]}`)
}

const zeros = (like: FloatArray, n: number): FloatArray =>
  like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)

describe('fast convolution kernels', () => {
  beforeAll(async () => {
    expect(await threaded.startThreads()).toBeGreaterThan(0)
  })

  for (const dtype of ['float32', 'float64'] as const)
    for (const [name, matmul] of backEnds)
      it(`agree with the direct loops (${dtype}, ${name}): forward, input and filter gradients`, () => {
        // float32 products of up to 4·5·5 terms of size ≤ 4, summed in another order
        const tolerance = dtype === 'float32' ? 2e-5 : 1e-12
        fc.assert(
          fc.property(arbCase(dtype), ({ g, x, w, ct }) => {
            const n = sizes(g)
            const both = (
              run: (out: FloatArray) => void,
              reference: (out: FloatArray) => void,
              size: number,
            ) => {
              const out = zeros(x, size)
              const want = zeros(x, size)
              run(out)
              reference(want)
              close(out, want, tolerance)
            }
            both(
              (o) => conv2dForward(matmul, x, w, g, o),
              (o) => conv2dForwardReference(x, w, g, o),
              n.y,
            )
            both(
              (o) => conv2dInputGrad(matmul, ct, w, g, o),
              (o) => conv2dInputGradReference(ct, w, g, o),
              n.x,
            )
            both(
              (o) => conv2dFilterGrad(matmul, x, ct, g, o),
              (o) => conv2dFilterGradReference(x, ct, g, o),
              n.w,
            )
          }),
          { seed: 1206, numRuns: 60 },
        )
      })

  it('computes a hand-worked example (2×2 filter on a 3×3 image, padding 1 on the left)', () => {
    // x = 1..9 row-major, w = [[1, 0], [0, -1]]: y[i][j] = x[i][j-1] − x[i+1][j] (x outside is 0)
    const g: ConvGeometry = {
      batch: 1,
      channels: 1,
      height: 3,
      width: 3,
      outChannels: 1,
      kernelHeight: 2,
      kernelWidth: 2,
      outHeight: 2,
      outWidth: 3,
      strideY: 1,
      strideX: 1,
      padTop: 0,
      padLeft: 1,
      dilationY: 1,
      dilationX: 1,
      groups: 1,
    }
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9])
    const w = Float64Array.from([1, 0, 0, -1])
    const out = new Float64Array(6)
    conv2dForward(wasm.matmul, x, w, g, out)
    expect([...out]).toEqual([0 - 4, 1 - 5, 2 - 6, 0 - 7, 4 - 8, 5 - 9])
    const reference = new Float64Array(6)
    conv2dForwardReference(x, w, g, reference)
    expect([...reference]).toEqual([...out])
  })

  it('does not reuse the patches of an input rewritten in place (a compiled plan rewrites its buffers every run)', () => {
    const g: ConvGeometry = {
      batch: 1,
      channels: 1,
      height: 3,
      width: 3,
      outChannels: 1,
      kernelHeight: 2,
      kernelWidth: 2,
      outHeight: 2,
      outWidth: 2,
      strideY: 1,
      strideX: 1,
      padTop: 0,
      padLeft: 0,
      dilationY: 1,
      dilationX: 1,
      groups: 1,
    }
    const memory = new Float64Array(32) // a plan's buffer: x is a view at offset 4, kept across runs
    for (const x of [memory.subarray(4, 13), new Float64Array(9)]) // a view, and an array rewritten in place
      for (const run of [1, 2, 3]) {
        const w = Float64Array.from([1, 2, 3, 4])
        x.set(Array.from({ length: 9 }, (_, i) => (i + 1) * run))
        const out = new Float64Array(4)
        conv2dForward(wasm.matmul, x, w, g, out)
        const expected = new Float64Array(4)
        conv2dForwardReference(Float64Array.from(x), w, g, expected)
        expect([...out]).toEqual([...expected])
        const dw = new Float64Array(4) // the filter gradient reuses the forward's patches only for the same input
        conv2dFilterGrad(wasm.matmul, x, Float64Array.from([1, -1, 2, 0.5]), g, dw)
        const dwExpected = new Float64Array(4)
        conv2dFilterGradReference(Float64Array.from(x), Float64Array.from([1, -1, 2, 0.5]), g, dwExpected)
        expect([...dw]).toEqual([...dwExpected])
      }
  })

  // the patch matrices are unfolded by the WebAssembly window kernels while that back end is active,
  // by the TypeScript loop under the reference back end: both must refill a reused matrix correctly
  it.each([
    ['WebAssembly', wasm],
    ['TypeScript', referenceKernels],
  ] as const)(
    'reuses its working arrays and cached patches safely (%s unfolding): many inputs of one padded geometry in a row, each exact',
    (_, active) => {
      const previous = useKernels(active)
      try {
        reuseRuns()
      } finally {
        useKernels(previous)
      }
    },
  )

  const reuseRuns = (): void => {
    const g: ConvGeometry = {
      batch: 2,
      channels: 2,
      height: 5,
      width: 4,
      outChannels: 3,
      kernelHeight: 3,
      kernelWidth: 2,
      outHeight: 3, // padding 1 on every side: ⌊(5 + 2 − 3) / 2⌋ + 1 rows, (4 + 2 − 2) + 1 columns
      outWidth: 5,
      strideY: 2,
      strideX: 1,
      padTop: 1,
      padLeft: 1,
      dilationY: 1,
      dilationX: 1,
      groups: 1,
    }
    const w = Float64Array.from({ length: 3 * 2 * 3 * 2 }, (_, i) => ((i * 7) % 5) - 2)
    for (let run = 0; run < 7; run++) {
      // inputs with no zeros, so a stale patch entry where padding should be 0 changes the result
      const x = Float64Array.from({ length: 2 * 2 * 5 * 4 }, (_, i) => 1 + ((i * (run + 3)) % 11))
      const out = new Float64Array(2 * 3 * 3 * 5)
      conv2dForward(wasm.matmul, x, w, g, out)
      const expected = new Float64Array(out.length)
      conv2dForwardReference(x, w, g, expected)
      expect([...out]).toEqual([...expected])
      const ct = Float64Array.from({ length: out.length }, (_, i) => (i % 3) - 1)
      const dw = new Float64Array(w.length)
      conv2dFilterGrad(wasm.matmul, x, ct, g, dw)
      const dwExpected = new Float64Array(w.length)
      conv2dFilterGradReference(x, ct, g, dwExpected)
      expect([...dw]).toEqual([...dwExpected])
      const dx = new Float64Array(x.length)
      conv2dInputGrad(wasm.matmul, ct, w, g, dx)
      const dxExpected = new Float64Array(x.length)
      conv2dInputGradReference(ct, w, g, dxExpected)
      expect([...dx]).toEqual([...dxExpected])
    }
  }

  it('runs a face on the back end when it takes the call, else unfolds here and multiplies with its matmul', () => {
    const g = geometryOf({
      batch: 2,
      groups: 2,
      inPerGroup: 2,
      outPerGroup: 3,
      kernel: [3, 2],
      stride: [1, 1],
      dilation: [1, 1],
      pad: [1, 0, 1, 1],
      size: [5, 4],
    })
    const n = sizes(g)
    const x = Float64Array.from({ length: n.x }, (_, i) => ((i * 7) % 5) - 2)
    const w = Float64Array.from({ length: n.w }, (_, i) => ((i * 3) % 7) - 3)
    const ct = Float64Array.from({ length: n.y }, (_, i) => (i % 3) - 1)
    const calls: string[] = []
    // a back end whose convolutions answer with a marker, or decline
    const withConv = (accept: boolean): Kernels => {
      const face =
        (name: string) =>
        (_a: FloatArray, _b: FloatArray, _g: unknown, out: FloatArray): boolean => {
          calls.push(name)
          if (accept) out.fill(42)
          return accept
        }
      const conv2d: ConvKernels = {
        forward: face('forward'),
        inputGrad: face('inputGrad'),
        filterGrad: face('filterGrad'),
      }
      return { ...referenceKernels, conv2d }
    }
    const faces = (backEnd: Kernels) => {
      const y = new Float64Array(n.y)
      conv2dForwardOn(backEnd, x, w, g, y)
      const dx = new Float64Array(n.x)
      conv2dInputGradOn(backEnd, ct, w, g, dx)
      const dw = new Float64Array(n.w)
      conv2dFilterGradOn(backEnd, x, ct, g, dw)
      return [y, dx, dw].map((a) => [...a])
    }
    const unfolded = (() => {
      const y = new Float64Array(n.y)
      conv2dForward(referenceKernels.matmul, x, w, g, y)
      const dx = new Float64Array(n.x)
      conv2dInputGrad(referenceKernels.matmul, ct, w, g, dx)
      const dw = new Float64Array(n.w)
      conv2dFilterGrad(referenceKernels.matmul, x, ct, g, dw)
      return [y, dx, dw].map((a) => [...a])
    })()
    expect(faces(referenceKernels)).toEqual(unfolded) // no conv2d: the unfolding path
    expect(faces(withConv(false))).toEqual(unfolded) // declined: the unfolding path
    expect(calls).toEqual(['forward', 'inputGrad', 'filterGrad'])
    expect(faces(withConv(true))).toEqual([n.y, n.x, n.w].map((size) => Array(size).fill(42)))
    // the WebAssembly back end takes all three (within rounding of the reference GEMM)
    const onWasm = faces(createWasmKernels({ threads: 0 })!)
    for (const [i, face] of onWasm.entries())
      close(Float64Array.from(face), Float64Array.from(unfolded[i]!), 1e-12)
  })
})
