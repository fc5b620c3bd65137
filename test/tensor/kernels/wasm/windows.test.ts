/**
 * The WebAssembly window kernels against the TypeScript loops they replace (src/conv/kernels), bit
 * for bit, by property: random geometries (batch, channels, groups, sizes, kernel, strides,
 * padding, dilation) and values (with −0, ±∞ and NaN), float32 and float64. NaNs are compared as
 * NaN: neither JavaScript nor WebAssembly fixes the payload of a NaN an addition or division
 * returns; every other value is compared by its bits.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { col2im, im2col } from '../../../../src/conv/kernels/conv.js'
import { type ConvGeometry, patchSize } from '../../../../src/conv/kernels/convGeometry.js'
import { maxPool2x2, maxPool2x2Grad } from '../../../../src/conv/kernels/pool.js'
import type { FloatArray } from '../../../../src/tensor/kernels/types.js'
import { supportsSimd } from '../../../../src/tensor/kernels/wasm/module.js'
import { rowsApply, windowKernels } from '../../../../src/tensor/kernels/wasm/windows.js'
import { inArena } from '../../../support/arenaViews.js'
import { fits, geometryOf } from '../../../support/convGeometry.js'

type DType = 'float32' | 'float64'

const placements: [string, (arrays: readonly FloatArray[]) => FloatArray[]][] = [
  ['arrays of their own', (arrays) => arrays.map((a) => a.slice())],
  ...(inArena === undefined ? [] : [["views of the plans' memory", inArena] as [string, typeof inArena]]),
]

/** Each element's bits as hex (NaN as 'NaN'), so a failure shows where and how the arrays differ. */
const bits = (a: FloatArray): string[] => {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
  const e = a.BYTES_PER_ELEMENT
  return Array.from(a, (v, i) =>
    Number.isNaN(v)
      ? 'NaN'
      : Array.from(bytes.subarray(i * e, (i + 1) * e), (b) => b.toString(16).padStart(2, '0')).join(''),
  )
}

const special = [Number.NaN, -0, 0, 1, -1, 0.5, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]

/** Values with ties and special values common, as a float array of `dtype`. */
const arbValues = (n: number, dtype: DType) =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...special),
        fc.integer({ min: -2, max: 2 }),
        fc.double({ min: -3, max: 3, noNaN: true }),
      ),
      { minLength: n, maxLength: n },
    )
    .map((v) => (dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v)))

const arbConvGeometry: fc.Arbitrary<ConvGeometry> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    groups: fc.integer({ min: 1, max: 3 }),
    inPerGroup: fc.integer({ min: 1, max: 3 }),
    kernel: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
    // stride 1 along the width most of the time: the geometry the kernels handle
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom(1, 1, 1, 2)),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    pad: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    size: fc.tuple(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 21 })),
  })
  .filter(fits)
  .map((parts) => geometryOf({ ...parts, outPerGroup: 1 }))

const imageSize = (g: ConvGeometry) => g.batch * g.channels * g.height * g.width
const patchesSize = (g: ConvGeometry) => patchSize(g) * g.batch * g.outHeight * g.outWidth

const filled = (dtype: DType, n: number, value: number): FloatArray =>
  dtype === 'float32' ? new Float32Array(n).fill(value) : new Float64Array(n).fill(value)

const arbPairGeometry = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    height: fc.integer({ min: 2, max: 9 }),
    width: fc.integer({ min: 2, max: 21 }),
  })
  .map((g) => ({ ...g, outHeight: Math.floor(g.height / 2), outWidth: Math.floor(g.width / 2) }))

/** A 2×2, stride-2 pooling geometry in the shape the TypeScript loops take. */
const asConv = (g: {
  batch: number
  channels: number
  height: number
  width: number
  outHeight: number
  outWidth: number
}): ConvGeometry => ({
  ...g,
  outChannels: g.channels,
  kernelHeight: 2,
  kernelWidth: 2,
  strideY: 2,
  strideX: 2,
  padTop: 0,
  padLeft: 0,
  dilationY: 1,
  dilationX: 1,
  groups: 1,
})

