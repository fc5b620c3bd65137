/**
 * The op set as a whole: every op leaves its inputs bit-for-bit unchanged, returns a frozen tensor,
 * and a result stays unchanged while later ops run (no storage is reused behind a live tensor).
 * Every export of src/tensor/ops.ts and of each family's ops (test/support/families.ts) gets a case: an op that applies one registered elementwise
 * primitive of its own name (`tanh`, `add`) gets one from its arity; every other op must be named in
 * the table, or the first test fails — so a new op cannot skip these checks.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AnyTensor, isTensor, tensor, toFlat, zeros } from '../../src/index.js'
import { arbDType, arbNaive, arbShape, toTensor } from '../support/arbitraries.js'
import { ops, primitives } from '../support/families.js'

type Any = (...args: unknown[]) => AnyTensor
const byName = { ...ops } as unknown as Record<keyof typeof ops, Any>
const op = (name: keyof typeof ops): Any => byName[name]

/** Any tensor as one row of one image, `[1, 1, 1, size]`. */
const row = (t: AnyTensor): AnyTensor => ops.reshape(t, [1, 1, 1, -1])
const convParams = {
  stride: [1, 1],
  padding: [
    [0, 0],
    [0, 0],
  ],
  dilation: [1, 1],
  groups: 1,
} as const
const poolParams = {
  window: [1, 1],
  stride: [1, 1],
  padding: [
    [0, 0],
    [0, 0],
  ],
} as const

/** A case: the tensors an op reads, and the call. `x` and `y` share a shape (rank ≥ 1, dims ≥ 1) and dtype. */
type Case = (x: AnyTensor, y: AnyTensor) => { inputs: AnyTensor[]; run: () => AnyTensor }

const unary =
  (name: keyof typeof ops): Case =>
  (x) => ({ inputs: [x], run: () => op(name)(x) })
const binary =
  (name: keyof typeof ops): Case =>
  (x, y) => ({ inputs: [x, y], run: () => op(name)(x, y) })
const reduction =
  (name: keyof typeof ops): Case =>
  (x) => ({ inputs: [x], run: () => op(name)(x, -1, { keepdims: true }) })

/** The cases of the ops that are more than one elementwise primitive applied as is. */
const explicit: Partial<Record<keyof typeof ops, Case>> = {
  square: unary('square'),
  softplus: unary('softplus'),
  logSigmoid: unary('logSigmoid'),
  softmax: unary('softmax'),
  logSoftmax: unary('logSoftmax'),
  sum: reduction('sum'),
  mean: reduction('mean'),
  max: reduction('max'),
  min: reduction('min'),
  logsumexp: reduction('logsumexp'),
  clip: (x) => ({ inputs: [x], run: () => ops.clip(x, -0.5, 0.5) }),
  where: (x, y) => ({ inputs: [x, y], run: () => op('where')(ops.greater(x, 0), x, y) }),
  matmul: (x, y) => ({
    inputs: [x, y],
    run: () => op('matmul')(ops.expandDims(x, -1), ops.expandDims(y, -2)),
  }),
  einsum: (x, y) => {
    const labels = 'abcdefgh'.slice(0, x.shape.length)
    return { inputs: [x, y], run: () => op('einsum')(`${labels},${labels}->${labels[0]}`, x, y) }
  },
  matmulTransposed: (x, y) => ({
    inputs: [x, y],
    run: () => ops.matmulTransposed(ops.expandDims(x, -2), ops.expandDims(y, -2), { transposeA: true }),
  }),
  reshape: (x) => ({ inputs: [x], run: () => op('reshape')(x, [-1]) }),
  transpose: (x) => ({ inputs: [x], run: () => op('transpose')(x) }),
  broadcastTo: (x) => ({ inputs: [x], run: () => ops.broadcastTo(x, [2, ...x.shape]) }),
  expandDims: (x) => ({ inputs: [x], run: () => ops.expandDims(x, 0) }),
  squeeze: (x) => ({ inputs: [x], run: () => ops.squeeze(ops.expandDims(x, 0), 0) }),
  slice: (x) => ({
    inputs: [x],
    run: () =>
      ops.slice(
        x,
        x.shape.map(() => 0),
        x.shape.map((d) => d - 1),
      ),
  }),
  pad: (x) => ({
    inputs: [x],
    run: () =>
      ops.pad(
        x,
        x.shape.map(() => [1, 2] as const),
      ),
  }),
  concat: (x, y) => ({ inputs: [x, y], run: () => ops.concat([x, y], -1) }),
  stack: (x, y) => ({ inputs: [x, y], run: () => ops.stack([x, y], 0) }),
  gather: (x) => {
    const indices = tensor([0, x.shape[0]! - 1, 0])
    return { inputs: [x, indices], run: () => ops.gather(x, indices, 0) }
  },
  scatterAdd: (x) => {
    const indices = zeros([x.shape[0]!])
    return { inputs: [x, indices], run: () => ops.scatterAdd(x, indices, 0, x.shape) }
  },
  oneHot: (x) => {
    const labels = ops.greater(x, 0) as AnyTensor
    return { inputs: [labels], run: () => ops.oneHot(labels, 2) }
  },
  cast: (x) => ({ inputs: [x], run: () => ops.cast(x, x.dtype === 'float32' ? 'float64' : 'float32') }),
  conv2d: (x, y) => ({ inputs: [x, y], run: () => op('conv2d')(row(x), row(y)) }),
  conv2dWithParams: (x, y) => ({
    inputs: [x, y],
    run: () => ops.conv2dWithParams(row(x), row(y), convParams),
  }),
  conv2dInputGrad: (x, y) => ({
    inputs: [x, y],
    run: () =>
      ops.conv2dInputGrad(row(x), ops.reshape(ops.sum(y), [1, 1, 1, 1]), {
        ...convParams,
        inputSize: [1, x.size],
      }),
  }),
  conv2dFilterGrad: (x, y) => ({
    inputs: [x, y],
    run: () => ops.conv2dFilterGrad(row(x), row(y), { ...convParams, kernelSize: [1, 1] }),
  }),
  maxPool2d: (x) => ({
    inputs: [x],
    run: () =>
      ops.maxPool2d(row(x), {
        window: [1, 2],
        padding: [
          [0, 0],
          [0, 1],
        ],
      }),
  }),
  maxPool2dGrad: (x, y) => ({
    inputs: [x, y],
    run: () => ops.maxPool2dGrad(row(x), row(y), { ...poolParams, window: [1, 1] }),
  }),
  avgPool2d: (x) => ({
    inputs: [x],
    run: () =>
      ops.avgPool2d(row(x), {
        window: [1, 2],
        padding: [
          [0, 0],
          [1, 0],
        ],
      }),
  }),
  patches2d: (x) => ({ inputs: [x], run: () => ops.patches2d(row(x), { ...poolParams, padValue: 0 }) }),
  patches2dTranspose: (x) => ({
    inputs: [x],
    run: () =>
      ops.patches2dTranspose(ops.reshape(x, [1, 1, 1, -1, 1, 1]), { ...poolParams, inputSize: [1, x.size] }),
  }),
}

