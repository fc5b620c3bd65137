/**
 * Random programs: a fast-check generator of random compositions of nabla's primitives and ops
 * over random broadcast-compatible shapes, for fuzzing the differentiation engine. A generated
 * `Program` is a printable description (`v3 = mul(v0, sum(v2, 1))`, one line per step) and a
 * function `run(inputs) → tensor`.
 *
 * Programs are decoded from plain random choices (an op number and operand numbers per step), so
 * fast-check shrinks a failing program toward fewer steps, earlier operands and simpler ops while
 * every shrunk program stays valid. Domains are kept safe, so finite differences are valid:
 * - `log` and `sqrt` see `1 + x²`, `softplus(x)` or `|x| + 1`; division is by `1 + y²`; `pow` raises
 *   `x² + ½` to a bounded exponent, or any base to an integer power;
 * - every value carries a bound on its magnitude; `exp` is applied to `tanh(x)` once the bound
 *   passes 3, and a value whose bound passes 8 is scaled down by a power of two (exact);
 * - values larger than 32 elements are summed over their first axis;
 * - input values are distinct and away from 0 (no ties for max/min/maximum, no condition of
 *   `where` or kink of `relu`/`abs` at an input).
 *
 * Laws the fuzzer checks with it (`npm run fuzz`, and a fixed-seed slice in CI): `checkGrads`
 * passes at order 1 and 2 in float64; inputs are bit-for-bit unchanged; the value under a trace
 * equals the value without one.
 *
 * @module programs
 */
import * as fc from 'fast-check'
import { type CheckOptions, checkGrads, describeMismatch } from '../grad/check.js'
import { flatten } from '../grad/tree.js'
import { grad, vjp } from '../grad/vjp.js'
import type { DType, Shape, Tensor } from '../tensor/internal.js'
import * as tensorOps from '../tensor/internal.js'
import {
  broadcastShapes,
  formatShape,
  makeTensor,
  ShapeError,
  storage,
  storageFrom,
  sum,
} from '../tensor/internal.js'

/**
 * Options of `arbProgram` and `arbProgramCase`.
 * @example
 * import { arbProgramCase } from 'nabla/testing'
 * arbProgramCase({ maxSteps: 8, dtypes: ['float32', 'float64'], casts: true })
 */
export interface ProgramOptions {
  /** Most program inputs (default 3, at least 1). */
  readonly maxInputs?: number
  /** Most steps (default 6). */
  readonly maxSteps?: number
  /** Largest rank of the shared base shape (default 3). */
  readonly maxRank?: number
  /** Largest dimension (default 3; dimensions are at least 1). */
  readonly maxDim?: number
  /** Dtypes programs may run in (default `['float64']`). */
  readonly dtypes?: readonly DType[]
  /** Whether steps may round-trip through the other dtype with `cast` (default false: it spoils
   * finite differences, so use it for forward-only checks). */
  readonly casts?: boolean
}

/**
 * A random program: a description and a function of its inputs.
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgram, programInputs } from 'nabla/testing'
 * const [p] = fc.sample(arbProgram(), { seed: 1, numRuns: 1 })
 * p.run(programInputs(p.inputShapes, p.dtype, 0)).shape // p.outputShape
 */
export interface Program {
  /** Shapes of the inputs `v0 … v(k−1)`. */
  readonly inputShapes: readonly Shape[]
  /** The dtype the program runs in (its inputs' dtype). */
  readonly dtype: DType
  /** One line per step: `v3 = add(v0, v1)  // [2,3]`. */
  readonly steps: readonly string[]
  /** Shape of the result. */
  readonly outputShape: Shape
  /** Runs the program (any inputs of the right shapes and dtype; traced or not). */
  readonly run: (inputs: readonly Tensor[]) => Tensor
  /**
   * How far the program is from its kinks and jumps at `inputs`: the smallest distance of an
   * argument of `abs`, `relu`, `sign`, `maximum`/`minimum` (the difference), `clip` or a `where`
   * condition from its kink or threshold (Infinity without any). Finite differences across a kink
   * are meaningless: fuzzers skip inputs with a small margin.
   */
  readonly margin: (inputs: readonly Tensor[]) => number
  /** The whole program, printable. */
  toString(): string
}

/**
 * A program together with input values for it.
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgramCase } from 'nabla/testing'
 * const [{ program, inputs }] = fc.sample(arbProgramCase(), { seed: 1, numRuns: 1 })
 * program.run(inputs)
 */
