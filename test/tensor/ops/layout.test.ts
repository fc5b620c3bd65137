import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ArgumentError,
  broadcastTo,
  cast,
  concat,
  DTypeError,
  expandDims,
  gather,
  oneHot,
  pad,
  reshape,
  ShapeError,
  scatterAdd,
  slice,
  squeeze,
  stack,
  type Tensor,
  tensor,
  toArray,
  toFlat,
  transpose,
  zeros,
} from '../../../src/index.js'
import {
  arbBroadcastPair,
  arbDType,
  arbFinite,
  arbNaive,
  arbShape,
  arbSmallInt,
  toNaive,
  toTensor,
} from '../../support/arbitraries.js'
import {
  expand,
  type Naive,
  naiveBroadcastShape,
  naiveConcat,
  naiveGather,
  naivePad,
  naiveScatterAdd,
  naiveSlice,
  naiveTranspose,
  sizeOfShape,
} from '../../support/naive.js'

// the ops with their static shape checks switched off, for shapes only known at run time
const reshapeAny = reshape as unknown as (x: Tensor, shape: readonly number[]) => Tensor
const transposeAny = transpose as unknown as (x: Tensor, perm?: readonly number[]) => Tensor

/** Every way to split `size` into a shape of rank ≤ 4 (as factor lists), drawn at random. */
const arbShapeOfSize = (size: number): fc.Arbitrary<number[]> => {
  if (size === 0) return fc.constantFrom([0], [0, 3], [2, 0, 1], [1, 0])
  const divisors = Array.from({ length: size }, (_, i) => i + 1).filter((d) => size % d === 0)
  return fc.array(fc.constantFrom(...divisors), { maxLength: 3 }).map((factors) => {
    const shape: number[] = []
    let rest = size
    for (const f of factors)
      if (rest % f === 0) {
        shape.push(f)
        rest /= f
      }
    return [...shape, rest]
  })
}

describe('reshape', () => {
  it('keeps the flat data and round-trips to the original shape', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 6, maxDim: 3 }).chain((s) =>
          fc.tuple(arbNaive(s, arbFinite), arbShapeOfSize(sizeOfShape(s)), arbDType),
        ),
        ([nx, target, dtype]) => {
          const x = toTensor(nx, dtype)
          const y = reshapeAny(x, target)
          expect(y.shape).toEqual(target)
          expect(toFlat(y)).toEqual(toFlat(x))
          const back = reshapeAny(y, nx.shape)
          expect(back.shape).toEqual(nx.shape)
          expect(toFlat(back)).toEqual(toFlat(x))
        },
      ),
      { seed: 0x1a7001, numRuns: 150 },
    )
  })

  it('infers one -1 dimension from the element count', () => {
    fc.assert(
      fc.property(
        arbShape({ minRank: 1, maxRank: 4, minDim: 1, maxDim: 4 }).chain((s) =>
          fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 })),
        ),
        ([shape, at]) => {
          const target = shape.map((d, i) => (i === at ? -1 : d))
          expect(reshapeAny(zeros([sizeOfShape(shape)]), target).shape).toEqual(shape)
        },
      ),
      { seed: 0x1a7002, numRuns: 50 },
    )
    expect(reshapeAny(zeros([0, 3]), [-1, 3]).shape).toEqual([0, 3])
    expect(reshapeAny(zeros([]), [-1]).shape).toEqual([1])
    expect(reshapeAny(zeros([1, 1]), []).shape).toEqual([])
  })

  it('throws a ShapeError naming both shapes and element counts when the sizes differ', () => {
    expect(() => reshapeAny(zeros([2, 3]), [4])).toThrow(
      new ShapeError('reshape', 'cannot reshape [2,3] (6 elements) to [4] (4 elements)'),
    )
    expect(() => reshapeAny(zeros([2, 3]), [4, -1])).toThrow(
      new ShapeError('reshape', 'cannot reshape [2,3] (6 elements) to [4,-1]'),
    )
    expect(() => reshapeAny(zeros([2, 3]), [-1, -1])).toThrow(
      new ShapeError('reshape', 'cannot reshape [2,3] to [-1,-1]: at most one dimension may be -1'),
    )
    expect(() => reshapeAny(zeros([2, 0]), [0, -1])).toThrow(ShapeError)
    expect(() => reshapeAny(zeros([6]), [2, 3.5])).toThrow(ShapeError)
    expect(() => reshapeAny(zeros([6]), [-2, -3])).toThrow(ShapeError)
    expect(() => reshapeAny(zeros([6]), [NaN])).toThrow(ShapeError)
    expect(() => reshapeAny(zeros([6]), 6 as never)).toThrow(ShapeError)
  })
})

