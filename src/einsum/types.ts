/**
 * Type-level einsum: the result shape of `einsum(spec, ...operands)` read from the spec string and
 * the operands' shape types, and the compile-time check that names the index whose sizes differ.
 *
 * Rules (the same as the other shape types):
 * - a dimension is taken from the first operand that carries its index, by indexed access, so a
 *   generic or named dimension (`B`, `Dim<'batch'>`) passes through unchanged;
 * - two literal sizes of one index that differ, two named dimensions that differ, a term whose
 *   length is not its operand's rank, a wrong number of operands, an output index that no input
 *   has, or operands of two known dtypes fail with a message naming what is wrong;
 * - a spec with `...` gives `Shape`; an operand of unknown rank gives `number` dimensions (both are
 *   checked at run time).
 *
 * @module einsum/types
 */
import type { DType, Shape, ShapeErrorType } from '../shapes/index.js'

interface ShapedOperand {
  readonly shape: Shape
  readonly dtype: DType
}

type Strip<S extends string> = S extends `${infer A} ${infer B}` ? Strip<`${A}${B}`> : S
type Chars<S extends string, Acc extends string[] = []> = S extends `${infer H}${infer R}`
  ? Chars<R, [...Acc, H]>
  : Acc
type SplitTerms<S extends string> = S extends `${infer H},${infer R}` ? [H, ...SplitTerms<R>] : [S]

type Alphabet = Chars<'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'>
type Once<All extends string, C extends string> = All extends `${string}${C}${string}${C}${string}`
  ? false
  : All extends `${string}${C}${string}`
    ? true
    : false
type JoinTerms<T extends string[]> = T extends [infer H extends string, ...infer R extends string[]]
  ? `${H},${JoinTerms<R>}`
  : ''
/** Implicit mode: the indices that appear exactly once, in character-code order. */
type ImplicitOutput<Terms extends string[], A extends string[] = Alphabet> = A extends [
  infer C extends string,
  ...infer R extends string[],
]
  ? Once<JoinTerms<Terms>, C> extends true
    ? [C, ...ImplicitOutput<Terms, R>]
    : ImplicitOutput<Terms, R>
  : []

/** The spec as input terms (each a tuple of index letters) and output letters. */
type Parse<Spec extends string> =
  Strip<Spec> extends `${infer L}->${infer R}`
    ? { readonly inputs: TermChars<SplitTerms<L>>; readonly output: Chars<R>; readonly raw: SplitTerms<L> }
    : {
        readonly inputs: TermChars<SplitTerms<Strip<Spec>>>
        readonly output: ImplicitOutput<SplitTerms<Strip<Spec>>>
        readonly raw: SplitTerms<Strip<Spec>>
      }
type TermChars<T extends string[]> = { [K in keyof T]: Chars<T[K]> }

type Counter = unknown[]
type PositionOf<
  T extends string[],
  C extends string,
  I extends Counter = [],
> = I['length'] extends T['length']
  ? never
  : T[I['length']] extends C
    ? I['length']
    : PositionOf<T, C, [...I, unknown]>

/** Where an index first appears: `[operand, axis]`, or never. */
type FirstUse<
  Terms extends string[][],
  C extends string,
  I extends Counter = [],
> = I['length'] extends Terms['length']
  ? never
  : C extends Terms[I['length']][number]
    ? [I['length'], PositionOf<Terms[I['length']], C>]
    : FirstUse<Terms, C, [...I, unknown]>

type DimAt<Ops extends readonly ShapedOperand[], Where> = Where extends [
  infer O extends number,
  infer P extends number,
]
  ? Ops[O]['shape'][P]
  : never

type HasEllipsis<Spec extends string> = Spec extends `${string}...${string}` ? true : false
/**
 * The shape of `einsum(Spec, ...Ops)`: each output index takes the dimension of the first operand
 * that carries it (`Shape` with `...` or operands of unknown rank).
 * @example
 * import type { EinsumShape, Tensor } from 'nabla'
 * type S = EinsumShape<'bij,bjk->bik', [Tensor<[2, 3, 4]>, Tensor<[2, 4, 5]>]> // [2, 3, 5]
 */
export type EinsumShape<Spec extends string, Ops extends readonly ShapedOperand[]> =
  HasEllipsis<Spec> extends true
    ? Shape
    : Parse<Spec> extends { readonly inputs: infer Terms extends string[][]; readonly output: infer Out }
      ? OutputShape<Terms, Ops, Out>
      : Shape
type OutputShape<Terms extends string[][], Ops extends readonly ShapedOperand[], Out> = Out extends [
  infer C extends string,
  ...infer R,
]
  ? [DimAt<Ops, FirstUse<Terms, C>>, ...OutputShape<Terms, Ops, R>]
  : []

/**
 * The dtype of `einsum(Spec, ...Ops)`: the operands' (they must agree).
 * @example
 * import type { EinsumDType, Tensor } from 'nabla'
 * type D = EinsumDType<[Tensor<[2], 'float64'>]> // 'float64'
 */