describe.runIf(supportsSimd())('WebAssembly window kernels', () => {
  describe.each(['float32', 'float64'] as const)('%s', (dtype) => {
    it('unfold (im2col) writes what the TypeScript loop writes, padding entries zero', () => {
      fc.assert(
        fc.property(
          arbConvGeometry.chain((g) =>
            fc.tuple(fc.constant(g), arbValues(imageSize(g), dtype), fc.nat(g.groups - 1)),
          ),
          ([g, x, group]) => {
            const expected = filled(dtype, patchesSize(g), 0)
            im2col(x, g, group, expected)
            // stale values where the kernel must write zeros
            const cols = filled(dtype, patchesSize(g), 7)
            const done = windowKernels.unfold(x, g, group, cols)
            expect(done).toBe(rowsApply(g))
            if (done) expect(bits(cols)).toEqual(bits(expected))
            else expect(bits(cols)).toEqual(bits(filled(dtype, patchesSize(g), 7)))
          },
        ),
        { seed: 1207, numRuns: 150 },
      )
    })

    it('fold (col2im) adds what the TypeScript loop adds, in the same order', () => {
      fc.assert(
        fc.property(
          arbConvGeometry.chain((g) =>
            fc.tuple(
              fc.constant(g),
              arbValues(patchesSize(g), dtype),
              arbValues(imageSize(g), dtype),
              fc.nat(g.groups - 1),
            ),
          ),
          ([g, cols, start, group]) => {
            const expected = start.slice()
            col2im(cols, g, group, expected)
            const dx = start.slice()
            const done = windowKernels.fold(cols, g, group, dx)
            expect(done).toBe(rowsApply(g))
            expect(bits(dx)).toEqual(bits(done ? expected : start))
          },
        ),
        { seed: 1207, numRuns: 150 },
      )
    })

    // on arrays of their own (copied into the window kernels' memory), and on views of the plans'
    // shared memory (pooled where they are, as a plan's buffers are)
    for (const [where, place] of placements)
      describe(where, () => {
        it('maxPool2x2 picks what the TypeScript loop picks (NaN wins, the first of equal values, -0 before 0)', () => {
          fc.assert(
            fc.property(
              arbPairGeometry.chain((g) =>
                fc.tuple(fc.constant(g), arbValues(g.batch * g.channels * g.height * g.width, dtype)),
              ),
              ([g, values]) => {
                const n = g.batch * g.channels * g.outHeight * g.outWidth
                const [x, out] = place([values, filled(dtype, n, 7)])
                const expected = filled(dtype, n, 0)
                maxPool2x2(x!, asConv(g), expected)
                expect(windowKernels.maxPool2x2(x!, g, out!)).toBe(true)
                // here NaN is the one JavaScript's NaN stands for: the bits are compared too
                expect(bits(out!)).toEqual(bits(expected))
                expect([...new Uint8Array(out!.buffer, out!.byteOffset, out!.byteLength)]).toEqual([
                  ...new Uint8Array(expected.buffer),
                ])
              },
            ),
            { seed: 1208, numRuns: 200 },
          )
        })

        it('maxPool2x2Grad adds what the TypeScript loop adds (ties share, windows of NaN give nothing)', () => {
          fc.assert(
            fc.property(
              arbPairGeometry.chain((g) =>
                fc.tuple(
                  fc.constant(g),
                  arbValues(g.batch * g.channels * g.height * g.width, dtype),
                  arbValues(g.batch * g.channels * g.outHeight * g.outWidth, dtype),
                ),
              ),
              ([g, xValues, ctValues]) => {
                // added onto a zero-filled dx (the kernel adds a zero share where a window's maximum is not)
                const [x, ct, dx] = place([xValues, ctValues, filled(dtype, xValues.length, 0)])
                const expected = filled(dtype, xValues.length, 0)
                maxPool2x2Grad(x!, ct!, asConv(g), expected)
                expect(windowKernels.maxPool2x2Grad(x!, ct!, g, dx!)).toBe(true)
                expect(bits(dx!)).toEqual(bits(expected))
              },
            ),
            { seed: 1208, numRuns: 200 },
          )
        })
      })
  })

  it('unfolds a hand-worked 1×1×2×3 image with a 2×2 kernel and one column of padding on the left', () => {
    const g: ConvGeometry = {
      ...asConv({ batch: 1, channels: 1, height: 2, width: 3, outHeight: 1, outWidth: 3 }),
      strideY: 1,
      strideX: 1,
      padLeft: 1,
    }
    const cols = new Float32Array(12).fill(9)
    expect(windowKernels.unfold(Float32Array.from([1, 2, 3, 4, 5, 6]), g, 0, cols)).toBe(true)
    // rows: (ky, kx) = (0,0) (0,1) (1,0) (1,1); columns: the three output positions
    expect([...cols]).toEqual([0, 1, 2, 1, 2, 3, 0, 4, 5, 4, 5, 6])
  })
})
