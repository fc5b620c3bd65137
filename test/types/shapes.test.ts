/**
 * Type-level tests of the shape-changing ops (issue 11, point 3): concat, stack, expandDims,
 * squeeze, gather, pad, slice, argmax, oneHot and reshape with -1 compute their result shapes with
 * literal, generic (`<B extends number>`) and named (`Dim<'batch'>`) dims, and a provably wrong
 * call does not compile. Every `@ts-expect-error` line is one minimal wrong call that also throws
 * at run time (ShapeError or ArgumentError).
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  ArgumentError,
  argmax,
  concat,
  type Dim,
  DTypeError,
  dim,
  expandDims,
  gather,
  matmul,
  oneHot,
  pad,
  reshape,
  type Shape,
  ShapeError,
  slice,
  squeeze,
  stack,
  type Tensor,
  tensor,
  withShape,
  zeros,
} from '../../src/index.js'

/** A long unannotated generic chain of layout ops (125 calls): no TS2589, and B survives. */
const layoutChain = <B extends number>(x: Tensor<[B, 4]>): Tensor<[B, 4]> => {
  const s1 = squeeze(
    expandDims(
      slice(
        pad(concat([x, x], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s2 = squeeze(
    expandDims(
      slice(
        pad(concat([s1, s1], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s3 = squeeze(
    expandDims(
      slice(
        pad(concat([s2, s2], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s4 = squeeze(
    expandDims(
      slice(
        pad(concat([s3, s3], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s5 = squeeze(
    expandDims(
      slice(
        pad(concat([s4, s4], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s6 = squeeze(
    expandDims(
      slice(
        pad(concat([s5, s5], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s7 = squeeze(
    expandDims(
      slice(
        pad(concat([s6, s6], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s8 = squeeze(
    expandDims(
      slice(
        pad(concat([s7, s7], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s9 = squeeze(
    expandDims(
      slice(
        pad(concat([s8, s8], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s10 = squeeze(
    expandDims(
      slice(
        pad(concat([s9, s9], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s11 = squeeze(
    expandDims(
      slice(
        pad(concat([s10, s10], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s12 = squeeze(
    expandDims(
      slice(
        pad(concat([s11, s11], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s13 = squeeze(
    expandDims(
      slice(
        pad(concat([s12, s12], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s14 = squeeze(
    expandDims(
      slice(
        pad(concat([s13, s13], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s15 = squeeze(
    expandDims(
      slice(
        pad(concat([s14, s14], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s16 = squeeze(
    expandDims(
      slice(
        pad(concat([s15, s15], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s17 = squeeze(
    expandDims(
      slice(
        pad(concat([s16, s16], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s18 = squeeze(
    expandDims(
      slice(
        pad(concat([s17, s17], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s19 = squeeze(
    expandDims(
      slice(
        pad(concat([s18, s18], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s20 = squeeze(
    expandDims(
      slice(
        pad(concat([s19, s19], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s21 = squeeze(
    expandDims(
      slice(
        pad(concat([s20, s20], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s22 = squeeze(
    expandDims(
      slice(
        pad(concat([s21, s21], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s23 = squeeze(
    expandDims(
      slice(
        pad(concat([s22, s22], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s24 = squeeze(
    expandDims(
      slice(
        pad(concat([s23, s23], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  const s25 = squeeze(
    expandDims(
      slice(
        pad(concat([s24, s24], 1), [
          [0, 0],
          [1, 1],
        ]),
        [0, 1],
        [x.shape[0], 5],
      ),
      1,
    ),
    1,
  )
  return s25
}

type Batch = Dim<'batch'>
const batch = dim('batch', 2)
const named = withShape(zeros([2, 4]), [batch, 4])

describe('a long generic chain', () => {
  it('keeps [B, 4] through 125 layout calls', () => {
    expectTypeOf(layoutChain<7>).returns.toEqualTypeOf<Tensor<[7, 4]>>()
    expect(layoutChain(zeros([3, 4])).shape).toEqual([3, 4])
  })
})

describe('concat', () => {
  it('adds the sizes along the axis and keeps the others', () => {
    expectTypeOf(concat([zeros([32, 128]), zeros([32, 64])], 1)).toEqualTypeOf<Tensor<[32, 192]>>()
    expectTypeOf(concat([zeros([2, 3]), zeros([4, 3]), zeros([1, 3])])).toEqualTypeOf<Tensor<[7, 3]>>()
    expectTypeOf(concat([zeros([2, 3]), zeros([2, 5])], -1)).toEqualTypeOf<Tensor<[2, 8]>>()
    expectTypeOf(concat([zeros([600, 3]), zeros([500, 3])], 0)).toEqualTypeOf<Tensor<[1100, 3]>>()
    const generic = <B extends number>(a: Tensor<[B, 128]>, b: Tensor<[B, 64]>): Tensor<[B, 192]> =>
      concat([a, b], 1)
    const alongBatch = <B extends number>(a: Tensor<[B, 4]>): Tensor<[number, 4]> => concat([a, a], 0)
    expectTypeOf(concat([named, named], 1)).toEqualTypeOf<Tensor<[Batch, 8]>>()
    expectTypeOf(concat([named, named], 0)).toEqualTypeOf<Tensor<[number, 4]>>()
    const rows: Tensor<[2, 3]>[] = [zeros([2, 3]), zeros([2, 3])]
    expectTypeOf(concat(rows, 0)).toEqualTypeOf<Tensor<[number, 3]>>()
    expect(generic(zeros([2, 128]), zeros([2, 64])).shape).toEqual([2, 192])
    expect(alongBatch(zeros([2, 4])).shape).toEqual([4, 4])
    expect(concat([named, named], 1).shape).toEqual([2, 8])
  })

  it('no longer lets a wrong shape through to the next op', () => {
    const joined = concat([zeros([32, 128]), zeros([32, 64])], 1)
    // @ts-expect-error: inner dimensions differ: a is [32,192], b is [100,10]
    expect(() => matmul(joined, zeros([100, 10]))).toThrow(ShapeError)
  })

  it('does not compile a dim off the axis that differs, a rank that differs, or a bad axis', () => {
    // @ts-expect-error: xs[1] has shape [16,64] but xs[0] has [32,128]; only axis 1 may differ
    expect(() => concat([zeros([32, 128]), zeros([16, 64])], 1)).toThrow(ShapeError)
    // @ts-expect-error: xs[1] has shape [2] but xs[0] has [2,3]; only axis 0 may differ
    expect(() => concat([zeros([2, 3]), zeros([2])])).toThrow(ShapeError)
    // @ts-expect-error: dtypes differ: float32 and float64; cast one explicitly
    expect(() => concat([zeros([2]), zeros([2], { dtype: 'float64' })])).toThrow(DTypeError)
    // @ts-expect-error: concat: axis 2 is out of range for shape [2,3]
    expect(() => concat([zeros([2, 3]), zeros([2, 3])], 2)).toThrow(ArgumentError)
    const generic = <B extends number>(a: Tensor<[B, 128]>, b: Tensor<[B, 64]>) =>
      // @ts-expect-error: xs[1] has shape [${B},64] but xs[0] has [${B},128]; only axis 0 may differ
      concat([a, b], 0)
    expect(() => generic(zeros([2, 128]), zeros([2, 64]))).toThrow(ShapeError)
  })
})

describe('stack', () => {
  it('inserts the number of tensors at the axis', () => {
    const x = zeros([2, 4])
    expectTypeOf(stack([x, x, x])).toEqualTypeOf<Tensor<[3, 2, 4]>>()
    expectTypeOf(stack([x, x], 1)).toEqualTypeOf<Tensor<[2, 2, 4]>>()
    expectTypeOf(stack([x, x], -1)).toEqualTypeOf<Tensor<[2, 4, 2]>>()
    const generic = <B extends number>(a: Tensor<[B, 4]>): Tensor<[3, B, 4]> => stack([a, a, a], 0)
    expectTypeOf(stack([named, named])).toEqualTypeOf<Tensor<[2, Batch, 4]>>()
    const parts = [x, x, x] as const
    expectTypeOf(stack(parts)).toEqualTypeOf<Tensor<[3, 2, 4]>>()
    expectTypeOf(concat(parts, 1)).toEqualTypeOf<Tensor<[2, 12]>>()
    const xs: Tensor<[2, 4]>[] = [x, x, x, x]
    expectTypeOf(stack(xs)).toEqualTypeOf<Tensor<[number, 2, 4]>>()
    expect(generic(zeros([5, 4])).shape).toEqual([3, 5, 4])
    expect(stack(xs).shape).toEqual([4, 2, 4])
  })

  it('does not compile shapes that differ or a bad axis', () => {
    // @ts-expect-error: xs[1] has shape [2,5] but xs[0] has [2,4]
    expect(() => stack([zeros([2, 4]), zeros([2, 5])])).toThrow(ShapeError)
    // @ts-expect-error: dtypes differ: float32 and float64; cast one explicitly
    expect(() => stack([zeros([2]), zeros([2], { dtype: 'float64' })])).toThrow(DTypeError)
    // @ts-expect-error: stack: axis 3 is out of range for shapes [2,4] (the result has rank 3)
    expect(() => stack([zeros([2, 4]), zeros([2, 4])], 3)).toThrow(ArgumentError)
  })
})

describe('expandDims and squeeze', () => {
  it('insert and remove a size-1 axis', () => {
    expectTypeOf(expandDims(zeros([2, 4]), 1)).toEqualTypeOf<Tensor<[2, 1, 4]>>()
    expectTypeOf(expandDims(zeros([2, 4]), -1)).toEqualTypeOf<Tensor<[2, 4, 1]>>()
    expectTypeOf(expandDims(zeros([2, 4]), 0)).toEqualTypeOf<Tensor<[1, 2, 4]>>()
    expectTypeOf(squeeze(zeros([2, 1, 4]), 1)).toEqualTypeOf<Tensor<[2, 4]>>()
    expectTypeOf(squeeze(zeros([2, 1, 4]), -2)).toEqualTypeOf<Tensor<[2, 4]>>()
    expectTypeOf(squeeze(zeros([1, 3, 1]))).toEqualTypeOf<Tensor<[3]>>()
    const expanded = <B extends number>(x: Tensor<[B, 4]>): Tensor<[B, 1, 4]> => expandDims(x, 1)
    const squeezed = <B extends number>(x: Tensor<[B, 1, 4]>): Tensor<[B, 4]> => squeeze(x, 1)
    const roundTrip = <B extends number>(x: Tensor<[B, 4]>): Tensor<[B, 4]> => squeeze(expandDims(x, -1), 2)
    expectTypeOf(expandDims(named, 1)).toEqualTypeOf<Tensor<[Batch, 1, 4]>>()
    expectTypeOf(squeeze(expandDims(named, 1), 1)).toEqualTypeOf<Tensor<[Batch, 4]>>()
    // a named (or run-time) dim may be 1 at run time, so squeezing every 1 has an unknown rank
    expectTypeOf(squeeze(named)).toEqualTypeOf<Tensor<Shape>>()
    expect(expanded(zeros([3, 4])).shape).toEqual([3, 1, 4])
    expect(squeezed(zeros([3, 1, 4])).shape).toEqual([3, 4])
    expect(roundTrip(zeros([3, 4])).shape).toEqual([3, 4])
  })

  it('does not compile an axis out of range or squeezing a dim known not to be 1', () => {
    // @ts-expect-error: expandDims: axis 3 is out of range for [2,4] (the result has rank 3)
    expect(() => expandDims(zeros([2, 4]), 3)).toThrow(ArgumentError)
    // @ts-expect-error: axis 1 has size 4 in [2,4], not 1
    expect(() => squeeze(zeros([2, 4]), 1)).toThrow(ShapeError)
    // @ts-expect-error: axis 2 is out of range for shape [2,4]
    expect(() => squeeze(zeros([2, 4]), 2)).toThrow(ArgumentError)
    const generic = <B extends number>(x: Tensor<[B, 4]>) =>
      // @ts-expect-error: axis 1 has size 4 in [${B},4], not 1
      squeeze(x, 1)
    expect(() => generic(zeros([3, 4]))).toThrow(ShapeError)
  })
})

describe('gather', () => {
  it('replaces the axis by the shape of the indices', () => {
    const table = zeros([10, 16])
    expectTypeOf(gather(table, [2, 0, 1])).toEqualTypeOf<Tensor<[3, 16]>>()
    expectTypeOf(gather(table, zeros([4, 3]), 0)).toEqualTypeOf<Tensor<[4, 3, 16]>>()
    expectTypeOf(gather(table, [1, 2], 1)).toEqualTypeOf<Tensor<[10, 2]>>()
    expectTypeOf(gather(table, [1, 2], -1)).toEqualTypeOf<Tensor<[10, 2]>>()
    const ids: number[] = [1, 2, 3]
    expectTypeOf(gather(table, ids)).toEqualTypeOf<Tensor<[number, 16]>>()
    const embed = <B extends number>(rows: Tensor<[10, 16]>, i: Tensor<[B]>): Tensor<[B, 16]> =>
      gather(rows, i, 0)
    expectTypeOf(gather(table, withShape(zeros([2]), [batch]))).toEqualTypeOf<Tensor<[Batch, 16]>>()
    expect(embed(table, tensor([1, 2, 3])).shape).toEqual([3, 16])
    expect(gather(table, zeros([4, 3]), 0).shape).toEqual([4, 3, 16])
  })

  it('does not compile an axis out of range', () => {
    // @ts-expect-error: axis 2 is out of range for shape [10,16]
    expect(() => gather(zeros([10, 16]), [1], 2)).toThrow(ArgumentError)
  })
})

describe('pad', () => {
  it('grows each dim by its widths, keeping unpadded dims as they are', () => {
    expectTypeOf(
      pad(zeros([3, 28, 28]), [
        [0, 0],
        [2, 2],
        [2, 2],
      ]),
    ).toEqualTypeOf<Tensor<[3, 32, 32]>>()
    expectTypeOf(pad(zeros([2]), [[1, 0]])).toEqualTypeOf<Tensor<[3]>>()
    const images = <B extends number>(x: Tensor<[B, 3, 28, 28]>): Tensor<[B, 3, 32, 32]> =>
      pad(x, [
        [0, 0],
        [0, 0],
        [2, 2],
        [2, 2],
      ])
    expectTypeOf(
      pad(named, [
        [0, 0],
        [1, 1],
      ]),
    ).toEqualTypeOf<Tensor<[Batch, 6]>>()
    const widths: readonly (readonly [number, number])[] = [[1, 1]]
    expectTypeOf(pad(zeros([2]), widths)).toEqualTypeOf<Tensor<[number]>>()
    expect(images(zeros([2, 3, 28, 28])).shape).toEqual([2, 3, 32, 32])
  })

  it('does not compile the wrong number of widths or a negative width', () => {
    expect(() =>
      // @ts-expect-error: pad: widths has 2 pairs but [3,28,28] has rank 3
      pad(zeros([3, 28, 28]), [
        [2, 2],
        [2, 2],
      ]),
    ).toThrow(ArgumentError)
    // @ts-expect-error: pad: widths must be non-negative, got a negative one for [2]
    expect(() => pad(zeros([2]), [[-1, 0]])).toThrow(ArgumentError)
  })
})

describe('slice', () => {
  it('gives end − begin for literal bounds, the full extent for an omitted end', () => {
    const x = zeros([4, 10])
    expectTypeOf(slice(x, [1, 2], [3, 10])).toEqualTypeOf<Tensor<[2, 8]>>()
    expectTypeOf(slice(x, [1, 2])).toEqualTypeOf<Tensor<[3, 8]>>()
    expectTypeOf(slice(x, [0, -3])).toEqualTypeOf<Tensor<[4, 3]>>()
    expectTypeOf(slice(x, [-3, 0], [-1, 10])).toEqualTypeOf<Tensor<[2, 10]>>()
    expectTypeOf(slice(zeros([600, 784]), [0, 0], [100, 784])).toEqualTypeOf<Tensor<[100, 784]>>()
    const i = 1 as number
    expectTypeOf(slice(x, [i, 0], [i + 1, 10])).toEqualTypeOf<Tensor<[number, 10]>>()
    const features = <B extends number>(t: Tensor<[B, 10]>): Tensor<[B, 4]> =>
      slice(t, [0, 2], [t.shape[0], 6])
    const tail = <B extends number>(t: Tensor<[B, 10]>): Tensor<[B, 3]> => slice(t, [0, -3])
    expectTypeOf(slice(named, [0, 1])).toEqualTypeOf<Tensor<[Batch, 3]>>()
    expect(slice(x, [-3, 0], [-1, 10]).shape).toEqual([2, 10])
    expect(features(zeros([5, 10])).shape).toEqual([5, 4])
    expect(tail(zeros([5, 10])).shape).toEqual([5, 3])
  })

  it('does not compile bounds outside a literal axis, begin after end, or the wrong count', () => {
    const x = zeros([4, 10])
    // @ts-expect-error: end[1] = 11 is out of range for an axis of size 10 in [4,10]
    expect(() => slice(x, [0, 0], [4, 11])).toThrow(ArgumentError)
    // @ts-expect-error: begin[0] = -5 is out of range for an axis of size 4 in [4,10]
    expect(() => slice(x, [-5, 0])).toThrow(ArgumentError)
    // @ts-expect-error: begin[1] = 5 is after end[1] = 3 in [4,10]
    expect(() => slice(x, [0, 5], [4, 3])).toThrow(ArgumentError)
    // @ts-expect-error: begin and end must have one entry per axis of [4,10]
    expect(() => slice(x, [0])).toThrow(ArgumentError)
  })
})

describe('argmax and oneHot', () => {
  it('keep generic and named dims', () => {
    expectTypeOf(argmax(zeros([2, 10]))).toEqualTypeOf<Tensor<[2]>>()
    expectTypeOf(argmax(zeros([2, 10]), 0)).toEqualTypeOf<Tensor<[10]>>()
    const predicted = <B extends number>(logits: Tensor<[B, 10]>): Tensor<[B]> => argmax(logits, 1)
    const lastAxis = <B extends number>(logits: Tensor<[B, 10]>): Tensor<[B]> => argmax(logits)
    expectTypeOf(argmax(named)).toEqualTypeOf<Tensor<[Batch]>>()
    expectTypeOf(oneHot(tensor([2, 0]), 3)).toEqualTypeOf<Tensor<[2, 3]>>()
    const encoded = <B extends number>(labels: Tensor<[B]>): Tensor<[B, 10]> => oneHot(labels, 10)
    expectTypeOf(oneHot(withShape(tensor([1, 0]), [batch]), 10)).toEqualTypeOf<Tensor<[Batch, 10]>>()
    expect(predicted(tensor([[0, 1, 0, 0, 0, 0, 0, 0, 0, 0]])).shape).toEqual([1])
    expect(lastAxis(zeros([3, 10])).shape).toEqual([3])
    expect(encoded(tensor([1, 2])).shape).toEqual([2, 10])
  })

  it('does not compile an argmax axis out of range or a depth that is not positive', () => {
    // @ts-expect-error: axis 2 is out of range for shape [2,10]
    expect(() => argmax(zeros([2, 10]), 2)).toThrow(ArgumentError)
    // @ts-expect-error: oneHot: depth must be a positive integer, got -1
    expect(() => oneHot(tensor([0]), -1)).toThrow(ArgumentError)
  })
})

describe('reshape with -1', () => {
  it('computes the -1 from literal sizes, and keeps dims around it with generic ones', () => {
    expectTypeOf(reshape(zeros([2, 3, 4]), [-1, 12])).toEqualTypeOf<Tensor<[2, 12]>>()
    expectTypeOf(reshape(zeros([2, 3, 4]), [4, -1])).toEqualTypeOf<Tensor<[4, 6]>>()
    expectTypeOf(reshape(zeros([2, 3, 4]), [2, -1, 2])).toEqualTypeOf<Tensor<[2, 6, 2]>>()
    expectTypeOf((t: Tensor<[60000, 784]>) => reshape(t, [-1, 28, 28])).returns.toEqualTypeOf<
      Tensor<[60000, 28, 28]>
    >()
    const flat = <B extends number>(x: Tensor<[B, 28, 28]>): Tensor<[B, 784]> => reshape(x, [-1, 784])
    expectTypeOf(reshape(withShape(zeros([2, 12]), [batch, 12]), [-1, 3, 4])).toEqualTypeOf<
      Tensor<[Batch, 3, 4]>
    >()
    expect(flat(zeros([2, 28, 28])).shape).toEqual([2, 784])
  })

  it('does not compile a size that does not divide', () => {
    // @ts-expect-error: cannot reshape [2,3,4] (24 elements) to [-1,5]
    expect(() => reshape(zeros([2, 3, 4]), [-1, 5])).toThrow(ShapeError)
    // @ts-expect-error: cannot reshape [2,3] (6 elements) to [0,-1]
    expect(() => reshape(zeros([2, 3]), [0, -1])).toThrow(ShapeError)
  })
})