describe('transpose', () => {
  it('equals a naive permutation of indices, negative perm entries included, and its inverse undoes it', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 6, maxDim: 3 }).chain((s) =>
          fc.tuple(
            arbNaive(s, arbFinite),
            fc.shuffledSubarray(
              s.map((_, i) => i),
              { minLength: s.length },
            ),
            fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
            arbDType,
          ),
        ),
        ([nx, perm, negative, dtype]) => {
          const x = toTensor(nx, dtype)
          const spelled = perm.map((p, i) => (negative[i] ? p - perm.length : p))
          const y = transposeAny(x, spelled)
          const expected = naiveTranspose(toNaive(x), perm)
          expect(y.shape).toEqual(expected.shape)
          expect(toFlat(y)).toEqual(expected.data)
          const inverse = perm.map((_, i) => perm.indexOf(i))
          expect(toNaive(transposeAny(y, inverse))).toEqual(toNaive(x))
        },
      ),
      { seed: 0x1a7003, numRuns: 150 },
    )
  })

  it('reverses the axes by default', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(toArray(transpose(x))).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ])
    expect(toNaive(transposeAny(zeros([2, 3, 4])))).toEqual(
      toNaive(transposeAny(zeros([2, 3, 4]), [2, 1, 0])),
    )
  })

  it('throws an ArgumentError naming the perm and the shape for a perm that is not a permutation', () => {
    const x = zeros([2, 3])
    expect(() => transposeAny(x, [0, 0])).toThrow(
      new ArgumentError(
        'transpose',
        'perm [0,0] is not a permutation of the axes of a tensor of shape [2,3]',
      ),
    )
    expect(() => transposeAny(x, [0])).toThrow(ArgumentError)
    expect(() => transposeAny(x, [0, 1, 2])).toThrow(ArgumentError)
    expect(() => transposeAny(x, [0, 2])).toThrow(
      new ArgumentError('transpose', 'perm entry 2 is out of range for a tensor of rank 2'),
    )
  })
})

