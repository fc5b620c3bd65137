/**
 * The window kernels: `patches2dTranspose` is the adjoint of `patches2d` (⟨patches(x), p⟩ =
 * ⟨x, patchesᵀ(p)⟩), and max/avg pooling equal the max/mean over each window of `patches2d`
 * (with −∞ / 0 padding), by property; plus hand-worked examples.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type ConvGeometry, convOutputSize } from '../../../src/conv/kernels/convGeometry.js'
import {
  avgPool2dKernel,
  maxPool2dGradKernel,
  maxPool2dKernel,
  patches2dKernel,
  patches2dTransposeKernel,
} from '../../../src/conv/kernels/pool.js'

const arbGeometry: fc.Arbitrary<ConvGeometry> = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    window: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pad: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    size: fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })),
  })
  .map(({ window, pad, ...rest }) => ({
    ...rest,
    window,
    pad: [
      Math.min(pad[0], window[0] - 1),
      Math.min(pad[1], window[0] - 1),
      Math.min(pad[2], window[1] - 1),
      Math.min(pad[3], window[1] - 1),
    ],
  }))
  .filter(
    ({ size, window, pad }) =>
      size[0] + pad[0]! + pad[1]! >= window[0] && size[1] + pad[2]! + pad[3]! >= window[1],
  )
  .map(({ batch, channels, window, stride, pad, size }) => ({
    batch,
    channels,
    height: size[0],
    width: size[1],
    outChannels: channels,
    kernelHeight: window[0],
    kernelWidth: window[1],
    outHeight: convOutputSize(size[0], window[0], stride[0], pad[0]!, pad[1]!, 1),
    outWidth: convOutputSize(size[1], window[1], stride[1], pad[2]!, pad[3]!, 1),
    strideY: stride[0],
    strideX: stride[1],
    padTop: pad[0]!,
    padLeft: pad[2]!,
    dilationY: 1,
    dilationX: 1,
    groups: 1,
  }))

const arbValues = (n: number) =>
  fc
    .array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n })
    .map((v) => Float64Array.from(v))

const inputSize = (g: ConvGeometry) => g.batch * g.channels * g.height * g.width
const outputSize = (g: ConvGeometry) => g.batch * g.channels * g.outHeight * g.outWidth
const windowSize = (g: ConvGeometry) => g.kernelHeight * g.kernelWidth

describe('window kernels', () => {
  it('patches2dTranspose is the adjoint of patches2d', () => {
    fc.assert(
      fc.property(
        arbGeometry.chain((g) =>
          fc.tuple(fc.constant(g), arbValues(inputSize(g)), arbValues(outputSize(g) * windowSize(g))),
        ),
        ([g, x, p]) => {
          const px = new Float64Array(p.length)
          patches2dKernel(x, g, 0, px)
          const tp = new Float64Array(x.length)
          patches2dTransposeKernel(p, g, tp)
          const left = px.reduce((s, v, i) => s + v * p[i]!, 0)
          const right = x.reduce((s, v, i) => s + v * tp[i]!, 0)
          expect(Math.abs(left - right)).toBeLessThan(1e-9 * (1 + Math.abs(left)))
        },
      ),
      { seed: 1206, numRuns: 100 },
    )
  })

  it('max and average pooling are the max and mean over each window of patches2d', () => {
    fc.assert(
      fc.property(
        arbGeometry.chain((g) => fc.tuple(fc.constant(g), arbValues(inputSize(g)))),
        ([g, x]) => {
          const k = windowSize(g)
          const minusInf = new Float64Array(outputSize(g) * k)
          patches2dKernel(x, g, Number.NEGATIVE_INFINITY, minusInf)
          const zero = new Float64Array(outputSize(g) * k)
          patches2dKernel(x, g, 0, zero)
          const max = new Float64Array(outputSize(g))
          maxPool2dKernel(x, g, max)
          const avg = new Float64Array(outputSize(g))
          avgPool2dKernel(x, g, avg)
          for (let o = 0; o < max.length; o++) {
            const window = (a: Float64Array) => [...a.subarray(o * k, (o + 1) * k)]
            expect(max[o]).toBe(Math.max(...window(minusInf)))
            expect(avg[o]).toBeCloseTo(window(zero).reduce((s, v) => s + v, 0) / k, 12)
          }
        },
      ),
      { seed: 1206, numRuns: 100 },
    )
  })

  it("maxPool2dGrad splits each window's cotangent equally among its ties (padding takes none)", () => {
    // small integers make ties common; the expected value is built from patches2d windows
    const arbIntegers = (n: number) =>
      fc
        .array(fc.integer({ min: -2, max: 2 }), { minLength: n, maxLength: n })
        .map((v) => Float64Array.from(v))
    fc.assert(
      fc.property(
        arbGeometry.chain((g) =>
          fc.tuple(fc.constant(g), arbIntegers(inputSize(g)), arbValues(outputSize(g))),
        ),
        ([g, x, ct]) => {
          const k = windowSize(g)
          const windows = new Float64Array(outputSize(g) * k)
          patches2dKernel(x, g, Number.NEGATIVE_INFINITY, windows)
          const shares = new Float64Array(windows.length)
          for (let o = 0; o < ct.length; o++) {
            const w = [...windows.subarray(o * k, (o + 1) * k)]
            const best = Math.max(...w)
            const ties = w.filter((v) => v === best).length
            w.forEach((v, i) => {
              shares[o * k + i] = v === best ? ct[o]! / ties : 0
            })
          }
          const expected = new Float64Array(x.length)
          patches2dTransposeKernel(shares, g, expected)
          const dx = new Float64Array(x.length)
          maxPool2dGradKernel(x, ct, g, dx)
          for (let i = 0; i < dx.length; i++) expect(dx[i]).toBeCloseTo(expected[i]!, 12)
        },
      ),
      { seed: 1206, numRuns: 100 },
    )
  })

  it('pools a hand-worked 3×3 image with a 2×2 window, stride 2, one column of padding on the right', () => {
    const g: ConvGeometry = {
      batch: 1,
      channels: 1,
      height: 3,
      width: 3,
      outChannels: 1,
      kernelHeight: 2,
      kernelWidth: 2,
      outHeight: 1,
      outWidth: 2,
      strideY: 2,
      strideX: 2,
      padTop: 0,
      padLeft: 0,
      dilationY: 1,
      dilationX: 1,
      groups: 1,
    }
    const x = Float64Array.from([-1, -2, -3, -4, -5, -6, 7, 8, 9])
    const max = new Float64Array(2)
    maxPool2dKernel(x, g, max)
    expect([...max]).toEqual([-1, -3]) // padding (the 4th column) never wins
    const avg = new Float64Array(2)
    avgPool2dKernel(x, g, avg)
    expect([...avg]).toEqual([(-1 - 2 - 4 - 5) / 4, (-3 - 6) / 4])
  })

  it('propagates NaN through max pooling', () => {
    const g: ConvGeometry = {
      batch: 1,
      channels: 1,
      height: 1,
      width: 3,
      outChannels: 1,
      kernelHeight: 1,
      kernelWidth: 3,
      outHeight: 1,
      outWidth: 1,
      strideY: 1,
      strideX: 1,
      padTop: 0,
      padLeft: 0,
      dilationY: 1,
      dilationX: 1,
      groups: 1,
    }
    const out = new Float64Array(1)
    maxPool2dKernel(Float64Array.from([1, Number.NaN, 5]), g, out)
    expect(out[0]).toBeNaN()
  })

  it('2×2 windows of stride 2 (their own loop) follow the general rules: NaN wins the max, the first of equal values is kept, ties share', () => {
    const arbPairwise = fc
      .record({
        batch: fc.integer({ min: 1, max: 2 }),
        channels: fc.integer({ min: 1, max: 2 }),
        height: fc.integer({ min: 2, max: 7 }),
        width: fc.integer({ min: 2, max: 7 }),
      })
      .map(
        ({ batch, channels, height, width }): ConvGeometry => ({
          batch,
          channels,
          height,
          width,
          outChannels: channels,
          kernelHeight: 2,
          kernelWidth: 2,
          outHeight: Math.floor(height / 2),
          outWidth: Math.floor(width / 2),
          strideY: 2,
          strideX: 2,
          padTop: 0,
          padLeft: 0,
          dilationY: 1,
          dilationX: 1,
          groups: 1,
        }),
      )
    const special = [Number.NaN, -0, 0, 1, -1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]
    fc.assert(
      fc.property(
        arbPairwise.chain((g) =>
          fc.tuple(
            fc.constant(g),
            fc
              .array(fc.constantFrom(...special), { minLength: inputSize(g), maxLength: inputSize(g) })
              .map((v) => Float64Array.from(v)),
            arbValues(outputSize(g)),
          ),
        ),
        ([g, x, ct]) => {
          const windows = new Float64Array(outputSize(g) * 4)
          patches2dKernel(x, g, Number.NEGATIVE_INFINITY, windows)
          const out = new Float64Array(outputSize(g))
          maxPool2dKernel(x, g, out)
          const shares = new Float64Array(windows.length)
          for (let o = 0; o < out.length; o++) {
            const w = [...windows.subarray(o * 4, o * 4 + 4)]
            // the definition, element by element: NaN if any, else the first of the largest
            let first = Number.NEGATIVE_INFINITY
            for (const v of w) if (v > first) first = v
            expect(Object.is(out[o], w.some(Number.isNaN) ? Number.NaN : first)).toBe(true)
            const ties = w.filter((v) => v === first).length
            w.forEach((v, i) => {
              shares[o * 4 + i] = v === first ? ct[o]! / ties : 0
            })
          }
          const expected = new Float64Array(x.length)
          patches2dTransposeKernel(shares, g, expected)
          const dx = new Float64Array(x.length)
          maxPool2dGradKernel(x, ct, g, dx)
          expect([...dx]).toEqual([...expected])
        },
      ),
      { seed: 1209, numRuns: 300 },
    )
  })
})
