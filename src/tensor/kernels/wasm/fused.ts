/**
 * Fused elementwise kernels, generated per expression: a compiler (`jit`) hands over a tree of
 * elementwise ops over a few operands and gets one WebAssembly SIMD function that computes it in a
 * single pass — one load per operand and one store per element, no intermediate arrays. The ops
 * are the back end's own lane-wise expressions (`elementwise.ts`, keyed by the primitive's name,
 * bit-for-bit equal to the reference), plus `where` and a float32 `tanh`
 * (Eigen's rational approximation, a few ulps from `Math.tanh`).
 *
 * The output is `[outer, inner]`; each operand is `full` (its own `[outer, inner]` values), a `row`
 * (`inner` values repeated for every row, a bias), a `column` (one value per row) or a `scalar`.
 *
 * @module kernels/wasm/fused
 */
import { exactJson } from '../exactJson.js'
import type { WasmModule } from './api.js'
import { webAssembly } from './api.js'
import { binaryVectorOps, unaryVectorOps } from './elementwise.js'
import { buildModule, FunctionBuilder } from './encoder.js'
import { type Lanes, lanesOf, type Precision } from './lanes.js'
import { maximumPages } from './module.js'

/** A tree of elementwise ops over the kernel's operands. */
export type FusedExpression =
  | { readonly kind: 'operand'; readonly index: number }
  | { readonly kind: 'constant'; readonly value: number }
  | {
      readonly kind: 'unary'
      readonly name: string
      readonly expression: string
      readonly x: FusedExpression
    }
  | {
      readonly kind: 'binary'
      /** The primitive's name (the SIMD form is looked up by it). */
      readonly name: string
      /** The primitive's JavaScript expression (what a JavaScript loop computes). */
      readonly expression: string
      readonly x: FusedExpression
      readonly y: FusedExpression
    }
  | {
      readonly kind: 'where'
      readonly condition: FusedExpression
      readonly x: FusedExpression
      readonly y: FusedExpression
    }

/** How an operand varies over the `[outer, inner]` output. */
export type OperandLayout = 'full' | 'row' | 'column' | 'scalar'

/** What a fused kernel computes. */
export interface FusedSpec {
  readonly precision: Precision
  readonly layouts: readonly OperandLayout[]
  readonly root: FusedExpression
}

/** `fused(operand0, …, operandK, out, outer, inner)`, addresses in bytes. */
export type FusedFunction = (...args: number[]) => void

// Eigen's float tanh: x·P(x²)/Q(x²) on x clamped to ±7.9053, x itself where |x| < 0.0004
const tanhAlpha = [
  -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8,
  1.48572235717979e-5, 6.37261928875436e-4, 4.89352455891786e-3,
]
const tanhBeta = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3]

const splatConstant = (f: FunctionBuilder, lanes: Lanes, value: number): void => {
  lanes.constant(f, value)
  f.op(lanes.splat)
}

/** Pushes tanh of the v128 local `x` (float32 only). */
const emitTanh = (f: FunctionBuilder, lanes: Lanes, x: number): void => {
  const [c, x2, p, q] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')]
  const bound = 7.905311107635498
  f.get(x)
  splatConstant(f, lanes, bound)
  f.op(lanes.vector('min'))
  splatConstant(f, lanes, -bound)
  f.op(lanes.vector('max')).set(c)
  f.get(c).get(c).op(lanes.vector('mul')).set(x2)
  splatConstant(f, lanes, tanhAlpha[0]!)
  f.set(p)
  for (const a of tanhAlpha.slice(1)) {
    f.get(p).get(x2).op(lanes.vector('mul'))
    splatConstant(f, lanes, a)
    f.op(lanes.vector('add')).set(p)
  }
  f.get(p).get(c).op(lanes.vector('mul')).set(p)
  splatConstant(f, lanes, tanhBeta[0]!)
  f.set(q)
  for (const b of tanhBeta.slice(1)) {
    f.get(q).get(x2).op(lanes.vector('mul'))
    splatConstant(f, lanes, b)
    f.op(lanes.vector('add')).set(q)
  }
  // bitselect(x, p / q, |x| < 0.0004)
  f.get(x)
  f.get(p).get(q).op(lanes.vector('div'))
  f.get(x).op(lanes.vector('abs'))
  splatConstant(f, lanes, 0.0004)
  f.op(lanes.vector('lt')).op('v128.bitselect')
}

/** Whether every op of the expression has a vector form in this precision. */
export const canFuse = (precision: Precision, root: FusedExpression): boolean => {
  switch (root.kind) {
    case 'operand':
    case 'constant':
      return true
    case 'unary':
      return (
        (root.name in unaryVectorOps || (root.name === 'tanh' && precision === 'f32')) &&
        canFuse(precision, root.x)
      )
    case 'binary':
      return root.name in binaryVectorOps && canFuse(precision, root.x) && canFuse(precision, root.y)
    case 'where':
      return canFuse(precision, root.condition) && canFuse(precision, root.x) && canFuse(precision, root.y)
  }
}

