/**
 * The IR: a function recorded as data. An `IR` is a list of equations
 * `{ prim, inputs, params, outputs }` over typed variables (a shape and a dtype each), with the
 * function's inputs and outputs; JAX's jaxpr is the model. Everything that reads a traced function
 * reads this: the compiled plan (fusion, buffer planning, WebAssembly code), the ONNX exporter and
 * the printer (`printIR`).
 *
 * An operand is a `Var` (made by an input or an equation) or a `Const` (a concrete tensor captured
 * while tracing: a closed-over tensor or a literal such as the `1` in `sub(1, x)`).
 *
 * @module jit/ir
 */
import { toFlat } from '../io/index.js'
import { type AnyTensor, type DType, formatShape, type Prim, type Shape } from '../tensor/internal.js'

/** A typed variable of the IR. `id` numbers it within its IR (inputs first, then in order). */
export interface Var {
  readonly kind: 'var'
  readonly id: number
  readonly shape: Shape
  readonly dtype: DType
}

/** A concrete tensor the IR reads (a closed-over tensor or a literal). */
export interface Const {
  readonly kind: 'const'
  readonly value: AnyTensor
}

/** An operand: a variable or a constant. */
export type Atom = Var | Const

/** One primitive application. Every nabla primitive has exactly one output. */
export interface Equation {
  readonly prim: Prim<any>
  readonly inputs: readonly Atom[]
  readonly params: unknown
  readonly outputs: readonly Var[]
}

/** A recorded function: typed inputs, equations in order, outputs. */
export interface IR {
  readonly inputs: readonly Var[]
  readonly equations: readonly Equation[]
  readonly outputs: readonly Atom[]
}

/** The shape of an operand. */
export const shapeOf = (atom: Atom): Shape => (atom.kind === 'var' ? atom.shape : atom.value.shape)

/** The dtype of an operand. */
export const dtypeOf = (atom: Atom): DType => (atom.kind === 'var' ? atom.dtype : atom.value.dtype)

const dtypeNames: Readonly<Record<DType, string>> = { float32: 'f32', float64: 'f64' }

/** `f32[128,784]`: the type of an operand as the printer writes it. */
export const formatType = (shape: Shape, dtype: DType): string => `${dtypeNames[dtype]}${formatShape(shape)}`

/** jaxpr-style names: a … z, ba … bz, ca …, so `id` 0 is `a` and 26 is `ba`. */
export const varName = (id: number): string => {
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  let name = letters[id % 26]!
  let rest = Math.floor(id / 26)
  while (rest > 0) {
    name = letters[rest % 26]! + name
    rest = Math.floor(rest / 26)
  }
  return name
}

const formatNumber = (v: number): string =>
  Object.is(v, -0) ? '-0.0' : Number.isInteger(v) ? `${v}.0` : String(v)

const formatAtom = (atom: Atom): string => {
  if (atom.kind === 'var') return varName(atom.id)
  const { value } = atom
  if (value.size === 1) return `${formatNumber(toFlat(value)[0]!)}:${formatType(value.shape, value.dtype)}`
  return `const:${formatType(value.shape, value.dtype)}`
}

const formatParams = (params: unknown): string => {
  if (params === undefined || params === null || typeof params !== 'object') return ''
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && typeof v !== 'function')
  if (entries.length === 0) return ''
  const show = (v: unknown): string =>
    Array.isArray(v) ? `(${v.map(show).join(',')})` : typeof v === 'object' ? JSON.stringify(v) : String(v)
  return `[${entries.map(([k, v]) => `${k}=${show(v)}`).join(' ')}]`
}

/**
 * The IR as text, jaxpr-style, one equation per line (see the example).
 * @example
 * import { makeIR, printIR, tanh, add, zeros, type Tensor } from 'nabla'
 * const ir = makeIR((x: Tensor, y: Tensor) => tanh(add(x, y)))(zeros([2, 3]), zeros([3]))
 * printIR(ir)
 * // { lambda a:f32[2,3] b:f32[3] . let
 * //     c:f32[2,3] = add a b
 * //     d:f32[2,3] = tanh c
 * //   in (d) }
 */
export const printIR = (ir: IR): string => {
  const binders = ir.inputs.map((v) => `${varName(v.id)}:${formatType(v.shape, v.dtype)}`).join(' ')
  const lines = ir.equations.map((eq) => {
    const outs = eq.outputs.map((v) => `${varName(v.id)}:${formatType(v.shape, v.dtype)}`).join(' ')
    const args = eq.inputs.map(formatAtom).join(' ')
    return `    ${outs} = ${eq.prim.name}${formatParams(eq.params)} ${args}`
  })
  const outs = ir.outputs.map(formatAtom).join(' ')
  return `{ lambda ${binders} . let\n${lines.join('\n')}\n  in (${outs}) }`
}
