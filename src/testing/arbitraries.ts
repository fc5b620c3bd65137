/**
 * fast-check arbitraries for tensors, shapes and pytrees, so users property-test their own models
 * the way nabla tests itself. All shrink: shapes toward fewer, smaller dimensions; values toward 0.
 *
 * @module arbitraries
 */
import * as fc from 'fast-check'
import type {
  AnyTensor,
  DomainCase,
  DomainTools,
  DType,
  Mutable,
  Shape,
  Tensor,
  ValueRange,
} from '../tensor/internal.js'
import { DTypeError, makeTensor, storageFrom } from '../tensor/internal.js'
import { flatten, type Pytree, unflatten } from '../tree/index.js'

/** Options of `arbShape`. */
export interface ShapeOptions {
  readonly minRank?: number
  readonly maxRank?: number
  readonly minDim?: number
  readonly maxDim?: number
}

/**
 * Random shapes (default rank 0–3, dims 0–4).
 * @example
 * import * as fc from 'fast-check'
 * import { arbShape } from 'nabla/testing'
 * fc.sample(arbShape({ maxRank: 2 }), 3) // e.g. [[], [3], [0, 2]]
 */
export const arbShape = (options: ShapeOptions = {}): fc.Arbitrary<Shape> =>
  fc.array(fc.integer({ min: options.minDim ?? 0, max: options.maxDim ?? 4 }), {
    minLength: options.minRank ?? 0,
    maxLength: options.maxRank ?? 3,
  })

/**
 * Two shapes that broadcast together (NumPy rules): some dimensions become 1, leading ones may be
 * dropped from either side.
 * @example
 * import * as fc from 'fast-check'
 * import { arbBroadcastPair } from 'nabla/testing'
 * fc.sample(arbBroadcastPair(), 2) // e.g. [[[3, 1], [1, 4]], [[2, 5], [5]]]
 */
export const arbBroadcastPair = (options: ShapeOptions = {}): fc.Arbitrary<readonly [Shape, Shape]> =>
  arbShape(options).chain((shape) =>
    fc
      .tuple(
        fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
        fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
        fc.integer({ min: 0, max: shape.length }),
        fc.integer({ min: 0, max: shape.length }),
      )
      .map(([onesA, onesB, dropA, dropB]) => {
        const a = shape.map((d, i) => (onesA[i] && !onesB[i] ? 1 : d)).slice(dropA)
        const b = shape.map((d, i) => (onesB[i] ? 1 : d)).slice(dropB)
        return [a, b] as const
      }),
  )

/** Options of `arbTensor`. */
export interface TensorOptions<D extends DType = DType> extends Partial<ValueRange> {
  readonly dtype?: D
}

/** Moves a value into its band, then out of the `margin`-neighbourhood of each avoided point. */
const avoid = (v: number, range: Partial<ValueRange>): number => {
  if (range.band !== undefined) {
    const [lo, hi] = range.band
    const whole = Math.floor(v)
    v = whole + lo + (hi - lo) * (v - whole)
  }
  const margin = range.margin ?? 0
  for (const a of range.avoid ?? []) if (Math.abs(v - a) < margin) v = v >= a ? a + margin : a - margin
  return v
}

/**
 * Tensors whose values are pairwise at least 0.3 apart (a shuffled ladder plus small noise), for
 * testing ops with kinks at ties such as max and min.
 * @example
 * import * as fc from 'fast-check'
 * import { arbDistinctTensor } from 'nabla/testing'
 * fc.sample(arbDistinctTensor([3]), 1) // e.g. [0.41, -0.93, 0.02]
 */
export const arbDistinctTensor = (
  shape: Shape,
  options: { dtype?: 'float32' | 'float64' } = {},
): fc.Arbitrary<AnyTensor> => {
  const dtype = options.dtype ?? 'float64'
  const size = shape.reduce((a, b) => a * b, 1)
  const ladder = Array.from({ length: size }, (_, i) => i)
  return fc
    .tuple(
      fc.shuffledSubarray(ladder, { minLength: size, maxLength: size }),
      fc.array(fc.double({ min: 0, max: 0.1, noNaN: true }), { minLength: size, maxLength: size }),
    )
    .map(([order, noise]) =>
      makeTensor(
        [...shape],
        dtype,
        storageFrom(
          dtype,
          order.map((k, i) => (k - size / 2) * 0.4 + noise[i]!),
        ),
      ),
    )
}

