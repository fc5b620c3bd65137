/**
 * Random programs, steps: the step kinds a program is decoded from, simplest first (shrinking moves toward step 0).
 *
 * @module programs/steps
 */
import type { DType, Shape } from '../../tensor/internal.js'
import {
  binary,
  broadcastable,
  call,
  type Expr,
  indicesFrom,
  op,
  permutations,
  plusConstant,
  probesOf,
  scalarOp,
  sizeOf,
  softplus,
  square,
  tryBroadcast,
  unary,
} from './expr.js'

export type StepBuilder = (x: Expr, y: Expr, z: Expr, p: number, dtype: DType) => Expr

/** The step kinds, simplest first (shrinking moves toward op 0). */
export const builders: readonly (readonly [string, StepBuilder])[] = [
  ['add', (x, y) => binary('add', x, y, (a, b) => a + b)],
  ['neg', (x) => unary('neg', x, x.bound)],
  ['sub', (x, y) => binary('sub', x, y, (a, b) => a + b)],
  ['mul', (x, y) => binary('mul', x, y, (a, b) => a * b)],
  [
    'smooth',
    (x, _y, _z, p) => {
      const name = ['sin', 'cos', 'tanh', 'sigmoid'][p % 4]!
      return unary(name, x, 1)
    },
  ],
  ['square', (x) => square(x)],
  [
    'div',
    (x, y0) => {
      const y = broadcastable(x, y0)
      const denominator = plusConstant(square(y), 1)
      return call('div', [x, denominator], tryBroadcast(x.shape, y.shape)!, x.bound)
    },
  ],
  [
    'exp',
    (x) => (x.bound <= 3 ? unary('exp', x, Math.exp(x.bound)) : unary('exp', unary('tanh', x, 1), Math.E)),
  ],
  [
    'log',
    (x, _y, _z, p) => {
      switch (p % 4) {
        case 0:
          return unary('log', plusConstant(square(x), 1), Math.log1p(x.bound * x.bound))
        case 1:
          return unary('log', softplus(x), x.bound + 1)
        case 2:
          return unary('log1p', square(x), Math.log1p(x.bound * x.bound))
        default:
          return unary('log', plusConstant(unary('abs', x, x.bound), 1), Math.log1p(x.bound))
      }
    },
  ],
  [
    'sqrt',
    (x, _y, _z, p) =>
      p % 2 === 0
        ? unary('sqrt', plusConstant(square(x), 1), Math.sqrt(1 + x.bound * x.bound))
        : unary('sqrt', softplus(x), Math.sqrt(x.bound + 1)),
  ],
  [
    'kink',
    (x, _y, _z, p) => {
      const name = ['abs', 'relu', 'sign'][p % 3]!
      return unary(name, x, name === 'sign' ? 1 : x.bound)
    },
  ],
  ['extremum', (x, y, _z, p) => binary(p % 2 === 0 ? 'maximum' : 'minimum', x, y, (a, b) => Math.max(a, b))],
  [
    'pow',
    (x, y0, _z, p) => {
      if (p % 3 === 0) return scalarOp('pow', x, 2, x.bound ** 2)
      if (p % 3 === 1) return scalarOp('pow', x, 3, x.bound ** 3)
      const y = broadcastable(x, y0)
      const base = plusConstant(square(x), 0.5)
      return call(
        'pow',
        [base, unary('tanh', y, 1)],
        tryBroadcast(x.shape, y.shape)!,
        Math.max(2, base.bound),
      )
    },
  ],
  [
    'where',
    (x, y0, z0, p) => {
      const y = broadcastable(x, y0)
      const shape = tryBroadcast(x.shape, y.shape)!
      const z =
        tryBroadcast(shape, z0.shape) !== undefined ? z0 : call('sum', [z0], [], z0.bound * sizeOf(z0.shape))
      const condition = scalarOp('greater', z, 0, 1)
      const out = tryBroadcast(shape, z.shape)!
      if (p % 2 === 0) return call('mul', [x, condition], tryBroadcast(x.shape, z.shape)!, x.bound)
      if (p % 4 === 3) {
        // a guarded pole: x·√(z + 1/√2) is NaN where z < −1/√2, which the where never selects, so
        // its gradient there must be a strong zero (not 0 · NaN). (An offset no step can produce
        // exactly: at the pole itself, √0 after clip(z) = −½, the second derivative of a strong zero
        // is still NaN; see the note of issue 15.)
        const root = unary('sqrt', plusConstant(z, Math.SQRT1_2), Math.sqrt(z.bound + Math.SQRT1_2))
        const guarded = call('mul', [x, root], tryBroadcast(x.shape, z.shape)!, x.bound * root.bound)
        return call('where', [condition, guarded, y], out, Math.max(guarded.bound, y.bound))
      }
      return call('where', [condition, x, y], out, Math.max(x.bound, y.bound))
    },
  ],
  [
    'reduce',
    (x, _y, _z, p) => {
      const kinds = ['sum', 'max', 'min', 'mean', 'logsumexp'] as const
      const kind = kinds[p % 5]!
      const keepdims = (p >> 3) % 2 === 1
      const rank = x.shape.length
      const axis = rank === 0 ? undefined : (p >> 4) % rank
      const shape =
        axis === undefined
          ? keepdims
            ? x.shape.map(() => 1)
            : []
          : keepdims
            ? x.shape.map((d, i) => (i === axis ? 1 : d))
            : x.shape.filter((_, i) => i !== axis)
      const n = axis === undefined ? sizeOf(x.shape) : x.shape[axis]!
      const bound = kind === 'sum' ? x.bound * n : kind === 'logsumexp' ? x.bound + Math.log(n) : x.bound
      const options = { keepdims }
      return {
        text: `${kind}(${x.text}, ${axis === undefined ? 'undefined' : axis}, { keepdims: ${keepdims} })`,
        shape,
        bound,
        run: (env) => op[kind]!(x.run(env), axis, options),
        probes: probesOf(x),
      }
    },
  ],
  [
    'softmax',
    (x, _y, _z, p) => {
      if (x.shape.length === 0) return unary('sigmoid', x, 1)
      const axis = (p >> 1) % x.shape.length
      return p % 2 === 0
        ? scalarOp('softmax', x, axis, 1)
        : scalarOp('logSoftmax', x, axis, 2 * x.bound + Math.log(x.shape[axis]!))
    },
  ],
  ['logistic', (x, _y, _z, p) => (p % 2 === 0 ? softplus(x) : unary('logSigmoid', x, x.bound + 1))],
  [
    'reshape',
    (x, _y, _z, p) => {
      const variants = [[-1], [1, ...x.shape], [...x.shape].reverse(), [...x.shape, 1]]
      const target = variants[p % variants.length]!
      const shape = target[0] === -1 ? [sizeOf(x.shape)] : target
      return call('reshape', [x], shape, x.bound, [target])
    },
  ],
  [
    'transpose',
    (x, _y, _z, p) => {
      const rank = x.shape.length
      if (rank < 2) return call('expandDims', [x], [1, ...x.shape], x.bound, [0])
      const perms = permutations(rank)
      const perm = perms[p % perms.length]!
      return call(
        'transpose',
        [x],
        perm.map((i) => x.shape[i]!),
        x.bound,
        [perm],
      )
    },
  ],
  [
    'slice',
    (x, _y, _z, p) => {
      const axes = x.shape.flatMap((d, i) => (d > 1 ? [i] : []))
      if (axes.length === 0) return pad(x, p)
      const axis = axes[p % axes.length]!
      const d = x.shape[axis]!
      const begin = x.shape.map((_, i) => (i === axis && (p >> 2) % 2 === 0 ? 1 : 0))
      const end = x.shape.map((e, i) => (i === axis && (p >> 2) % 2 === 1 ? e - 1 : e))
      const shape = x.shape.map((e, i) => (i === axis ? d - 1 : e))
      return call('slice', [x], shape, x.bound, [begin, end])
    },
  ],
  ['pad', (x, _y, _z, p) => pad(x, p)],
  [
    'concat',
    (x, y, _z, p) => {
      if (x.shape.length === 0) return call('reshape', [x], [1], x.bound, [[1]])
      const axis = p % x.shape.length
      const other = sameShapeExcept(x.shape, y.shape, axis) ? y : unary('neg', x, x.bound)
      const shape = x.shape.map((d, i) => (i === axis ? d + other.shape[axis]! : d))
      return {
        text: `concat([${x.text}, ${other.text}], ${axis})`,
        shape,
        bound: Math.max(x.bound, other.bound),
        run: (env) => op.concat!([x.run(env), other.run(env)], axis),
        probes: probesOf(x, other),
      }
    },
  ],
  [
    'stack',
    (x, y, _z, p) => {
      const axis = p % (x.shape.length + 1)
      const other = sameShapeExcept(x.shape, y.shape, -1) ? y : unary('cos', x, 1)
      const shape = [...x.shape.slice(0, axis), 2, ...x.shape.slice(axis)]
      return {
        text: `stack([${x.text}, ${other.text}], ${axis})`,
        shape,
        bound: Math.max(x.bound, other.bound),
        run: (env) => op.stack!([x.run(env), other.run(env)], axis),
        probes: probesOf(x, other),
      }
    },
  ],
  [
    'broadcastTo',
    (x, _y, _z, p) => {
      const shape = [1 + (p % 2), ...x.shape.map((d, i) => (d === 1 && (p >> (i + 1)) % 2 === 1 ? 2 : d))]
      return call('broadcastTo', [x], shape, x.bound, [shape])
    },
  ],
  [
    'gather',
    (x, _y, _z, p) => {
      if (x.shape.length === 0) return call('reshape', [x], [1], x.bound, [[1]])
      const axis = p % x.shape.length
      const indices = indicesFrom(p >> 2, 1 + ((p >> 1) % 3), x.shape[axis]!)
      const shape = x.shape.map((d, i) => (i === axis ? indices.length : d))
      return call('gather', [x], shape, x.bound, [indices, axis])
    },
  ],
  [
    'scatterAdd',
    (x, _y, _z, p) => {
      if (x.shape.length === 0) return call('reshape', [x], [1, 1], x.bound, [[1, 1]])
      const axis = p % x.shape.length
      const length = 1 + ((p >> 2) % 3)
      const count = x.shape[axis]!
      const indices = indicesFrom(p >> 4, count, length)
      const shape = x.shape.map((d, i) => (i === axis ? length : d))
      return call('scatterAdd', [x], shape, x.bound * count, [indices, axis, shape])
    },
  ],
  [
    'matmul',
    (x, y, _z, p) => {
      const [rx, ry] = [x.shape.length, y.shape.length]
      if (rx >= 2 && ry >= 2) {
        const batch = tryBroadcast(x.shape.slice(0, -2), y.shape.slice(0, -2))
        const k = x.shape[rx - 1]!
        if (batch !== undefined && y.shape[ry - 2] === k)
          return call('matmul', [x, y], [...batch, x.shape[rx - 2]!, y.shape[ry - 1]!], k * x.bound * y.bound)
        if (batch !== undefined && y.shape[ry - 1] === k) {
          const flags = { transposeB: true }
          return call(
            'matmulTransposed',
            [x, y],
            [...batch, x.shape[rx - 2]!, y.shape[ry - 2]!],
            k * x.bound * y.bound,
            [flags],
          )
        }
      }
      // an outer product of the flattened operands (the size guard sums it down if large)
      const column = call('reshape', [x], [sizeOf(x.shape), 1], x.bound, [[-1, 1]])
      const row = call('reshape', [y], [1, sizeOf(y.shape)], y.bound, [[1, -1]])
      return p % 2 === 0
        ? call('matmul', [column, row], [sizeOf(x.shape), sizeOf(y.shape)], x.bound * y.bound)
        : call('matmulTransposed', [row, column], [sizeOf(y.shape), sizeOf(x.shape)], x.bound * y.bound, [
            { transposeA: true, transposeB: true },
          ])
    },
  ],
  ['clip', (x) => call('clip', [x], x.shape, Math.min(x.bound, 0.5), [-0.5, 0.5])],
  [
    'cast',
    (x, _y, _z, _p, dtype) => {
      const other: DType = dtype === 'float64' ? 'float32' : 'float64'
      return call('cast', [call('cast', [x], x.shape, x.bound, [other])], x.shape, x.bound, [dtype])
    },
  ],
]

export const sameShapeExcept = (a: Shape, b: Shape, axis: number): boolean =>
  a.length === b.length && a.every((d, i) => i === axis || d === b[i])

export const pad = (x: Expr, p: number): Expr => {
  if (x.shape.length === 0) return call('reshape', [x], [1], x.bound, [[1]])
  const axis = p % x.shape.length
  const before = (p >> 2) % 2
  const after = 1 - before + ((p >> 3) % 2)
  const widths = x.shape.map((_, i) => (i === axis ? [before, after] : [0, 0]))
  const shape = x.shape.map((d, i) => (i === axis ? d + before + after : d))
  return call('pad', [x], shape, x.bound, [widths])
}