/** An op that applies the registered elementwise primitive of its name gets its case from its arity. */
const derived = (name: keyof typeof ops): Case | undefined =>
  primitives.some((p) => p.name === name && p.elementwise === true)
    ? op(name).length === 1
      ? unary(name)
      : binary(name)
    : undefined

const cases = Object.fromEntries(
  (Object.keys(ops) as (keyof typeof ops)[]).flatMap((name) => {
    const found = explicit[name] ?? derived(name)
    return found === undefined ? [] : [[name, found] as const]
  }),
) as Partial<Record<keyof typeof ops, Case>>

/** Everything observable about a tensor: shape, dtype and each value (NaN and −0 compared with Object.is). */
const snapshot = (t: AnyTensor) => ({ shape: [...t.shape], dtype: t.dtype, values: toFlat(t) })
const sameSnapshot = (a: ReturnType<typeof snapshot>, b: ReturnType<typeof snapshot>): boolean =>
  a.dtype === b.dtype &&
  a.shape.length === b.shape.length &&
  a.shape.every((d, i) => d === b.shape[i]) &&
  a.values.length === b.values.length &&
  a.values.every((v, i) => Object.is(v, b.values[i]))

const arbPair = arbShape({ minRank: 1, maxRank: 4, minDim: 1, maxDim: 3 }).chain((s) =>
  fc.tuple(
    arbNaive(s, fc.double({ min: -3, max: 3 })),
    arbNaive(s, fc.oneof(fc.double({ min: -3, max: 3 }), fc.constantFrom(NaN, -0, Infinity))),
    arbDType,
  ),
)

describe('the op set', () => {
  it('has a case for every op', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(ops).sort())
  })

  describe.each(Object.keys(cases) as (keyof typeof ops)[])('%s', (name) => {
    it('leaves its inputs bit-for-bit unchanged, returns a frozen tensor, and its result survives later ops', () => {
      fc.assert(
        fc.property(arbPair, ([nx, ny, dtype]) => {
          const { inputs, run } = cases[name]!(toTensor(nx, dtype), toTensor(ny, dtype))
          const before = inputs.map(snapshot)
          const out = run()
          expect(isTensor(out)).toBe(true)
          expect(Object.isFrozen(out)).toBe(true)
          expect(Object.isFrozen(out.shape)).toBe(true)
          inputs.forEach((t, i) => {
            expect(sameSnapshot(snapshot(t), before[i]!)).toBe(true)
          })
          const result = snapshot(out)
          // run it again and a few other ops: the first result must not change underneath
          run()
          ops.add(inputs[0]!, inputs[0]!)
          ops.neg(out)
          expect(sameSnapshot(snapshot(out), result)).toBe(true)
          inputs.forEach((t, i) => {
            expect(sameSnapshot(snapshot(t), before[i]!)).toBe(true)
          })
        }),
        { seed: 0x0b5e01, numRuns: 25 },
      )
    })
  })
})