describe('broadcastTo, expandDims, squeeze', () => {
  it('broadcastTo equals explicit expansion', () => {
    fc.assert(
      fc.property(
        arbBroadcastPair({ maxRank: 6, maxDim: 3 }).chain(([s, t]) =>
          fc.tuple(arbNaive(s, arbSmallInt), fc.constant(t)),
        ),
        ([nx, other]) => {
          // the broadcast of both shapes is a valid target for x
          const target = naiveBroadcastShape(nx.shape, other)!
          const out = broadcastTo(toTensor(nx), target)
          expect(out.shape).toEqual(target)
          expect(toFlat(out)).toEqual(expand(nx, target))
        },
      ),
      { seed: 0x1a7004, numRuns: 120 },
    )
  })

  it('broadcastTo throws a ShapeError naming both shapes', () => {
    expect(() => broadcastTo(zeros([2, 3]), [3, 3])).toThrow(
      new ShapeError(
        'broadcastTo',
        'cannot broadcast [2,3] with [3,3]: axis 0 (aligned from the right) is 2 vs 3; dimensions must be equal or 1',
      ),
    )
    expect(() => broadcastTo(zeros([2, 3]), [3])).toThrow(
      new ShapeError('broadcastTo', 'cannot broadcast [2,3] to [3]'),
    )
    expect(() => broadcastTo(zeros([3]), [-3])).toThrow(ShapeError)
  })

  it('expandDims then squeeze at the same axis is the identity', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 5, maxDim: 3 }).chain((s) =>
          fc.tuple(arbNaive(s), fc.integer({ min: -(s.length + 1), max: s.length })),
        ),
        ([nx, axis]) => {
          const x = toTensor(nx)
          const e = expandDims(x, axis)
          const a = axis < 0 ? axis + nx.shape.length + 1 : axis
          expect(e.shape).toEqual([...nx.shape.slice(0, a), 1, ...nx.shape.slice(a)])
          expect(toNaive(squeeze(e, axis))).toEqual(toNaive(x))
        },
      ),
      { seed: 0x1a7005, numRuns: 80 },
    )
    expect(squeeze(zeros([1, 3, 1])).shape).toEqual([3])
    // @ts-expect-error: axis 0 has size 2 in [2,3], not 1
    expect(() => squeeze(zeros([2, 3]), 0)).toThrow(
      new ShapeError('squeeze', 'axis 0 has size 2 in [2,3], not 1'),
    )
    // @ts-expect-error: expandDims: axis 3 is out of range for [2] (the result has rank 2)
    expect(() => expandDims(zeros([2]), 3)).toThrow(ArgumentError)
  })
})

/** A shape with random begin ≤ end bounds per axis, spelled with negative numbers sometimes. */
const arbSliceCase = arbShape({ minRank: 1, maxRank: 5, maxDim: 4 }).chain((s) =>
  fc.tuple(
    arbNaive(s, arbFinite),
    fc.tuple(
      ...s.map((d) =>
        fc
          .tuple(fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d }), fc.boolean(), fc.boolean())
          .map(([p, q, nb, ne]) => {
            const [b, e] = [Math.min(p, q), Math.max(p, q)]
            return { b, e, begin: nb && b < d ? b - d : b, end: ne && e < d ? e - d : e }
          }),
      ),
    ),
    arbDType,
  ),
)

describe('slice and pad', () => {
  it('slice equals a naive block copy (negative bounds count from the end)', () => {
    fc.assert(
      fc.property(arbSliceCase, ([nx, bounds, dtype]) => {
        const x = toTensor(nx, dtype)
        const out = slice(
          x,
          bounds.map((b) => b.begin),
          bounds.map((b) => b.end),
        )
        const expected = naiveSlice(
          toNaive(x),
          bounds.map((b) => b.b),
          bounds.map((b) => b.e),
        )
        expect(out.shape).toEqual(expected.shape)
        expect(toFlat(out)).toEqual(expected.data)
      }),
      { seed: 0x1a7006, numRuns: 150 },
    )
    expect(toFlat(slice(tensor([1, 2, 3]), [1]))).toEqual([2, 3])
    expect(toFlat(slice(tensor(5), [], []))).toEqual([5])
  })

  it('slice throws an ArgumentError for bounds out of range, reversed or of the wrong rank', () => {
    const x = zeros([2, 3])
    // @ts-expect-error: begin[1] = 4 is out of range for an axis of size 3 in [2,3]
    expect(() => slice(x, [0, 4], [2, 3])).toThrow(
      new ArgumentError('slice', 'begin[1] = 4 is out of range for an axis of size 3'),
    )
    // @ts-expect-error: begin[1] = 2 is after end[1] = 1 in [2,3]
    expect(() => slice(x, [0, 2], [2, 1])).toThrow(
      new ArgumentError('slice', 'begin[1] = 2 is after end[1] = 1 in [2,3]'),
    )
    // @ts-expect-error: begin and end must have one entry per axis of [2,3]
    expect(() => slice(x, [0], [2])).toThrow(
      new ArgumentError('slice', 'begin and end must have one entry per axis of [2,3]'),
    )
    expect(() => slice(x, [0, 0.5])).toThrow(
      new ArgumentError('slice', 'begin[1] must be an integer, got 0.5'),
    )
    // @ts-expect-error: begin[1] = -4 is out of range for an axis of size 3 in [2,3]
    expect(() => slice(x, [0, -4])).toThrow(ArgumentError)
  })

  it('pad equals a naive zero border, and slicing the border off gives back the input', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 5, maxDim: 3 }).chain((s) =>
          fc.tuple(
            arbNaive(s, arbFinite),
            fc.tuple(
              ...s.map(() => fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }))),
            ) as fc.Arbitrary<[number, number][]>,
            arbDType,
          ),
        ),
        ([nx, widths, dtype]) => {
          const x = toTensor(nx, dtype)
          const out = pad(x, widths)
          const expected = naivePad(toNaive(x), widths)
          expect(out.shape).toEqual(expected.shape)
          expect(toFlat(out)).toEqual(expected.data)
          const inner = slice(
            out,
            widths.map((w) => w[0]),
            widths.map((w, i) => w[0] + nx.shape[i]!),
          )
          expect(toNaive(inner)).toEqual(toNaive(x))
        },
      ),
      { seed: 0x1a7007, numRuns: 150 },
    )
  })

  it('pad throws an ArgumentError for widths that are negative, fractional or of the wrong rank', () => {
    // @ts-expect-error: pad: widths must be non-negative, got a negative one for [2]
    expect(() => pad(zeros([2]), [[-1, 0]])).toThrow(
      new ArgumentError(
        'pad',
        'widths must be one [before, after] pair of non-negative integers per axis of [2]',
      ),
    )
    expect(() => pad(zeros([2]), [[0.5, 0]])).toThrow(ArgumentError)
    // @ts-expect-error: pad: widths has 1 pairs but [2,2] has rank 2
    expect(() => pad(zeros([2, 2]), [[1, 1]])).toThrow(ArgumentError)
  })
})

