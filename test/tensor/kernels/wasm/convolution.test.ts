/**
 * The convolutions the WebAssembly back end runs whole in its product's memory
 * (`Kernels.conv2d`) against the unfolding path of src/conv (patches unfolded in JavaScript arrays,
 * then the same back end's `matmul`), bit for bit, and against the direct loops of
 * `convReference.ts` within rounding; by property over random geometries (groups, padding,
 * dilation, vertical strides; horizontal strides, which the back end declines) and values (with
 * −0, ±∞ and NaN), float32 and float64, on the calling thread and split across a helper thread.
 * A face that declines must leave its output untouched.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { conv2dFilterGrad, conv2dForward, conv2dInputGrad } from '../../../../src/conv/kernels/conv.js'
import { type ConvGeometry, patchSize } from '../../../../src/conv/kernels/convGeometry.js'
import {
  conv2dFilterGradReference,
  conv2dForwardReference,
  conv2dInputGradReference,
} from '../../../../src/conv/kernels/convReference.js'
import { createWasmKernels, type WasmKernels } from '../../../../src/tensor/kernels/index.js'
import type { FloatArray } from '../../../../src/tensor/kernels/types.js'
import { inArena } from '../../../support/arenaViews.js'
import { arbConvGeometry, geometryOf } from '../../../support/convGeometry.js'

type DType = 'float32' | 'float64'

// smallMatmul 0: every product runs in WebAssembly on both paths, so the smallest geometries count too
const single = createWasmKernels({ threads: 0, smallMatmul: 0 })!
const threaded = createWasmKernels({ threads: 1, threadThreshold: 1, adaptiveSplit: false, smallMatmul: 0 })!
/**
 * A back end whose faces run on copies of their arrays in the plans' shared memory (as a plan's
 * buffers are), where they convolve them in place; the result is copied back to the array given.
 */
const inPlace = (backEnd: WasmKernels, place: NonNullable<typeof inArena>): WasmKernels => {
  const faces = backEnd.conv2d!
  const wrap =
    (face: (a: FloatArray, b: FloatArray, g: ConvGeometry, out: FloatArray) => boolean) =>
    (a: FloatArray, b: FloatArray, g: ConvGeometry, out: FloatArray): boolean => {
      const [aView, bView, outView] = place([a, b, out])
      const ran = face(aView!, bView!, g, outView!)
      out.set(outView!)
      return ran
    }
  return {
    ...backEnd,
    conv2d: {
      forward: wrap(faces.forward),
      inputGrad: wrap(faces.inputGrad),
      filterGrad: wrap(faces.filterGrad),
    },
  }
}

const backEnds: [string, WasmKernels][] = [
  ['calling thread', single],
  ['split across a helper thread', threaded],
  ...(inArena === undefined
    ? []
    : [["in place in the plans' memory", inPlace(threaded, inArena)] as [string, WasmKernels]]),
]

/** Each element's bits (NaN as 'NaN': no runtime fixes the payload an arithmetic NaN gets). */
const bits = (a: FloatArray): string[] => {
  const wide = Float64Array.from(a)
  const view = new DataView(wide.buffer)
  return Array.from(wide, (v, i) => (Number.isNaN(v) ? 'NaN' : view.getBigUint64(i * 8).toString(16)))
}

// a horizontal stride of 2 now and then: the back end declines it; now and then enough images that
// a split forward product has its tasks unfold their own images (three or more per thread)
const arbGeometry = arbConvGeometry({
  small: true,
  size: 10,
  strideX: fc.constantFrom(1, 1, 1, 2),
  batch: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) }, fc.integer({ min: 6, max: 8 })),
})

const special = [Number.NaN, -0, 0, 1, -1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]

const arbValues = (n: number, dtype: DType, specials: boolean) =>
  fc
    .array(
      specials
        ? fc.oneof(
            { weight: 1, arbitrary: fc.constantFrom(...special) },
            { weight: 12, arbitrary: fc.double({ min: -2, max: 2, noNaN: true }) },
          )
        : fc.double({ min: -2, max: 2, noNaN: true }),
      { minLength: n, maxLength: n },
    )
    .map((v) => (dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v)))

const sizes = (g: ConvGeometry) => ({
  x: g.batch * g.channels * g.height * g.width,
  w: g.outChannels * patchSize(g),
  y: g.batch * g.outChannels * g.outHeight * g.outWidth,
})

const arbCase = (dtype: DType, specials: boolean) =>
  arbGeometry.chain((g) => {
    const n = sizes(g)
    return fc.record({
      g: fc.constant(g),
      x: arbValues(n.x, dtype, specials),
      w: arbValues(n.w, dtype, specials),
      ct: arbValues(n.y, dtype, specials),
      // what dx holds before the input gradient is added onto it
      dx: arbValues(n.x, dtype, false),
    })
  })

/** Whether the back end should run the geometry: the window kernels need stride 1 along the width. */
const runs = (g: ConvGeometry): boolean =>
  g.strideX === 1 && patchSize(g) * (g.outChannels / g.groups) * g.batch * g.outHeight * g.outWidth > 0

const filled = (like: FloatArray, n: number, value: number): FloatArray =>
  (like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)).fill(value)

/**
 * Runs `face` and the unfolding path on outputs that start as `start` (a sentinel where the face
 * writes every element): bit for bit the same when the face runs, untouched when it declines.
 */
const agree = (
  g: ConvGeometry,
  start: FloatArray,
  face: (out: FloatArray) => boolean,
  unfolding: (out: FloatArray) => void,
): FloatArray | undefined => {
  const out = start.slice()
  const ran = face(out)
  expect(ran).toBe(runs(g))
  if (!ran) {
    expect(bits(out)).toEqual(bits(start))
    return undefined
  }
  const expected = start.slice()
  unfolding(expected)
  expect(bits(out)).toEqual(bits(expected))
  return out
}