export interface ProgramCase {
  readonly program: Program
  readonly inputs: readonly Tensor[]
}

/** A loosely typed view of the op set: programs build shapes at run time. */
type AnyOp = (...args: any[]) => Tensor
const op = tensorOps as unknown as Record<string, AnyOp>

/** An expression over the environment of earlier values. */
interface Expr {
  readonly text: string
  readonly shape: Shape
  /** An upper bound on the magnitude of every element. */
  readonly bound: number
  readonly run: (env: readonly Tensor[]) => Tensor
  /** Distances to the kinks and jumps inside the expression (see `Program.margin`). */
  readonly probes?: readonly Probe[]
}

/** The distance of an expression's values from a kink or jump, at the values of the environment. */
type Probe = (env: readonly Tensor[]) => number

const smallestMagnitude = (t: Tensor): number => {
  let smallest = Infinity
  for (const v of storage(t)) smallest = Math.min(smallest, Math.abs(v))
  return smallest
}

/** Kinks and jumps of the ops programs use: where `call` finds them, it adds a probe. */
const kinkProbe = (name: string, args: readonly Expr[], extra: readonly unknown[]): Probe | undefined => {
  const [x, y] = args
  switch (name) {
    case 'abs':
    case 'relu':
    case 'sign':
      return (env) => smallestMagnitude(x!.run(env))
    case 'greater':
      return (env) => smallestMagnitude(op.sub!(x!.run(env), extra[0]))
    case 'maximum':
    case 'minimum':
      return (env) => smallestMagnitude(op.sub!(x!.run(env), y!.run(env)))
    case 'clip':
      return (env) => {
        const v = x!.run(env)
        return Math.min(smallestMagnitude(op.sub!(v, extra[0])), smallestMagnitude(op.sub!(v, extra[1])))
      }
    default:
      return undefined
  }
}

const probesOf = (...exprs: readonly Expr[]): Probe[] => exprs.flatMap((e) => e.probes ?? [])

const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1)

const tryBroadcast = (a: Shape, b: Shape): Shape | undefined => {
  try {
    return broadcastShapes('program', a, b)
  } catch (e) {
    if (e instanceof ShapeError) return undefined
    throw e
  }
}

const showExtra = (v: unknown): string => (typeof v === 'object' ? JSON.stringify(v) : String(v))

/** `name(args…, extra…)` applied to expressions. */
const call = (
  name: string,
  args: readonly Expr[],
  shape: Shape,
  bound: number,
  extra: readonly unknown[] = [],
  fn: (...xs: any[]) => Tensor = op[name]!,
): Expr => {
  const kink = kinkProbe(name, args, extra)
  return {
    text: `${name}(${[...args.map((a) => a.text), ...extra.map(showExtra)].join(', ')})`,
    shape,
    bound,
    run: (env) => fn(...args.map((a) => a.run(env)), ...extra),
    probes: kink === undefined ? probesOf(...args) : [...probesOf(...args), kink],
  }
}

const unary = (name: string, x: Expr, bound: number): Expr => call(name, [x], x.shape, bound)
const scalarOp = (name: string, x: Expr, c: number, bound: number): Expr =>
  call(name, [x], x.shape, bound, [c])

/** `y` if it broadcasts with `x`, else `sum(y)` (a scalar always does). */
const broadcastable = (x: Expr, y: Expr): Expr =>
  tryBroadcast(x.shape, y.shape) !== undefined ? y : call('sum', [y], [], y.bound * sizeOf(y.shape))

const binary = (name: string, x: Expr, y0: Expr, bound: (a: number, b: number) => number): Expr => {
  const y = broadcastable(x, y0)
  return call(name, [x, y], tryBroadcast(x.shape, y.shape)!, bound(x.bound, y.bound))
}

const square = (x: Expr): Expr => unary('square', x, x.bound * x.bound)
const softplus = (x: Expr): Expr => unary('softplus', x, x.bound + 1)
const plusConstant = (x: Expr, c: number): Expr => scalarOp('add', x, c, x.bound + Math.abs(c))

/** Keeps magnitudes moderate: scales by an exact power of two once the bound passes 8. */
const tame = (x: Expr): Expr => {
  if (!(x.bound > 8)) return x
  const scale = 2 ** -Math.ceil(Math.log2(x.bound / 4))
  return scalarOp('mul', x, scale, x.bound * scale)
}

