/**
 * Small fast-check generators for the tests of src/tensor (src/testing/arbitraries.ts is the
 * public, richer version; these stay independent of it so the core tests do not depend on it).
 */
import fc from 'fast-check'
import { fromArrayOrThrow, type Tensor, toFlat } from '../../src/index.js'
import type { Naive } from './naive.js'

export type DTypeName = 'float32' | 'float64'

export const arbDType: fc.Arbitrary<DTypeName> = fc.constantFrom('float32', 'float64')

/** A shape of rank `minRank..maxRank` with dims `minDim..maxDim`. */
export const arbShape = ({
  minRank = 0,
  maxRank = 4,
  minDim = 0,
  maxDim = 4,
}: {
  minRank?: number
  maxRank?: number
  minDim?: number
  maxDim?: number
} = {}): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank })

/**
 * `count` shapes that broadcast together: each is drawn from one output shape by dropping leading
 * axes and turning some dimensions into 1 (size-0 dimensions included).
 */
export const arbBroadcastShapes = (
  count: number,
  options: { maxRank?: number; maxDim?: number } = {},
): fc.Arbitrary<number[][]> => {
  const side = (out: readonly number[]): fc.Arbitrary<number[]> =>
    fc
      .tuple(
        fc.integer({ min: 0, max: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      )
      .map(([drop, ones]) => out.map((d, i) => (ones[i] ? 1 : d)).slice(drop))
  return arbShape({ maxRank: options.maxRank ?? 4, maxDim: options.maxDim ?? 3 }).chain((out) =>
    fc.tuple(...Array.from({ length: count }, () => side(out))),
  )
}

/** Two shapes that broadcast together. */
export const arbBroadcastPair = (
  options: { maxRank?: number; maxDim?: number } = {},
): fc.Arbitrary<[number[], number[]]> =>
  arbBroadcastShapes(2, options).map(([a, b]) => [a!, b!] as [number[], number[]])

/** Small integers: sums and products of a few of them are exact in float32. */
export const arbSmallInt = fc.integer({ min: -8, max: 8 })

/** Finite doubles of moderate size (no NaN, no ±Infinity). */
export const arbFinite = fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true })

/** Data for a shape. */
export const arbData = (
  shape: readonly number[],
  values: fc.Arbitrary<number> = arbSmallInt,
): fc.Arbitrary<number[]> => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc.array(values, { minLength: n, maxLength: n })
}

/** A naive array of a given shape. */
export const arbNaive = (
  shape: readonly number[],
  values: fc.Arbitrary<number> = arbSmallInt,
): fc.Arbitrary<Naive> => arbData(shape, values).map((data) => ({ shape: [...shape], data }))

/** Builds a tensor from a naive array (throws on bad input). */
export const toTensor = (x: Naive, dtype: DTypeName = 'float64'): Tensor =>
  fromArrayOrThrow(x.data, x.shape, { dtype }) as Tensor

/** Reads a tensor back as a naive array. */
export const toNaive = (t: Tensor): Naive => ({ shape: [...t.shape], data: toFlat(t) })