/** Emits the kernel (see `FusedFunction`); the caller checks `canFuse` first. */
export const emitFused = (spec: FusedSpec): FunctionBuilder => {
  const lanes = lanesOf(spec.precision)
  const k = spec.layouts.length
  const f = new FunctionBuilder(Array.from({ length: k + 3 }, () => 'i32' as const))
  const [out, outer, inner] = [k, k + 1, k + 2]
  const e = lanes.bytes
  const values = spec.layouts.map(() => f.local('v128'))
  const pointers = spec.layouts.map(() => f.local('i32'))
  const [outPointer, i] = [f.local('i32'), f.local('i32')]
  // constants are splatted once, before the loops (keyed so that −0 is not 0: a Map's keys are
  // compared as SameValueZero)
  const constants = new Map<number | string, number>()
  const constantKey = (v: number): number | string => (Object.is(v, -0) ? '-0' : v)
  const hoist = (node: FusedExpression): void => {
    if (node.kind === 'constant' && !constants.has(constantKey(node.value))) {
      const local = f.local('v128')
      splatConstant(f, lanes, node.value)
      f.set(local)
      constants.set(constantKey(node.value), local)
    } else if (node.kind === 'unary') hoist(node.x)
    else if (node.kind === 'binary') {
      hoist(node.x)
      hoist(node.y)
    } else if (node.kind === 'where') {
      hoist(node.condition)
      hoist(node.x)
      hoist(node.y)
    }
  }
  hoist(spec.root)
  spec.layouts.forEach((layout, j) => {
    if (layout === 'scalar') f.get(j).mem(lanes.splatLoad).set(values[j]!)
  })
  // evaluates the tree into locals; returns the local holding the result
  const evaluate = (node: FusedExpression): number => {
    switch (node.kind) {
      case 'operand':
        return values[node.index]!
      case 'constant':
        return constants.get(constantKey(node.value))!
      case 'unary': {
        const x = evaluate(node.x)
        const result = f.local('v128')
        if (node.name === 'tanh') emitTanh(f, lanes, x)
        else unaryVectorOps[node.name]!(f, lanes, x, x)
        f.set(result)
        return result
      }
      case 'binary': {
        const x = evaluate(node.x)
        const y = evaluate(node.y)
        const result = f.local('v128')
        binaryVectorOps[node.name]!(f, lanes, x, y)
        f.set(result)
        return result
      }
      case 'where': {
        const c = evaluate(node.condition)
        const x = evaluate(node.x)
        const y = evaluate(node.y)
        const result = f.local('v128')
        f.get(x).get(y).get(c)
        splatConstant(f, lanes, 0)
        f.op(lanes.vector('ne')).op('v128.bitselect').set(result)
        return result
      }
    }
  }
  const varying = (layout: OperandLayout) => layout === 'full' || layout === 'row'
  const body = (vector: boolean): void => {
    spec.layouts.forEach((layout, j) => {
      if (varying(layout))
        f.get(pointers[j]!)
          .mem(vector ? 'v128.load' : lanes.splatLoad)
          .set(values[j]!)
    })
    const result = evaluate(spec.root)
    f.get(outPointer).get(result)
    if (vector) f.mem('v128.store')
    else f.lane(spec.precision === 'f32' ? 'f32x4.extract_lane' : 'f64x2.extract_lane', 0).mem(lanes.store)
    const step = vector ? 16 : e
    spec.layouts.forEach((layout, j) => {
      if (varying(layout)) f.get(pointers[j]!).i32(step).op('i32.add').set(pointers[j]!)
    })
    f.get(outPointer).i32(step).op('i32.add').set(outPointer)
    f.get(i)
      .i32(vector ? lanes.lanes : 1)
      .op('i32.sub')
      .set(i)
  }
  // row pointers: full operands continue where the previous row ended, rows restart
  f.get(out).set(outPointer)
  spec.layouts.forEach((layout, j) => {
    if (layout === 'full') f.get(j).set(pointers[j]!)
  })
  f.block().loop()
  f.get(outer).op('i32.eqz').brIf(1)
  spec.layouts.forEach((layout, j) => {
    if (layout === 'row') f.get(j).set(pointers[j]!)
    if (layout === 'column') {
      f.get(j).mem(lanes.splatLoad).set(values[j]!)
      f.get(j).i32(e).op('i32.add').set(j)
    }
  })
  f.get(inner).set(i)
  // two vectors a turn while they last (less loop overhead on memory-bound kernels), then one
  f.block().loop()
  f.get(i)
    .i32(2 * lanes.lanes)
    .op('i32.lt_u')
    .brIf(1)
  body(true)
  body(true)
  f.br(0).end().end()
  f.block().loop()
  f.get(i).i32(lanes.lanes).op('i32.lt_u').brIf(1)
  body(true)
  f.br(0).end().end()
  f.block().loop()
  f.get(i).op('i32.eqz').brIf(1)
  body(false)
  f.br(0).end().end()
  f.get(outer).i32(1).op('i32.sub').set(outer)
  f.br(0).end().end()
  return f
}

// compiled modules by spec, most recently used last; bounded, since each distinct constant is a
// distinct spec (a static argument that changes every call would otherwise add one per call)
const compiled = new Map<string, WasmModule>()
/** How many compiled fused modules are kept (the least recently used goes first). */
export const compiledLimit = 1024

/**
 * Compiles (once per distinct spec) a module exporting the fused kernel as `fused`, importing a
 * shared memory when `shared` (the plans' shared arena) and a private one otherwise.
 */
export const compileFused = (spec: FusedSpec, shared = false): WasmModule => {
  // a kernel compiled for one constant must not be reused for another (−0 and 0, NaN and ±Infinity)
  const key = `${shared}${exactJson(spec)}`
  let module = compiled.get(key)
  if (module === undefined) {
    const bytes = buildModule({ initial: 1, maximum: maximumPages, shared }, [
      { name: 'fused', body: emitFused(spec) },
    ])
    module = new webAssembly!.Module(bytes)
    if (compiled.size >= compiledLimit) compiled.delete(compiled.keys().next().value!)
  } else compiled.delete(key)
  compiled.set(key, module)
  return module
}