/** Keeps results small for full-Jacobian checks: sums over the first axis above 32 elements. */
const shrinkSize = (x: Expr): Expr => {
  let e = x
  while (sizeOf(e.shape) > 32) e = call('sum', [e], e.shape.slice(1), e.bound * e.shape[0]!, [0])
  return e
}

/** Random choices one step is decoded from. */
interface StepChoice {
  readonly op: number
  readonly a: number
  readonly b: number
  readonly c: number
  readonly p: number
}

/** Indices along an axis of length `length`, `count` of them, derived from `p`. */
const indicesFrom = (p: number, count: number, length: number): number[] =>
  Array.from({ length: count }, (_, i) => (p * 7 + i * 5 + (p >> 3)) % length)

const permutations = (n: number): number[][] =>
  n <= 1
    ? [Array.from({ length: n }, (_, i) => i)]
    : permutations(n - 1).flatMap((p) =>
        Array.from({ length: n }, (_, k) => [...p.slice(0, k), n - 1, ...p.slice(k)]),
      )

type StepBuilder = (x: Expr, y: Expr, z: Expr, p: number, dtype: DType) => Expr

/** The step kinds, simplest first (shrinking moves toward op 0). */
const builders: readonly (readonly [string, StepBuilder])[] = [
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

const sameShapeExcept = (a: Shape, b: Shape, axis: number): boolean =>
  a.length === b.length && a.every((d, i) => i === axis || d === b[i])

const pad = (x: Expr, p: number): Expr => {
  if (x.shape.length === 0) return call('reshape', [x], [1], x.bound, [[1]])
  const axis = p % x.shape.length
  const before = (p >> 2) % 2
  const after = 1 - before + ((p >> 3) % 2)
  const widths = x.shape.map((_, i) => (i === axis ? [before, after] : [0, 0]))
  const shape = x.shape.map((d, i) => (i === axis ? d + before + after : d))
  return call('pad', [x], shape, x.bound, [widths])
}

/** The random choices a program is decoded from. */
interface ProgramChoice {
  readonly base: readonly number[]
  readonly inputs: readonly { readonly ones: number; readonly drop: number }[]
  readonly steps: readonly StepChoice[]
  readonly dtype: DType
}

const decode = (choice: ProgramChoice, options: ProgramOptions): Program => {
  const { base, dtype } = choice
  const inputShapes = choice.inputs.map(({ ones, drop }) =>
    base.map((d, i) => ((ones >> i) % 2 === 1 ? 1 : d)).slice(drop % (base.length + 1)),
  )
  const values: Expr[] = inputShapes.map((shape, i) => ({
    text: `v${i}`,
    shape,
    bound: 2,
    run: (env) => env[i]!,
  }))
  const lines: string[] = []
  const steps: ((env: readonly Tensor[]) => Tensor)[] = []
  const used = new Set<number>()
  const probes: Probe[] = []
  const push = (expr: Expr): void => {
    probes.push(...probesOf(expr))
    for (const [, i] of expr.text.matchAll(/\bv(\d+)\b/g)) used.add(Number(i))
    const index = values.length
    lines.push(`v${index} = ${expr.text}  // ${formatShape(expr.shape)}`)
    values.push({ text: `v${index}`, shape: expr.shape, bound: expr.bound, run: (env) => env[index]! })
    steps.push(expr.run)
  }
  const kinds = builders.filter(([name]) => options.casts === true || name !== 'cast')
  for (const step of choice.steps) {
    // operands count back from the newest value, so programs tend to be chains
    const pick = (n: number): Expr => values[values.length - 1 - (n % values.length)]!
    const [, build] = kinds[step.op % kinds.length]!
    push(tame(shrinkSize(build(pick(step.a), pick(step.b), pick(step.c), step.p, dtype))))
  }
  // fold values nothing used into the result, so every input and step matters
  const unused = values.slice(0, -1).filter((_, i) => !used.has(i))
  for (const v of unused) {
    const result = values[values.length - 1]!
    const total = call('sum', [v], [], v.bound * sizeOf(v.shape))
    push(tame(call('add', [result, total], result.shape, result.bound + total.bound)))
  }
  const last = values[values.length - 1]!
  const description = [
    `program(${inputShapes.map((s, i) => `v${i}: ${formatShape(s)}`).join(', ')}) in ${dtype}`,
    ...lines.map((l) => `  ${l}`),
    `  return v${values.length - 1}`,
  ].join('\n')
  const environment = (inputs: readonly Tensor[]): Tensor[] => {
    if (inputs.length !== inputShapes.length)
      throw new ShapeError('program', `needs ${inputShapes.length} inputs, got ${inputs.length}`)
    const env: Tensor[] = [...inputs]
    for (const step of steps) env.push(step(env))
    return env
  }
  return {
    inputShapes,
    dtype,
    steps: lines,
    outputShape: last.shape,
    run: (inputs) => environment(inputs).at(-1)!,
    margin: (inputs) => {
      const env = environment(inputs)
      return probes.reduce((m, probe) => Math.min(m, probe(env)), Infinity)
    },
    toString: () => description,
  }
}

const arbChoice = (options: ProgramOptions): fc.Arbitrary<ProgramChoice> => {
  const maxRank = options.maxRank ?? 3
  const dtypes = options.dtypes ?? ['float64']
  const dim = fc.integer({ min: 1, max: options.maxDim ?? 3 })
  return fc.record({
    // mostly rank 2 or more (fast-check's default bias would make most programs scalar)
    base: fc.oneof(fc.array(dim, { maxLength: maxRank, size: 'max' }), {
      weight: 3,
      arbitrary: fc.array(dim, { minLength: Math.min(2, maxRank), maxLength: maxRank, size: 'max' }),
    }),
    // mostly the full base shape; sometimes with size-1 dimensions or leading ones dropped
    inputs: fc.array(
      fc.record({
        ones: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, fc.nat({ max: 2 ** maxRank - 1 })),
        drop: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, fc.nat({ max: maxRank })),
      }),
      { minLength: 1, maxLength: Math.max(1, options.maxInputs ?? 3), size: 'max' },
    ),
    steps: fc.array(
      fc.record({ op: fc.nat(), a: fc.nat(), b: fc.nat(), c: fc.nat(), p: fc.nat({ max: 1023 }) }),
      { maxLength: options.maxSteps ?? 6, size: 'max' },
    ),
    dtype: fc.constantFrom(...dtypes),
  })
}

