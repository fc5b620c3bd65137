/**
 * Type-level arithmetic on dimension sizes: sums, differences, products and quotients of
 * non-negative integer literals, done digit by digit on their decimal strings, so sizes such as
 * `60000 * 784` are exact without building tuples of that length.
 *
 * Anything that is not a decimal literal (`number`, a type parameter `B`, a named `Dim<'batch'>`)
 * gives `number`. A generic `B` leaves the result deferred until `B` is known (TypeScript cannot
 * decide a conditional on a type parameter); a deferred size is assignable wherever a `number`
 * dimension is.
 *
 * @module shapes/decimal
 */
import type { IsLiteral } from './check.js'
import type { Shape } from './shape.js'

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9'
type DigitTuple = {
  '0': []
  '1': [0]
  '2': [0, 0]
  '3': [0, 0, 0]
  '4': [0, 0, 0, 0]
  '5': [0, 0, 0, 0, 0]
  '6': [0, 0, 0, 0, 0, 0]
  '7': [0, 0, 0, 0, 0, 0, 0]
  '8': [0, 0, 0, 0, 0, 0, 0, 0]
  '9': [0, 0, 0, 0, 0, 0, 0, 0, 0]
}
type Ten = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

/**
 * True when `N` is a non-negative integer literal written in decimal digits (not `number`, not a
 * named dimension, not negative or fractional).
 * @example
 * import type { IsNatural } from 'nabla'
 * type A = IsNatural<784> // true
 * type B = IsNatural<number> // false
 * type C = IsNatural<-1> // false
 */
export type IsNatural<N> = N extends number
  ? IsLiteral<N> extends true
    ? `${N}` extends `${Digit}${string}`
      ? `${N}` extends `${bigint}`
        ? true
        : false
      : false
    : false
  : false

// digits are stored least significant first
type ToDigits<S extends string, Acc extends Digit[] = []> = S extends `${infer H extends Digit}${infer R}`
  ? ToDigits<R, [H, ...Acc]>
  : Acc
type FromDigits<D extends Digit[], Acc extends string = ''> = D extends [
  infer H extends Digit,
  ...infer R extends Digit[],
]
  ? FromDigits<R, `${H}${Acc}`>
  : Acc
type DigitOf<T extends unknown[]> = `${T['length']}` extends infer D extends Digit ? D : never
// add two small counts (< 100), giving [digit, carry tuple]
type SplitTen<T extends unknown[]> = T extends [...Ten, ...infer R] ? [DigitOf<R>, [0]] : [DigitOf<T>, []]
type AddDigits<A extends Digit[], B extends Digit[], Carry extends unknown[] = []> = A extends [
  infer AH extends Digit,
  ...infer AR extends Digit[],
]
  ? B extends [infer BH extends Digit, ...infer BR extends Digit[]]
    ? SplitTen<[...DigitTuple[AH], ...DigitTuple[BH], ...Carry]> extends [
        infer D extends Digit,
        infer C extends unknown[],
      ]
      ? [D, ...AddDigits<AR, BR, C>]
      : never
    : SplitTen<[...DigitTuple[AH], ...Carry]> extends [infer D extends Digit, infer C extends unknown[]]
      ? [D, ...AddDigits<AR, [], C>]
      : never
  : B extends [Digit, ...Digit[]]
    ? AddDigits<B, [], Carry>
    : Carry extends [0]
      ? ['1']
      : []
// A − B digit by digit; never when B > A
type SubDigits<A extends Digit[], B extends Digit[], Borrow extends unknown[] = []> = A extends [
  infer AH extends Digit,
  ...infer AR extends Digit[],
]
  ? B extends [infer BH extends Digit, ...infer BR extends Digit[]]
    ? SubStep<AH, BH, Borrow, AR, BR>
    : SubStep<AH, '0', Borrow, AR, []>
  : B extends []
    ? Borrow extends []
      ? []
      : never
    : never
type SubStep<
  AH extends Digit,
  BH extends Digit,
  Borrow extends unknown[],
  AR extends Digit[],
  BR extends Digit[],
> = DigitTuple[AH] extends [...DigitTuple[BH], ...Borrow, ...infer R]
  ? [DigitOf<R>, ...SubDigits<AR, BR, []>]
  : [...Ten, ...DigitTuple[AH]] extends [...DigitTuple[BH], ...Borrow, ...infer R]
    ? [DigitOf<R>, ...SubDigits<AR, BR, [0]>]
    : never