describe('concat and stack', () => {
  const arbParts = arbShape({ minRank: 1, maxRank: 4, maxDim: 3 }).chain((s) =>
    fc
      .tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), arbDType)
      .chain(([shape, axis, dtype]) =>
        fc.tuple(
          fc.array(
            fc.integer({ min: 0, max: 3 }).chain((l) =>
              arbNaive(
                shape.map((d, j) => (j === axis ? l : d)),
                arbFinite,
              ),
            ),
            { minLength: 1, maxLength: 4 },
          ),
          fc.constant(axis),
          fc.constant(dtype),
        ),
      ),
  )

  it('concat equals a naive join along the axis (negative axis too)', () => {
    fc.assert(
      fc.property(arbParts, fc.boolean(), ([parts, axis, dtype], negative) => {
        const xs = parts.map((p) => toTensor(p, dtype))
        const rank = parts[0]!.shape.length
        const out = concat(xs, negative ? axis - rank : axis)
        const expected = naiveConcat(xs.map(toNaive), axis)
        expect(out.shape).toEqual(expected.shape)
        expect(out.dtype).toBe(dtype)
        expect(toFlat(out)).toEqual(expected.data)
      }),
      { seed: 0x1a7008, numRuns: 150 },
    )
  })

  it('concat throws naming the piece and both shapes when other dimensions differ', () => {
    // @ts-expect-error: xs[1] has shape [2,4] but xs[0] has [2,3]; only axis 0 may differ
    expect(() => concat([zeros([2, 3]), zeros([2, 4])], 0)).toThrow(
      new ShapeError('concat', 'xs[1] has shape [2,4] but xs[0] has [2,3]; only axis 0 may differ'),
    )
    // @ts-expect-error: xs[1] has shape [2] but xs[0] has [2,3]; only axis 1 may differ
    expect(() => concat([zeros([2, 3]), zeros([2])], 1)).toThrow(ShapeError)
    // @ts-expect-error: concat needs a non-empty array of tensors
    expect(() => concat([], 0)).toThrow(new ArgumentError('concat', 'needs a non-empty array of tensors'))
    // @ts-expect-error: concat: axis 1 is out of range for shape [2]
    expect(() => concat([zeros([2])], 1)).toThrow(ArgumentError)
    // @ts-expect-error: dtypes differ: float32 and float64; cast one explicitly
    expect(() => concat([zeros([2]), zeros([2], { dtype: 'float64' })])).toThrow(DTypeError)
  })

  it('stack equals a naive join of the inputs with a new axis inserted', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 4, maxDim: 3 }).chain((s) =>
          fc.tuple(
            fc.array(arbNaive(s, arbFinite), { minLength: 1, maxLength: 4 }),
            fc.integer({ min: -(s.length + 1), max: s.length }),
          ),
        ),
        ([parts, axis]) => {
          const a = axis < 0 ? axis + parts[0]!.shape.length + 1 : axis
          const out = stack(
            parts.map((p) => toTensor(p)),
            axis,
          )
          const lifted = parts.map(
            (p): Naive => ({ shape: [...p.shape.slice(0, a), 1, ...p.shape.slice(a)], data: p.data }),
          )
          const expected = naiveConcat(lifted, a)
          expect(out.shape).toEqual(expected.shape)
          expect(toFlat(out)).toEqual(expected.data)
        },
      ),
      { seed: 0x1a7009, numRuns: 100 },
    )
    // @ts-expect-error: xs[1] has shape [3] but xs[0] has [2]
    expect(() => stack([zeros([2]), zeros([3])])).toThrow(
      new ShapeError('stack', 'xs[1] has shape [3] but xs[0] has [2]'),
    )
    // @ts-expect-error: stack needs a non-empty array of tensors
    expect(() => stack([])).toThrow(ArgumentError)
  })
})

