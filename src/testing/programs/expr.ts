/**
 * Random programs, expr: expressions over earlier values, with magnitude bounds and kink probes, from which program steps are built.
 *
 * @module programs/expr
 */
import type { AnyTensor, Shape } from '../../tensor/internal.js'
import * as tensorOps from '../../tensor/internal.js'
import { broadcastShapes, ShapeError, storage } from '../../tensor/internal.js'

/** A loosely typed view of the op set: programs build shapes at run time. */
export type AnyOp = (...args: any[]) => AnyTensor
export const op = tensorOps as unknown as Record<string, AnyOp>

/** An expression over the environment of earlier values. */
export interface Expr {
  readonly text: string
  readonly shape: Shape
  /** An upper bound on the magnitude of every element. */
  readonly bound: number
  readonly run: (env: readonly AnyTensor[]) => AnyTensor
  /** Distances to the kinks and jumps inside the expression (see `Program.margin`). */
  readonly probes?: readonly Probe[]
}

/** The distance of an expression's values from a kink or jump, at the values of the environment. */
export type Probe = (env: readonly AnyTensor[]) => number

export const smallestMagnitude = (t: AnyTensor): number => {
  let smallest = Infinity
  for (const v of storage(t)) smallest = Math.min(smallest, Math.abs(v))
  return smallest
}

/** Kinks and jumps of the ops programs use: where `call` finds them, it adds a probe. */
export const kinkProbe = (
  name: string,
  args: readonly Expr[],
  extra: readonly unknown[],
): Probe | undefined => {
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

export const probesOf = (...exprs: readonly Expr[]): Probe[] => exprs.flatMap((e) => e.probes ?? [])

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1)

export const tryBroadcast = (a: Shape, b: Shape): Shape | undefined => {
  try {
    return broadcastShapes('program', a, b)
  } catch (e) {
    if (e instanceof ShapeError) return undefined
    throw e
  }
}

export const showExtra = (v: unknown): string => (typeof v === 'object' ? JSON.stringify(v) : String(v))

/** `name(args…, extra…)` applied to expressions. */
export const call = (
  name: string,
  args: readonly Expr[],
  shape: Shape,
  bound: number,
  extra: readonly unknown[] = [],
  fn: (...xs: any[]) => AnyTensor = op[name]!,
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

export const unary = (name: string, x: Expr, bound: number): Expr => call(name, [x], x.shape, bound)
export const scalarOp = (name: string, x: Expr, c: number, bound: number): Expr =>
  call(name, [x], x.shape, bound, [c])

/** `y` if it broadcasts with `x`, else `sum(y)` (a scalar always does). */
export const broadcastable = (x: Expr, y: Expr): Expr =>
  tryBroadcast(x.shape, y.shape) !== undefined ? y : call('sum', [y], [], y.bound * sizeOf(y.shape))

export const binary = (name: string, x: Expr, y0: Expr, bound: (a: number, b: number) => number): Expr => {
  const y = broadcastable(x, y0)
  return call(name, [x, y], tryBroadcast(x.shape, y.shape)!, bound(x.bound, y.bound))
}

export const square = (x: Expr): Expr => unary('square', x, x.bound * x.bound)
export const softplus = (x: Expr): Expr => unary('softplus', x, x.bound + 1)
export const plusConstant = (x: Expr, c: number): Expr => scalarOp('add', x, c, x.bound + Math.abs(c))

/** Keeps magnitudes moderate: scales by an exact power of two once the bound passes 8. */
export const tame = (x: Expr): Expr => {
  if (!(x.bound > 8)) return x
  const scale = 2 ** -Math.ceil(Math.log2(x.bound / 4))
  return scalarOp('mul', x, scale, x.bound * scale)
}

/** Keeps results small for full-Jacobian checks: sums over the first axis above 32 elements. */
export const shrinkSize = (x: Expr): Expr => {
  let e = x
  while (sizeOf(e.shape) > 32) e = call('sum', [e], e.shape.slice(1), e.bound * e.shape[0]!, [0])
  return e
}

/** Random choices one step is decoded from. */
export interface StepChoice {
  readonly op: number
  readonly a: number
  readonly b: number
  readonly c: number
  readonly p: number
}

/** Indices along an axis of length `length`, `count` of them, derived from `p`. */
export const indicesFrom = (p: number, count: number, length: number): number[] =>
  Array.from({ length: count }, (_, i) => (p * 7 + i * 5 + (p >> 3)) % length)

export const permutations = (n: number): number[][] =>
  n <= 1
    ? [Array.from({ length: n }, (_, i) => i)]
    : permutations(n - 1).flatMap((p) =>
        Array.from({ length: n }, (_, k) => [...p.slice(0, k), n - 1, ...p.slice(k)]),
      )
