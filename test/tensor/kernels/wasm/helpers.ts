/**
 * Shared helpers of the WebAssembly kernel tests: float arrays of a given length (special values
 * included), the bound a float32 or float64 product may differ from the reference by, exact
 * comparison, and random trees of lane-wise ops for the fused kernels.
 *
 * @module test/kernels/wasm/helpers
 */
import * as fc from 'fast-check'
import { referenceKernels } from '../../../../src/tensor/kernels/reference.js'
import type { FloatArray } from '../../../../src/tensor/kernels/types.js'
import type { FusedExpression } from '../../../../src/tensor/kernels/wasm/fused.js'

/** The float storage types. */
export const precisions = ['float32', 'float64'] as const

/** Binary ops the elementwise kernels compute, in the kernels' argument form. */
export const binaryOps = {
  add: { name: 'add', expr: 'x + y' },
  sub: { name: 'sub', expr: 'x - y' },
  mul: { name: 'mul', expr: 'x * y' },
  div: { name: 'div', expr: 'x / y' },
  minimum: { name: 'minimum', expr: 'x < y || x !== x ? x : y' },
  maximum: { name: 'maximum', expr: 'x > y || x !== x ? x : y' },
} as const

/**
 * A float array of exactly `length` values: finite in [-10, 10], or any value with `special`. The
 * values do not shrink (shrinking thousands of them one by one takes minutes); the shapes they are
 * drawn for do.
 */
export const arbFloats = (
  dtype: 'float32' | 'float64',
  length: number,
  special = false,
): fc.Arbitrary<FloatArray> => {
  const value = special
    ? dtype === 'float32'
      ? fc.float()
      : fc.double()
    : dtype === 'float32'
      ? fc.float({ min: -10, max: 10, noNaN: true })
      : fc.double({ min: -10, max: 10, noNaN: true })
  return fc.noShrink(
    fc
      .array(value, { minLength: length, maxLength: length })
      .map((values) => (dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values))),
  )
}

/** A zeroed array of the same type as `like`. */
export const zerosLike = (like: FloatArray, length: number): FloatArray =>
  like instanceof Float32Array ? new Float32Array(length) : new Float64Array(length)

/** The index of the first element where `a` and `b` differ (Object.is), or -1. */
export const firstDifference = (a: FloatArray, b: FloatArray): number => {
  if (a.length !== b.length) return 0
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i
  return -1
}

/** Product shapes and flags, in the reference's argument form. */
export interface Product {
  readonly a: FloatArray
  readonly aShape: readonly number[]
  readonly b: FloatArray
  readonly bShape: readonly number[]
  readonly transposeA: boolean
  readonly transposeB: boolean
  readonly outShape: readonly number[]
}

/**
 * Checks `actual` against the reference product: each entry within `ulps` units of roundoff of the
 * sum of |terms| (float32 kernels accumulate in float32, the reference in float64).
 */
export const matchesReference = (product: Product, actual: FloatArray): boolean => {
  const size = product.outShape.reduce((x, y) => x * y, 1)
  const expected = zerosLike(actual, size)
  referenceKernels.matmul({ ...product, out: expected })
  const magnitude = zerosLike(actual, size)
  referenceKernels.matmul({
    ...product,
    a: product.a.map(Math.abs),
    b: product.b.map(Math.abs),
    out: magnitude,
  })
  const k = product.transposeA ? product.aShape.at(-2)! : product.aShape.at(-1)!
  const eps = actual instanceof Float32Array ? 2 ** -23 : 2 ** -52
  for (let i = 0; i < size; i++) {
    const bound = 2 * (k + 2) * eps * magnitude[i]! + 1e-30
    if (!(Math.abs(actual[i]! - expected[i]!) <= bound)) return false
  }
  return true
}

/**
 * Random (batched) products: batch shapes that broadcast, each transpose flag, and matrix sizes
 * drawn to cross the kernel's blocks (register tile 4 × 8, slices of 256, panels of 128) now and
 * then, with 0 and 1 included.
 */
export const arbProduct = (
  dtype: 'float32' | 'float64',
  options: { maxDim?: number; maxBatch?: number } = {},
): fc.Arbitrary<Product> => {
  const maxDim = options.maxDim ?? 40
  const dim = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 12 }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: maxDim }) },
  )
  const batch = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: options.maxBatch ?? 2 })
  return fc
    .record({
      m: dim,
      k: dim,
      n: dim,
      batchA: batch,
      batchB: batch,
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
    })
    .chain(({ m, k, n, batchA, batchB, transposeA, transposeB }) => {
      // where both batch shapes have a dimension and they differ, one of them becomes 1
      const bB = batchB.map((d, i) => {
        const j = batchA.length - batchB.length + i
        return j >= 0 && batchA[j] !== d && batchA[j] !== 1 ? 1 : d
      })
      const rank = Math.max(batchA.length, bB.length)
      const batchShape = Array.from({ length: rank }, (_, i) => {
        const da = batchA[i - (rank - batchA.length)] ?? 1
        const db = bB[i - (rank - bB.length)] ?? 1
        return Math.max(da, db)
      })
      const aShape = [...batchA, ...(transposeA ? [k, m] : [m, k])]
      const bShape = [...bB, ...(transposeB ? [n, k] : [k, n])]
      const size = (s: readonly number[]) => s.reduce((x, y) => x * y, 1)
      return fc.tuple(arbFloats(dtype, size(aShape)), arbFloats(dtype, size(bShape))).map(([a, b]) => ({
        a,
        aShape,
        b,
        bShape,
        transposeA,
        transposeB,
        outShape: [...batchShape, m, n],
      }))
    })
}

const binary = [
  ['add', 'x + y'],
  ['sub', 'x - y'],
  ['mul', 'x * y'],
  ['div', 'x / y'],
  ['maximum', 'x > y || x !== x ? x : y'],
  ['less', 'x < y ? 1 : 0'],
] as const
const unary = [
  ['neg', '-x'],
  ['abs', 'Math.abs(x)'],
  ['relu', 'x < 0 ? 0 : x'],
  ['sqrt', 'Math.sqrt(x)'],
] as const

/**
 * Random trees of lane-wise ops (unary, binary, comparisons, `where`) over `operands` operands and
 * a few constants: every op has a WebAssembly form in both precisions.
 */
export const arbFusedExpression = (operands: number): fc.Arbitrary<FusedExpression> =>
  fc.letrec<{ node: FusedExpression }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.nat({ max: operands - 1 }).map((index): FusedExpression => ({ kind: 'operand', index })),
      fc.constantFrom(0, 1, -2.5).map((value): FusedExpression => ({ kind: 'constant', value })),
      fc
        .tuple(fc.constantFrom(...unary), tie('node'))
        .map(([[name, expression], x]): FusedExpression => ({ kind: 'unary', name, expression, x })),
      fc
        .tuple(fc.constantFrom(...binary), tie('node'), tie('node'))
        .map(([[name, expression], x, y]): FusedExpression => ({ kind: 'binary', name, expression, x, y })),
      fc
        .tuple(tie('node'), tie('node'), tie('node'))
        .map(([condition, x, y]): FusedExpression => ({ kind: 'where', condition, x, y })),
    ),
  })).node