describe('gather, scatterAdd and oneHot', () => {
  const arbGatherCase = arbShape({ minRank: 1, maxRank: 4, maxDim: 3 })
    .filter((s) => s.some((d) => d > 0))
    .chain((s) =>
      fc
        .integer({ min: 0, max: s.length - 1 })
        .filter((axis) => s[axis]! > 0)
        .chain((axis) =>
          fc.tuple(
            arbNaive(s, arbFinite),
            fc.constant(axis),
            arbShape({ maxRank: 2, maxDim: 3 }).chain((is) =>
              arbNaive(is, fc.integer({ min: 0, max: s[axis]! - 1 })),
            ),
            arbDType,
          ),
        ),
    )

  it('gather equals naive indexing for index tensors of rank 0 to 2', () => {
    fc.assert(
      fc.property(arbGatherCase, ([nx, axis, ni, dtype]) => {
        const x = toTensor(nx, dtype)
        const out = gather(x, toTensor(ni, 'float32'), axis)
        const expected = naiveGather(toNaive(x), ni, axis)
        expect(out.shape).toEqual(expected.shape)
        expect(out.dtype).toBe(dtype)
        expect(toFlat(out)).toEqual(expected.data)
      }),
      { seed: 0x1a700a, numRuns: 150 },
    )
    expect(
      toArray(
        gather(
          tensor([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
          [2, 0],
        ),
      ),
    ).toEqual([
      [5, 6],
      [1, 2],
    ])
  })

  it('scatterAdd equals a naive accumulation and is the transpose of gather: ⟨gather(x), v⟩ = ⟨x, scatterAdd(v)⟩', () => {
    fc.assert(
      fc.property(
        arbGatherCase.chain(([nx, axis, ni]) =>
          fc.tuple(
            fc.constant(nx),
            fc.constant(axis),
            fc.constant(ni),
            arbNaive([...nx.shape.slice(0, axis), ...ni.shape, ...nx.shape.slice(axis + 1)], arbSmallInt),
          ),
        ),
        ([nx, axis, ni, nv]) => {
          const indices = toTensor(ni)
          const out = scatterAdd(toTensor(nv), indices, axis, nx.shape)
          const expected = naiveScatterAdd(nv, ni, axis, nx.shape)
          expect(out.shape).toEqual(nx.shape)
          expect(toFlat(out)).toEqual(expected.data)
          const xi = nx.data.map((v) => Math.round(v))
          const gathered = toFlat(gather(toTensor({ shape: nx.shape, data: xi }), indices, axis))
          const left = gathered.reduce((acc, g, i) => acc + g * nv.data[i]!, 0)
          const right = toFlat(out).reduce((acc, s, i) => acc + s * xi[i]!, 0)
          expect(left).toBe(right)
        },
      ),
      { seed: 0x1a700b, numRuns: 150 },
    )
    expect(toFlat(scatterAdd(tensor([1, 2, 3]), [0, 0, 2], 0, [3]))).toEqual([3, 0, 3])
  })

  it('gather and scatterAdd throw an ArgumentError naming the bad index', () => {
    expect(() => gather(zeros([3]), [0, 3])).toThrow(
      new ArgumentError('gather', 'indices[1] is 3, not an integer in [0, 3)'),
    )
    expect(() => gather(zeros([3]), [0.5])).toThrow(
      new ArgumentError('gather', 'indices[0] is 0.5, not an integer in [0, 3)'),
    )
    expect(() => gather(zeros([3]), [-1])).toThrow(ArgumentError)
    expect(() => gather(zeros([3]), [NaN])).toThrow(ArgumentError)
    // @ts-expect-error: axis 1 is out of range for shape [3]
    expect(() => gather(zeros([3]), [0], 1)).toThrow(ArgumentError)
    expect(() => scatterAdd(zeros([2]), [0, 5], 0, [3])).toThrow(
      new ArgumentError('scatterAdd', 'indices[1] is 5, not an integer in [0, 3)'),
    )
    expect(() => scatterAdd(zeros([3]), [0, 1], 0, [3])).toThrow(
      new ShapeError('scatterAdd', 'values has shape [3] but indices [2] into [3] along axis 0 need [2]'),
    )
  })

  it('oneHot equals a naive indicator, in the dtype of the labels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((depth) =>
          fc.tuple(
            arbShape({ maxRank: 3, maxDim: 3 }).chain((s) =>
              arbNaive(s, fc.integer({ min: 0, max: depth - 1 })),
            ),
            fc.constant(depth),
            arbDType,
          ),
        ),
        ([nl, depth, dtype]) => {
          const out = oneHot(toTensor(nl, dtype), depth)
          expect(out.shape).toEqual([...nl.shape, depth])
          expect(out.dtype).toBe(dtype)
          expect(toFlat(out)).toEqual(
            nl.data.flatMap((l) => Array.from({ length: depth }, (_, i) => (i === l ? 1 : 0))),
          )
        },
      ),
      { seed: 0x1a700c, numRuns: 80 },
    )
    expect(() => oneHot(tensor([0, 3]), 3)).toThrow(
      new ArgumentError('oneHot', 'labels[1] is 3, not an integer in [0, 3)'),
    )
    // @ts-expect-error: oneHot: depth must be a positive integer, got 0
    expect(() => oneHot(tensor([0]), 0)).toThrow(
      new ArgumentError('oneHot', 'depth must be a positive integer, got 0'),
    )
  })
})

describe('cast', () => {
  it('rounds to float32 like Math.fround and widens to float64 exactly', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 3 }).chain((s) => arbNaive(s, fc.double({ noNaN: false }))),
        (nx) => {
          const x64 = toTensor(nx, 'float64')
          const x32 = cast(x64, 'float32')
          expect(x32.dtype).toBe('float32')
          expect(toFlat(x32)).toEqual(nx.data.map(Math.fround))
          const back = cast(x32, 'float64')
          expect(back.dtype).toBe('float64')
          expect(toFlat(back)).toEqual(toFlat(x32))
          expect(toFlat(cast(x64, 'float64'))).toEqual(nx.data)
        },
      ),
      { seed: 0x1a700d, numRuns: 80 },
    )
    expect(() => cast(zeros([1]), 'int32' as never)).toThrow(
      new ArgumentError('cast', "dtype must be 'float32' or 'float64', got \"int32\""),
    )
  })
})
