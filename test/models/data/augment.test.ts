/**
 * randomShifts: every example is its input moved by one offset within ±maxShift (found by search
 * over all offsets, on images whose pixels are all different), pixels from outside take the fill,
 * every offset occurs, the same key gives the same batch, and bad arguments are typed errors.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, fromArrayOrThrow, ShapeError, toFlat, zeros } from '../../../src/index.js'
import { randomShifts } from '../../../src/models/data/augment.js'
import { key } from '../../../src/models/random/index.js'

/** The image `x` (c×h×w) moved by (dy, dx) by definition: out[c, y, x] = in[c, y − dy, x − dx]. */
const shifted = (x: readonly number[], [c, h, w]: readonly number[], dy: number, dx: number, fill: number) =>
  Array.from({ length: c! * h! * w! }, (_, i) => {
    const [ch, y, col] = [Math.floor(i / (h! * w!)), Math.floor(i / w!) % h!, i % w!]
    const [sy, sx] = [y - dy, col - dx]
    return sy >= 0 && sy < h! && sx >= 0 && sx < w! ? x[(ch * h! + sy) * w! + sx]! : fill
  })

/** The offsets within ±s that turn `input` into `output`. */
const offsetsBetween = (
  input: number[],
  output: number[],
  shape: readonly number[],
  s: number,
  fill: number,
) => {
  const found: [number, number][] = []
  for (let dy = -s; dy <= s; dy++)
    for (let dx = -s; dx <= s; dx++)
      if (shifted(input, shape, dy, dx, fill).every((v, i) => v === output[i])) found.push([dy, dx])
  return found
}

describe('randomShifts', () => {
  it('moves each example by one offset within ±maxShift, filling from outside, keeping the shape', () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 4 }),
          c: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 1, max: 6 }),
          w: fc.integer({ min: 1, max: 6 }),
          maxShift: fc.integer({ min: 0, max: 3 }),
          fill: fc.constantFrom(0, -1),
          seed: fc.integer({ min: 0, max: 1000 }),
          shaped: fc.boolean(),
        }),
        ({ batch, c, h, w, maxShift, fill, seed, shaped }) => {
          const pixels = c * h * w
          const values = Array.from({ length: batch * pixels }, (_, i) => i + 1) // all different, none = fill
          const shape = shaped ? [batch, c, h, w] : [batch, pixels]
          const x = fromArrayOrThrow(values, shape, { dtype: 'float64' })
          const y = randomShifts(key(seed), x, { imageShape: [c, h, w], maxShift, fill })
          expect(y.shape).toEqual(shape)
          const out = toFlat(y)
          for (let n = 0; n < batch; n++) {
            const input = values.slice(n * pixels, (n + 1) * pixels)
            const output = out.slice(n * pixels, (n + 1) * pixels)
            expect(offsetsBetween(input, output, [c, h, w], maxShift, fill).length).toBeGreaterThan(0)
          }
        },
      ),
      { seed: 1208, numRuns: 150 },
    )
  })

  it('draws every offset, and the same key gives the same batch', () => {
    const x = fromArrayOrThrow(
      Array.from({ length: 400 * 9 }, (_, i) => (i % 9) + 1),
      [400, 9],
    )
    const options = { imageShape: [1, 3, 3], maxShift: 1 } as const
    const y = toFlat(randomShifts(key(7), x, options))
    const offsets = new Set<string>()
    for (let n = 0; n < 400; n++) {
      const found = offsetsBetween([1, 2, 3, 4, 5, 6, 7, 8, 9], y.slice(n * 9, n * 9 + 9), [1, 3, 3], 1, 0)
      expect(found.length).toBe(1)
      offsets.add(found[0]!.join(','))
    }
    expect(offsets.size).toBe(9)
    expect(toFlat(randomShifts(key(7), x, options))).toEqual(y)
    expect(toFlat(randomShifts(key(8), x, options))).not.toEqual(y)
  })

  it('rejects a wrong image shape, a size that does not match and a bad maxShift', () => {
    const x = zeros([2, 784])
    expect(() => randomShifts(key(0), x, { imageShape: [28, 28] as never, maxShift: 1 })).toThrow(
      ArgumentError,
    )
    expect(() => randomShifts(key(0), x, { imageShape: [1, 28, 27], maxShift: 1 })).toThrow(
      'x must hold examples of 1×28×27 = 756 values along its first axis, got shape [2,784]',
    )
    expect(() => randomShifts(key(0), x, { imageShape: [1, 28, 27], maxShift: 1 })).toThrow(ShapeError)
    expect(() => randomShifts(key(0), x, { imageShape: [1, 28, 28], maxShift: -1 })).toThrow(/maxShift/)
    expect(() => randomShifts(key(0), x, { imageShape: [1, 28, 28], maxShift: 1.5 })).toThrow(ArgumentError)
  })
})