/**
 * Random tensors of a given shape (values default to [-1, 1], float32), shrinking toward 0. The
 * tensors have the shape and dtype in their type: `arbTensor([4, 16])` is an
 * `Arbitrary<Tensor<[4, 16], 'float32'>>`, so a typed model takes them without casts.
 * @example
 * import * as fc from 'fast-check'
 * import { arbTensor } from 'nabla/testing'
 * fc.assert(fc.property(arbTensor([2, 3], { dtype: 'float64', min: -5, max: 5 }), (t) => t.size === 6))
 */
export const arbTensor = <const S extends Shape, D extends DType = 'float32'>(
  shape: S,
  options: TensorOptions<D> = {},
): fc.Arbitrary<Tensor<Mutable<S>, D>> => {
  const dtype = (options.dtype ?? 'float32') as D
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new DTypeError('arbTensor', `unknown dtype ${String(dtype)}`)
  const min = options.min ?? -1
  const max = options.max ?? 1
  const size = shape.reduce((a, b) => a * b, 1)
  const value = fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((v) => avoid(v, options))
  return fc
    .array(value, { minLength: size, maxLength: size })
    .map((values) => makeTensor([...shape] as Mutable<S>, dtype, storageFrom(dtype, values)))
}

/**
 * Random parameters shaped like `template` (any pytree of tensors: a layer's `init(key)` result,
 * a record of weights): the same structure and type, each leaf a random tensor of that leaf's shape
 * and dtype (values default to [-1, 1]; `range` sets them, its dtype is ignored), shrinking toward 0. A typed model is property-tested with
 * it without casts.
 * @example
 * import * as fc from 'fast-check'
 * import { key, mlp } from 'nabla'
 * import { arbParams } from 'nabla/testing'
 * const net = mlp([4, 8, 2])
 * fc.assert(fc.property(arbParams(net.init(key(0))), (p) => p[0].w.shape[1] === 8))
 */
export const arbParams = <P extends Pytree>(
  template: P,
  range: Partial<ValueRange> = {},
): fc.Arbitrary<P> => {
  const [leaves, def] = flatten(template, 'arbParams')
  return fc
    .tuple(...leaves.map((leaf) => arbTensor(leaf.shape, { ...range, dtype: leaf.dtype })))
    .map((random) => unflatten(def, random) as P)
}

/**
 * A tensor of random shape together with its values.
 * @example
 * import * as fc from 'fast-check'
 * import { arbAnyTensor } from 'nabla/testing'
 * fc.sample(arbAnyTensor({ maxRank: 2 }), 1)
 */
export const arbAnyTensor = (shape: ShapeOptions = {}, values: TensorOptions = {}): fc.Arbitrary<AnyTensor> =>
  arbShape(shape).chain((s) => arbTensor(s, values))

/** A pytree of tensors: leaves, arrays and records, nested up to `depth`. */
export type ArbPytree = AnyTensor | readonly ArbPytree[] | { readonly [key: string]: ArbPytree }

/**
 * Random pytrees of random tensors (records, arrays, leaves), for testing code that maps over
 * parameter trees.
 * @example
 * import * as fc from 'fast-check'
 * import { arbPytree } from 'nabla/testing'
 * fc.sample(arbPytree({ depth: 2 }), 1)
 */
export const arbPytree = (
  options: { depth?: number; values?: TensorOptions; shape?: ShapeOptions } = {},
): fc.Arbitrary<ArbPytree> => {
  const leaf = arbAnyTensor(options.shape ?? { maxRank: 2 }, options.values ?? {})
  const { tree } = fc.letrec<{ tree: ArbPytree; node: ArbPytree }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', maxDepth: options.depth ?? 2 }, leaf, tie('node')),
    node: fc.oneof(
      fc.array(tie('tree'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('w', 'b', 'gamma', 'layer0', 'layer1'), tie('tree'), { maxKeys: 3 }),
    ),
  }))
  return tree
}

/** The domain tools primitives describe their test inputs with (float64 tensors). */
export const domainTools: DomainTools = {
  fc,
  shape: (options = {}) => arbShape(options),
  tensor: (shape, range) => arbTensor(shape, { ...range, dtype: 'float64' }),
  distinctTensor: (shape) => arbDistinctTensor(shape),
  unary: (range) =>
    arbAnyTensor({}, { ...range, dtype: 'float64' }).map(
      (x): DomainCase<undefined> => ({ inputs: [x], params: undefined }),
    ),
  binary: (rangeA, rangeB) =>
    arbBroadcastPair().chain(([a, b]) =>
      fc
        .tuple(arbTensor(a, { ...rangeA, dtype: 'float64' }), arbTensor(b, { ...rangeB, dtype: 'float64' }))
        .map(([x, y]): DomainCase<undefined> => ({ inputs: [x, y], params: undefined })),
    ),
}