export type EinsumDType<Ops extends readonly ShapedOperand[]> = Ops[number]['dtype']

// a named dimension (a branded number: number & { … }) is not a literal
type IsLiteralDim<N> = number extends N
  ? false
  : [N] extends [object]
    ? false
    : N extends number
      ? true
      : false

// The checks collect their messages as a union of strings (never when all is well) through mapped
// types and `{ v: A } extends { v: B }` comparisons, which TypeScript resolves even when A and B
// are the same type parameter, so a generic dimension (`B` in `[B, T, 8]`) type-checks.

/** never when two sizes of one index can agree; a message when they provably cannot. */
type SizeClash<C, A, B, OA, OB> = { v: A } extends { v: B }
  ? { v: B } extends { v: A }
    ? never
    : Clash<C, A, B, OA, OB>
  : Clash<C, A, B, OA, OB>
type Clash<C, A, B, OA, OB> =
  IsLiteralDim<A> extends true
    ? IsLiteralDim<B> extends true
      ? `einsum: index ${C & string} is ${A & number} in operand ${OA & number} but ${B & number} in operand ${OB & number}`
      : never
    : IsLiteralDim<B> extends true
      ? never
      : number extends A
        ? never
        : number extends B
          ? never
          : `einsum: index ${C & string} has two different named sizes in operand ${OA & number} and operand ${OB & number}`

type RankClash<Term extends string[], Raw, S extends Shape, O extends number> = number extends S['length']
  ? never
  : S['length'] extends Term['length']
    ? never
    : `einsum: operand ${O} has rank ${S['length']} but its term '${Raw & string}' names ${Term['length']} indices`

type UseOperand<W> = W extends [infer O, unknown] ? O : never

type TermClashes<
  Terms extends string[][],
  Ops extends readonly ShapedOperand[],
  O extends number,
  Raw,
  I extends Counter = [],
> = I['length'] extends Terms[O]['length']
  ? RankClash<Terms[O], Raw, Ops[O]['shape'], O>
  :
      | SizeClash<
          Terms[O][I['length']],
          DimAt<Ops, FirstUse<Terms, Terms[O][I['length']]>>,
          Ops[O]['shape'][I['length']],
          UseOperand<FirstUse<Terms, Terms[O][I['length']]>>,
          O
        >
      | TermClashes<Terms, Ops, O, Raw, [...I, unknown]>

type Clashes<
  Terms extends string[][],
  Raw extends string[],
  Ops extends readonly ShapedOperand[],
  O extends Counter = [],
> = O['length'] extends Terms['length']
  ? never
  : TermClashes<Terms, Ops, O['length'], Raw[O['length']]> | Clashes<Terms, Raw, Ops, [...O, unknown]>

type OutputClashes<Terms extends string[][], Out> = Out extends [infer C extends string, ...infer R]
  ?
      | ([FirstUse<Terms, C>] extends [never] ? `einsum: output index ${C} appears in no input term` : never)
      | OutputClashes<Terms, R>
  : never

type KnownDTypes<Ops extends readonly ShapedOperand[]> = {
  [K in keyof Ops]: DType extends Ops[K]['dtype'] ? never : Ops[K]['dtype']
}[number]
type DTypeClash<Ops extends readonly ShapedOperand[]> = [KnownDTypes<Ops>] extends [never]
  ? never
  : 'float32' extends KnownDTypes<Ops>
    ? 'float64' extends KnownDTypes<Ops>
      ? 'einsum: operands mix float32 and float64; cast one explicitly'
      : never
    : never

/**
 * `unknown` when `Spec` fits the operands (or cannot be checked), else a `ShapeErrorType` whose
 * message names the index, operand or term at fault.
 * @example
 * import type { CheckEinsum, Tensor } from 'nabla'
 * type C = CheckEinsum<'ij,jk->ik', [Tensor<[2, 3]>, Tensor<[4, 5]>]>
 * // ShapeErrorType<'einsum: index j is 3 in operand 0 but 4 in operand 1'>
 */
export type CheckEinsum<Spec extends string, Ops extends readonly ShapedOperand[]> =
  HasEllipsis<Spec> extends true
    ? unknown
    : Parse<Spec> extends {
          readonly inputs: infer Terms extends string[][]
          readonly output: infer Out
          readonly raw: infer Raw extends string[]
        }
      ? Strip<Spec> extends `${string}->${string}->${string}`
        ? ShapeErrorType<"einsum: the spec has more than one '->'">
        : Terms['length'] extends Ops['length']
          ? Report<Clashes<Terms, Raw, Ops> | OutputClashes<Terms, Out> | DTypeClash<Ops>>
          : ShapeErrorType<`einsum: the spec has ${Terms['length']} input terms but ${Ops['length']} operands were given`>
      : unknown
type Report<Messages> = [Messages] extends [never] ? unknown : ShapeErrorType<Messages & string>
