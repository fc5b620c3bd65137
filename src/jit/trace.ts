/**
 * Tracing a function of pytrees into an IR: flattens the arguments (static ones are passed as they
 * are), runs the function once under a `StagingTrace`, and records its outputs. The tracing call
 * computes real values too (`values`), so the first call of a jitted function needs no second run.
 *
 * @module jit/trace
 */

import {
  type AnyTensor,
  ArgumentError,
  boxOf,
  describe,
  lowerTo,
  nextLevel,
  popInterpreter,
  pushInterpreter,
} from '../tensor/internal.js'
import { flatten, type TreeDef, unflatten } from '../tree/index.js'
import type { IR } from './ir.js'
import { StagingTrace, TraceError } from './stage.js'

/** What one trace of a function gives. */
export interface Traced {
  readonly ir: IR
  /** The structure of the function's output. */
  readonly outputDef: TreeDef
  /** The output values of the tracing call (real tensors, possibly followed by outer traces). */
  readonly values: readonly AnyTensor[]
  /** Whether the IR reads a constant followed by an outer trace (then it must not be reused). */
  readonly capturedTracer: boolean
}

/** One argument of a traced call: its leaves and structure, or a static value passed unchanged. */
export type FlatArgument =
  | { readonly kind: 'tree'; readonly leaves: readonly AnyTensor[]; readonly def: TreeDef }
  | { readonly kind: 'static'; readonly value: unknown }

/**
 * Splits the arguments: static ones (by index) stay as they are, the others are flattened. For
 * `jit` (the one caller with static arguments), a number, string or boolean given where a tensor
 * argument is expected is an `ArgumentError` that says how to pass it (JavaScript has no operator
 * overloading, so a number cannot be traced as itself); for the others `flatten` refuses it.
 */
export const flattenArguments = (
  op: string,
  args: readonly unknown[],
  staticArgs: ReadonlySet<number>,
): FlatArgument[] =>
  args.map((arg, i) => {
    if (staticArgs.has(i)) return { kind: 'static', value: arg }
    if (op === 'jit' && ['number', 'string', 'boolean', 'bigint'].includes(typeof arg))
      throw new ArgumentError(
        op,
        `argument ${i} is the ${typeof arg} ${describe(arg)}, not a tensor or a pytree of tensors: mark it static (jit(f, { staticArgs: [${i}] }): one trace per value)${typeof arg === 'number' ? `, or pass it as a tensor (scalar(${String(arg)}): one plan for every value)` : ''}`,
      )
    const [leaves, def] = flatten(arg, op, `argument ${i}`)
    return { kind: 'tree', leaves, def }
  })

/** The leaves of all non-static arguments, in order. */
export const leavesOf = (args: readonly FlatArgument[]): AnyTensor[] => {
  const leaves: AnyTensor[] = []
  for (const a of args) if (a.kind === 'tree') for (const t of a.leaves) leaves.push(t)
  return leaves
}

/** Rebuilds the arguments from (possibly replaced) leaves. */
export const rebuildArguments = (args: readonly FlatArgument[], leaves: readonly AnyTensor[]): unknown[] => {
  let next = 0
  return args.map((a) => {
    if (a.kind === 'static') return a.value
    const mine = leaves.slice(next, next + a.leaves.length)
    next += a.leaves.length
    return unflatten(a.def, mine)
  })
}

/** Runs `f` once under a staging trace and records it. */
export const traceFunction = (
  op: string,
  f: (...args: any[]) => unknown,
  args: readonly FlatArgument[],
): Traced => {
  const trace = new StagingTrace(nextLevel())
  pushInterpreter(trace)
  let result: unknown
  try {
    const staged = leavesOf(args).map((t) => trace.input(t))
    result = f(...rebuildArguments(args, staged))
  } finally {
    trace.active = false
    popInterpreter(trace)
  }
  let outputs: AnyTensor[]
  let outputDef: TreeDef
  try {
    ;[outputs, outputDef] = flatten(result, op, 'the traced function’s result')
  } catch (error) {
    throw new TraceError(
      op,
      `the traced function must return a pytree of tensors: ${(error as Error).message}`,
    )
  }
  const ir = trace.finish(outputs)
  const values = outputs.map((t) => lowerTo(t, trace.level))
  return { ir, outputDef, values, capturedTracer: trace.capturedTracer }
}

/** Removes the boxes of finished traces; the result is concrete when no active trace follows it. */
export const settle = (t: AnyTensor): AnyTensor => lowerTo(t, Number.MAX_SAFE_INTEGER)

/** Whether a tensor is a plain value (no active trace follows it). */
export const isConcrete = (t: AnyTensor): boolean => boxOf(t) === undefined
