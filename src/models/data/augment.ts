/**
 * Data augmentation for images: `randomShifts` moves every example of a batch by its own random
 * whole-pixel offset (the classic MNIST augmentation: a digit a pixel or two off centre is the
 * same digit). Pure and seeded: the same key and batch give the same result.
 *
 * @module data/augment
 */
import {
  ArgumentError,
  allocate,
  type DType,
  describe,
  formatShape,
  makeTensor,
  ShapeError,
  storage,
  type Tensor,
} from '../../tensor/internal.js'
import { type Key, randint } from '../random/index.js'

/**
 * Options of `randomShifts`.
 * @example
 * import type { RandomShiftOptions } from 'nabla'
 * const options: RandomShiftOptions = { imageShape: [1, 28, 28], maxShift: 2 }
 */
export interface RandomShiftOptions {
  /** Each example's image `[channels, height, width]`, stored row-major in its row (or its axes). */
  readonly imageShape: readonly [number, number, number]
  /** The largest offset along each axis, in pixels (a non-negative integer). */
  readonly maxShift: number
  /** What the pixels moved in from outside the image hold (default 0, the background of MNIST). */
  readonly fill?: number
}

/**
 * Every example of `x` (first axis = examples) translated by its own offset `(dy, dx)`, each drawn
 * uniformly from `−maxShift … maxShift`; pixels moved in from outside take `fill`. `x` may hold
 * the images flat (`[B, C·H·W]`) or shaped (`[B, C, H, W]`); the result has the shape of `x`.
 * @example
 * import { key, randomShifts, zeros } from 'nabla'
 * const batch = zeros([64, 784])
 * const moved = randomShifts(key(0), batch, { imageShape: [1, 28, 28], maxShift: 2 }) // Tensor<[64, 784]>
 */
export const randomShifts = <S extends readonly number[], D extends DType>(
  k: Key,
  x: Tensor<S, D>,
  options: RandomShiftOptions,
): Tensor<S, D> => {
  const op = 'randomShifts'
  const { imageShape, maxShift, fill = 0 } = options
  if (
    !Array.isArray(imageShape) ||
    imageShape.length !== 3 ||
    !imageShape.every((d) => Number.isInteger(d) && d > 0)
  )
    throw new ArgumentError(
      op,
      `imageShape must be [channels, height, width] of positive integers, got ${describe(imageShape)}`,
    )
  if (!Number.isInteger(maxShift) || maxShift < 0)
    throw new ArgumentError(op, `maxShift must be a non-negative integer, got ${describe(maxShift)}`)
  if (typeof fill !== 'number' || !Number.isFinite(fill))
    throw new ArgumentError(op, `fill must be a finite number, got ${describe(fill)}`)
  const [channels, height, width] = imageShape
  const pixels = channels * height * width
  const examples = x.shape[0]
  if (examples === undefined || x.size !== examples * pixels)
    throw new ShapeError(
      op,
      `x must hold examples of ${channels}×${height}×${width} = ${pixels} values along its first axis, got shape ${formatShape(x.shape)}`,
    )
  const source = storage(x)
  const out = allocate(x.dtype, x.size)
  if (fill !== 0) out.fill(fill)
  const offsets = storage(randint(k, [examples, 2], { min: -maxShift, max: maxShift + 1, dtype: 'float64' }))
  for (let n = 0; n < examples; n++) {
    const dy = offsets[2 * n]!
    const dx = offsets[2 * n + 1]!
    // output row y reads input row y − dy; output column x reads input column x − dx
    const yFrom = Math.max(0, dy)
    const yTo = Math.min(height, height + dy)
    const xFrom = Math.max(0, dx)
    const xTo = Math.min(width, width + dx)
    for (let c = 0; c < channels; c++) {
      const plane = n * pixels + c * height * width
      for (let y = yFrom; y < yTo; y++) {
        const to = plane + y * width
        const from = plane + (y - dy) * width - dx
        for (let col = xFrom; col < xTo; col++) out[to + col] = source[from + col]!
      }
    }
  }
  return makeTensor(x.shape, x.dtype, out) as Tensor<S, D>
}