/**
 * Random programs (see the module header for what is kept safe).
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgram } from 'nabla/testing'
 * const [p] = fc.sample(arbProgram({ maxSteps: 3 }), { seed: 1, numRuns: 1 })
 * console.log(String(p)) // program(v0: [2,3]) in float64 / v1 = tanh(v0) … / return v3
 */
export const arbProgram = (options: ProgramOptions = {}): fc.Arbitrary<Program> =>
  arbChoice(options).map((choice) => decode(choice, options))

/**
 * The margin (see `Program.margin`) below which a gradient check of a program is meaningless: a
 * finite-difference step of 1e-6 moves a kink argument by at most 1e-6 times its Lipschitz
 * constant, and programs' constants keep that far below 1e3.
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgramCase, checkProgram, minimumMargin } from 'nabla/testing'
 * fc.property(arbProgramCase(), (c) => {
 *   fc.pre(c.program.margin(c.inputs) >= minimumMargin)
 *   return checkProgram(c) === undefined
 * })
 */
export const minimumMargin = 1e-3

/** mulberry32: a small seeded uniform generator for input values. */
const uniforms = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Input values for shapes: all distinct and away from 0 (a jittered ladder over [−2, 2] with an
 * even number of rungs, shuffled), so no two inputs tie and none sits on a kink at 0.
 * @example
 * import { programInputs } from 'nabla/testing'
 * programInputs([[2], []], 'float64', 7) // two tensors, three distinct values in [−2, 2]
 */