type TimesDigit<A extends Digit[], D extends Digit, Acc extends Digit[] = []> = D extends '0'
  ? Acc
  : TimesDigit<A, DigitOf<DropOne<DigitTuple[D]>>, AddDigits<Acc, A>>
type DropOne<T extends unknown[]> = T extends [unknown, ...infer R] ? R : []
type MulDigits<A extends Digit[], B extends Digit[]> = B extends [
  infer BH extends Digit,
  ...infer BR extends Digit[],
]
  ? AddDigits<TimesDigit<A, BH>, ['0', ...MulDigits<A, BR>]>
  : []
// drops the most significant zeros (zero itself becomes [])
type Trim<D extends Digit[]> = D extends [...infer R extends Digit[], '0'] ? Trim<R> : D
type Render<D extends Digit[]> =
  FromDigits<Trim<D>> extends infer P extends string ? (P extends '' ? '0' : P) : never
type MulStrings<A extends string, B extends string> = Render<MulDigits<ToDigits<A>, ToDigits<B>>>

// Long division of a decimal string by trimmed digits (not zero): [quotient, remainder].
type DivDigits<
  N extends string,
  D extends Digit[],
  Q extends string = '',
  R extends Digit[] = [],
> = N extends `${infer H extends Digit}${infer Rest}`
  ? QuotientDigit<Trim<[H, ...R]>, D> extends [infer q extends Digit, infer R2 extends Digit[]]
    ? DivDigits<Rest, D, `${Q}${q}`, R2>
    : never
  : [StripZeros<Q>, Render<R>]
type QuotientDigit<R extends Digit[], D extends Digit[], Count extends unknown[] = []> = [
  SubDigits<R, D>,
] extends [never]
  ? [DigitOf<Count>, R]
  : QuotientDigit<Trim<SubDigits<R, D>>, D, [...Count, 0]>
type StripZeros<S extends string> = S extends `0${infer R}` ? (R extends '' ? '0' : StripZeros<R>) : S

type ToNumber<S extends string> = S extends `${infer N extends number}` ? N : number

/**
 * `A + B` for decimal literals; `number` otherwise.
 * @example
 * import type { AddDims } from 'nabla'
 * type S = AddDims<128, 64> // 192
 * type U = AddDims<number, 64> // number
 */
export type AddDims<A extends number, B extends number> =
  IsNatural<A> extends true
    ? IsNatural<B> extends true
      ? ToNumber<Render<AddDigits<ToDigits<`${A}`>, ToDigits<`${B}`>>>>
      : number
    : number

/**
 * `A − B` for decimal literals (`never` when negative); `number` otherwise.
 * @example
 * import type { SubDims } from 'nabla'
 * type D = SubDims<784, 2> // 782
 * type N = SubDims<2, 3> // never
 */
export type SubDims<A extends number, B extends number> =
  IsNatural<A> extends true
    ? IsNatural<B> extends true
      ? [SubDigits<ToDigits<`${A}`>, ToDigits<`${B}`>>] extends [never]
        ? never
        : ToNumber<Render<SubDigits<ToDigits<`${A}`>, ToDigits<`${B}`>>>>
      : number
    : number

/**
 * Quotient and remainder of two decimal strings (`B` not zero): `[quotient, remainder]`.
 * @example
 * import type { DivideStrings } from 'nabla'
 * type Q = DivideStrings<'24', '5'> // ['4', '4']
 */
export type DivideStrings<A extends string, B extends string> = DivDigits<A, Trim<ToDigits<B>>>

/**
 * The element count of a literal shape as a decimal string; `never` when any dim is not a decimal
 * literal.
 * @example
 * import type { SizeString } from 'nabla'
 * type S = SizeString<[784, 128]> // '100352'
 */
export type SizeString<S extends Shape> = S extends readonly [
  infer H extends number,
  ...infer R extends Shape,
]
  ? IsNatural<H> extends true
    ? MulStrings<`${H}`, SizeString<R>>
    : never
  : '1'

/**
 * The element count of a literal shape as a number literal (`number` when unknown).
 * @example
 * import type { SizeOf } from 'nabla'
 * type S = SizeOf<[2, 3, 4]> // 24
 */
export type SizeOf<S extends Shape> = [SizeString<S>] extends [never] ? number : ToNumber<SizeString<S>>