const close = (actual: FloatArray, expected: FloatArray, tolerance: number): void => {
  for (let i = 0; i < actual.length; i++)
    if (!(Math.abs(actual[i]! - expected[i]!) <= tolerance * (1 + Math.abs(expected[i]!))))
      expect.fail(`at ${i}: ${actual[i]} vs the direct loops' ${expected[i]}`)
}

describe('convolutions in the product memory', () => {
  beforeAll(async () => {
    expect(await threaded.startThreads()).toBeGreaterThan(0)
  })

  for (const dtype of ['float32', 'float64'] as const)
    for (const [name, backEnd] of backEnds)
      it(`equal the unfolding path bit for bit and the direct loops within rounding (${dtype}, ${name})`, () => {
        const conv = backEnd.conv2d!
        const matmul = backEnd.matmul
        // products of up to 3·4·4 terms of size ≤ 4, summed in another order than the direct loops
        const tolerance = dtype === 'float32' ? 2e-5 : 1e-12
        fc.assert(
          fc.property(arbCase(dtype, true), arbCase(dtype, false), (withSpecials, finite) => {
            for (const [{ g, x, w, ct, dx }, allFinite] of [
              [withSpecials, false],
              [finite, true],
            ] as const) {
              const inputs = [x, w, ct, dx].map((a) => a.slice())
              const n = sizes(g)
              const y = agree(
                g,
                filled(x, n.y, 7),
                (out) => conv.forward(x, w, g, out),
                (out) => conv2dForward(matmul, x, w, g, out),
              )
              const gx = agree(
                g,
                dx,
                (out) => conv.inputGrad(ct, w, g, out),
                (out) => conv2dInputGrad(matmul, ct, w, g, out),
              )
              const gw = agree(
                g,
                filled(x, n.w, 7),
                (out) => conv.filterGrad(x, ct, g, out),
                (out) => conv2dFilterGrad(matmul, x, ct, g, out),
              )
              // the operands are read, never written
              for (const [i, a] of [x, w, ct, dx].entries()) expect(bits(a)).toEqual(bits(inputs[i]!))
              if (!allFinite) continue
              // finite values: the direct loops, an independent computation
              const direct = (run: (out: FloatArray) => void, start: FloatArray) => {
                const out = start.slice()
                run(out)
                return out
              }
              if (y !== undefined)
                close(
                  y,
                  direct((o) => conv2dForwardReference(x, w, g, o), filled(x, n.y, 0)),
                  tolerance,
                )
              if (gx !== undefined)
                close(
                  gx,
                  direct((o) => conv2dInputGradReference(ct, w, g, o), dx),
                  tolerance,
                )
              if (gw !== undefined)
                close(
                  gw,
                  direct((o) => conv2dFilterGradReference(x, ct, g, o), filled(x, n.w, 0)),
                  tolerance,
                )
            }
          }),
          { seed: 2607, numRuns: 80 },
        )
      })

  it('declines a product the back end would run in JavaScript, leaving the output untouched', () => {
    const defaults = createWasmKernels({ threads: 0 })!
    // one 1×1 filter over a 2×2 image: 4 multiply-adds, below the default smallMatmul of 512
    const g = geometryOf({
      batch: 1,
      groups: 1,
      inPerGroup: 1,
      outPerGroup: 1,
      kernel: [1, 1],
      stride: [1, 1],
      dilation: [1, 1],
      pad: [0, 0, 0, 0],
      size: [2, 2],
    })
    const out = new Float32Array(4).fill(9)
    expect(defaults.conv2d!.forward(new Float32Array([1, 2, 3, 4]), new Float32Array([2]), g, out)).toBe(
      false,
    )
    expect([...out]).toEqual([9, 9, 9, 9])
    // the same call on a back end that runs every product: done, and right
    expect(single.conv2d!.forward(new Float32Array([1, 2, 3, 4]), new Float32Array([2]), g, out)).toBe(true)
    expect([...out]).toEqual([2, 4, 6, 8])
  })

  it('computes a hand-worked example (2×2 filter on a 3×3 image, padding 1 on the left), all three faces', () => {
    // x = 1..9 row-major, w = [[1, 0], [0, -1]]: y[i][j] = x[i][j-1] − x[i+1][j] (x outside is 0)
    const g = geometryOf({
      batch: 1,
      groups: 1,
      inPerGroup: 1,
      outPerGroup: 1,
      kernel: [2, 2],
      stride: [1, 1],
      dilation: [1, 1],
      pad: [0, 0, 1, 0],
      size: [3, 3],
    })
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9])
    const w = Float64Array.from([1, 0, 0, -1])
    const y = new Float64Array(6)
    expect(single.conv2d!.forward(x, w, g, y)).toBe(true)
    expect([...y]).toEqual([0 - 4, 1 - 5, 2 - 6, 0 - 7, 4 - 8, 5 - 9])
    // ct = 1 at output (0, 1) only: dx gets w placed at the window of that output (x[0][0]·1 and
    // x[1][1]·−1), dw gets the window's values (x[0][0], x[0][1], x[1][0], x[1][1]) = (1, 2, 4, 5)
    const ct = Float64Array.from([0, 1, 0, 0, 0, 0])
    const dx = new Float64Array(9).fill(0.5)
    expect(single.conv2d!.inputGrad(ct, w, g, dx)).toBe(true)
    expect([...dx]).toEqual([1.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0.5, 0.5, 0.5])
    const dw = new Float64Array(4)
    expect(single.conv2d!.filterGrad(x, ct, g, dw)).toBe(true)
    expect([...dw]).toEqual([1, 2, 4, 5])
  })
})