export const programInputs = (shapes: readonly Shape[], dtype: DType, seed: number): Tensor[] => {
  const next = uniforms(seed)
  const total = shapes.reduce((n, s) => n + sizeOf(s), 0)
  const rungs = total + (total % 2)
  const spacing = 4 / Math.max(rungs, 2)
  const order = Array.from({ length: rungs }, (_, i) => i)
  for (let i = rungs - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const values = order.map((r) => -2 + spacing * (r + 0.5 + 0.6 * (next() - 0.5)))
  let offset = 0
  return shapes.map((shape) => {
    const n = sizeOf(shape)
    const data = storageFrom(dtype, values.slice(offset, offset + n))
    offset += n
    return makeTensor([...shape], dtype, data)
  })
}

/**
 * A random program with input values for it (see `programInputs`).
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgramCase } from 'nabla/testing'
 * fc.assert(fc.property(arbProgramCase(), ({ program, inputs }) => program.run(inputs).dtype === 'float64'))
 */
export const arbProgramCase = (options: ProgramOptions = {}): fc.Arbitrary<ProgramCase> =>
  fc
    .tuple(arbProgram(options), fc.nat())
    .map(([program, seed]) => ({ program, inputs: programInputs(program.inputShapes, program.dtype, seed) }))

/** The bytes of a tensor's storage (for bit-for-bit comparisons). */
const bytesOf = (t: Tensor): Uint8Array => {
  const data = storage(t)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()
}

const sameBits = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i])

const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i])

/**
 * Options of `checkProgram`.
 * @example
 * import { checkProgram } from 'nabla/testing'
 * checkProgram(programCase, { order: 1, seed: 3 }) // undefined when every check passes
 */
export interface ProgramCheckOptions {
  /** Check gradients with `checkGrads` (float64 programs only; default true). */
  readonly gradients?: boolean
  /** Order of the gradient check (default 2). */
  readonly order?: 1 | 2
  /** Seed of `checkGrads`' random directions (default 0). */
  readonly seed?: number
}

/**
 * Checks one program case: the result has the predicted shape and dtype; running it twice, and
 * under a trace, gives bit-identical values; its gradient has each input's shape and dtype and is
 * finite; `checkGrads` passes at order 1 and 2 (float64 programs); and the inputs are bit-for-bit
 * unchanged afterwards. Returns a description of the first problem, or `undefined`.
 * @example
 * import * as fc from 'fast-check'
 * import { arbProgramCase, checkProgram } from 'nabla/testing'
 * fc.assert(fc.property(arbProgramCase(), (c) => checkProgram(c) === undefined), { seed: 1, numRuns: 20 })
 */
export const checkProgram = (
  { program, inputs }: ProgramCase,
  options: ProgramCheckOptions = {},
): string | undefined => {
  const before = inputs.map(bytesOf)
  const modified = (): string | undefined => {
    const changed = inputs.findIndex((t, i) => !sameBits(bytesOf(t), before[i]!))
    return changed >= 0 ? `input v${changed} was modified` : undefined
  }
  return inspect(program, inputs, options, modified) ?? modified()
}

const inspect = (
  program: Program,
  inputs: readonly Tensor[],
  options: ProgramCheckOptions,
  modified: () => string | undefined,
): string | undefined => {
  const plain = program.run(inputs)
  const changed = modified()
  if (changed !== undefined) return changed
  if (!sameShape(plain.shape, program.outputShape) || plain.dtype !== program.dtype)
    return `result is ${String(plain)}, expected shape ${formatShape(program.outputShape)} and ${program.dtype}`
  const first = bytesOf(plain)
  if (!sameBits(bytesOf(program.run(inputs)), first)) return 'two runs gave different values'
  const [traced] = vjp((xs: readonly Tensor[]) => program.run(xs), [...inputs])
  if (!sameBits(bytesOf(traced), first)) return 'the value under vjp differs from the value without a trace'
  const [gradients] = flatten(
    grad((xs: readonly Tensor[]) => sum(program.run(xs)))([...inputs]),
    'checkProgram',
  )
  for (let i = 0; i < inputs.length; i++) {
    const g = gradients[i]!
    if (!sameShape(g.shape, inputs[i]!.shape) || g.dtype !== inputs[i]!.dtype)
      return `the gradient of v${i} is ${String(g)}, expected ${String(inputs[i])}`
    if (!storage(g).every(Number.isFinite))
      return `the gradient of v${i} is not finite: ${storage(g).join(', ')}`
  }
  if (options.gradients === false || program.dtype !== 'float64') return undefined
  const checkOptions: CheckOptions = { order: options.order ?? 2, seed: options.seed ?? 0 }
  const result = checkGrads((xs: readonly Tensor[]) => program.run(xs), [...inputs], checkOptions)
  if (!result.ok)
    return `checkGrads: ${result.failures.length} of ${result.checked} derivatives disagree; first: ${describeMismatch(result.failures[0]!)}`
  return undefined
}
