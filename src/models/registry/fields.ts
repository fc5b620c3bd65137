/**
 * The pieces the layer registry's codecs are made of: io-ts codecs for the fields of layer
 * configurations (positive sizes, shapes, activations, dtypes, paddings), `strictConfig` (a
 * record codec that rejects fields it does not know), and `ConfigSite`, the place in a larger document
 * (a run file's metadata) a configuration came from, so every problem names its field the way the
 * user sees it: `r.json: the run's model.layers[2].kernel must be a positive integer, got 0`.
 *
 * @module models/registry/fields
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { DecodeError } from '../../tensor/index.js'
import { activations } from '../activations.js'
import { initializers } from '../init.js'

/**
 * Where a configuration sits, for error messages: the operation that reads it, the words that
 * name it (`"r.json: the run's model"`) and its property path in the document
 * (`metadata.nabla-run.model`). The default is `{ op: 'layerConfig', label: 'config', path: 'config' }`.
 * @example
 * import { type ConfigSite, describeLayerConfig } from 'nabla'
 * const site: ConfigSite = { op: 'loadRun', label: "r.json: the run's model", path: 'metadata.nabla-run.model' }
 * describeLayerConfig({ kind: 'dense', inputs: 0, outputs: 2 }, site)
 * // DecodeError: loadRun: r.json: the run's model.inputs must be a positive integer, got 0
 */
export interface ConfigSite {
  readonly op: string
  readonly label: string
  readonly path: string
}

/**
 * The site of a field or list entry inside a site.
 * @example
 * import { at } from './fields.js'
 * at({ op: 'x', label: 'config', path: 'config' }, 'layers', 2).label // 'config.layers[2]'
 */
export const at = (site: ConfigSite, ...segments: readonly (string | number)[]): ConfigSite => {
  const suffix = segments.map((s) => (typeof s === 'number' || /^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('')
  return { op: site.op, label: `${site.label}${suffix}`, path: `${site.path}${suffix}` }
}

const show = (value: unknown): string =>
  value === undefined ? 'nothing (the field is missing)' : (JSON.stringify(value) ?? String(value))

/**
 * Throws the `DecodeError` of a field that is not what it must be.
 * @example
 * import { fail } from './fields.js'
 * fail({ op: 'x', label: 'config', path: 'config' }, 'a positive integer', 0)
 * // DecodeError: x: config must be a positive integer, got 0
 */
export const fail = (site: ConfigSite, expected: string, actual: unknown): never => {
  throw new DecodeError(site.op, `${site.label} must be ${expected}, got ${show(actual)}`, site.path)
}

/**
 * Decodes `value` with `codec`, or throws the `DecodeError` of its first problem, naming the field
 * by its path under `site`.
 * @example
 * import { decodeAt, positiveInteger } from './fields.js'
 * decodeAt(positiveInteger, 3, { op: 'x', label: 'config', path: 'config' }) // 3
 */
export const decodeAt = <A>(codec: t.Decoder<unknown, A>, value: unknown, site: ConfigSite): A => {
  const result = codec.decode(value)
  if (E.isRight(result)) return result.right
  const error = result.left[0]!
  const keys = error.context
    .slice(1)
    .map((c) => c.key)
    .filter((k) => k !== '')
  return fail(at(site, ...keys), error.message ?? error.context.at(-1)!.type.name, error.value)
}

const named = <A>(name: string, is: (u: unknown) => u is A): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity)

const isPositiveInteger = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 1
const isNonNegativeInteger = (u: unknown): u is number =>
  typeof u === 'number' && Number.isInteger(u) && u >= 0
const isPair = (u: unknown, item: (v: unknown) => boolean): boolean =>
  Array.isArray(u) && u.length === 2 && u.every(item)

/**
 * A positive integer (a size).
 * @example
 * import { positiveInteger } from './fields.js'
 * positiveInteger.is(3) // true
 */
export const positiveInteger = named('a positive integer', isPositiveInteger)

/**
 * A list of positive integers (sizes, a per-example shape).
 * @example
 * import { sizes } from './fields.js'
 * sizes.is([784, 128, 10]) // true
 */
export const sizes = t.array(positiveInteger, 'a list of positive integers')

/**
 * A per-example image shape `[channels, height, width]`.
 * @example
 * import { imageShape } from './fields.js'
 * imageShape.is([1, 28, 28]) // true
 */
export const imageShape = t.tuple(
  [positiveInteger, positiveInteger, positiveInteger],
  '[channels, height, width] of positive integers',
)

/**
 * A positive integer or a `[height, width]` pair of them (kernel, window, stride, dilation).
 * @example
 * import { sizeOrPair } from './fields.js'
 * sizeOrPair.is([3, 5]) // true
 */
export const sizeOrPair = named(
  'a positive integer or a [height, width] pair of them',
  (u): u is number | readonly [number, number] => isPositiveInteger(u) || isPair(u, isPositiveInteger),
)

/**
 * A convolution or pooling padding: `'valid'`, `'same'`, an amount, or `[[top, bottom], [left, right]]`.
 * @example
 * import { padding } from './fields.js'
 * padding.is([[1, 1], [0, 0]]) // true
 */
export const padding = named(
  "'valid', 'same', a non-negative integer or [[top, bottom], [left, right]]",
  (u): u is 'valid' | 'same' | number | readonly [readonly [number, number], readonly [number, number]] =>
    u === 'valid' ||
    u === 'same' ||
    isNonNegativeInteger(u) ||
    isPair(u, (side) => isPair(side, isNonNegativeInteger)),
)

/**
 * A probability in `[0, 1)` (a dropout rate).
 * @example
 * import { rate } from './fields.js'
 * rate.is(0.5) // true
 */
export const rate = named('a rate in [0, 1)', (u): u is number => typeof u === 'number' && u >= 0 && u < 1)

/**
 * A positive finite number (an epsilon).
 * @example
 * import { positiveNumber } from './fields.js'
 * positiveNumber.is(1e-5) // true
 */
export const positiveNumber = named(
  'a positive finite number',
  (u): u is number => typeof u === 'number' && u > 0 && Number.isFinite(u),
)

/**
 * `true` or `false`.
 * @example
 * import { flag } from './fields.js'
 * flag.is(true) // true
 */
export const flag = named('true or false', (u): u is boolean => typeof u === 'boolean')

/**
 * One of the given strings.
 * @example
 * import { choice } from './fields.js'
 * choice(['valid', 'same'] as const).is('same') // true
 */
export const choice = <K extends string>(keys: readonly K[]): t.Type<K, K, unknown> =>
  named(`one of ${keys.map((k) => `'${k}'`).join(', ')}`, (u): u is K => keys.includes(u as K))

/**
 * A dtype name.
 * @example
 * import { dtype } from './fields.js'
 * dtype.is('float64') // true
 */
export const dtype = choice(['float32', 'float64'] as const)

/**
 * An activation name (`relu`, `tanh`, …).
 * @example
 * import { activationName } from './fields.js'
 * activationName.is('relu') // true
 */
export const activationName = choice(Object.keys(activations) as (keyof typeof activations)[])

/**
 * An initialiser name (`heUniform`, `glorotUniform`, …).
 * @example
 * import { initializerName } from './fields.js'
 * initializerName.is('heUniform') // true
 */
export const initializerName = choice(Object.keys(initializers) as (keyof typeof initializers)[])

type Props = Readonly<Record<string, t.Decoder<unknown, unknown>>>
type Decoded<D> = D extends t.Decoder<unknown, infer A> ? A : never
type Output<R extends Props, O extends Props> = { readonly [K in keyof R]: Decoded<R[K]> } & {
  readonly [K in keyof O]?: Decoded<O[K]>
}

/**
 * The codec of one kind's configuration: an object whose `kind` is `kind`, with every `required`
 * field, any of the `optional` ones and nothing else (an unknown field is an error naming the
 * fields there are, so a misspelt `kernal` is not silently ignored).
 * @example
 * import { positiveInteger, strictConfig } from './fields.js'
 * const codec = strictConfig('dense', { inputs: positiveInteger, outputs: positiveInteger }, {})
 * codec.is({ kind: 'dense', inputs: 3, outputs: 2 }) // true
 */
export const strictConfig = <const K extends string, R extends Props, O extends Props>(
  kind: K,
  required: R,
  optional: O,
): t.Type<{ readonly kind: K } & Output<R, O>, unknown, unknown> => {
  const fields = ['kind', ...Object.keys(required), ...Object.keys(optional)]
  const kindCodec = named(`'${kind}'`, (u): u is K => u === kind)
  const validate = (u: unknown, c: t.Context): t.Validation<{ readonly kind: K } & Output<R, O>> => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return t.failure(u, c, `a ${kind} configuration`)
    const record = u as Readonly<Record<string, unknown>>
    const extra = Object.keys(record).find((k) => !fields.includes(k))
    if (extra !== undefined)
      return t.failure(
        record[extra],
        t.appendContext(c, extra, t.never, record[extra]),
        `absent: a ${kind} configuration has the fields ${fields.join(', ')}`,
      )
    const checks: [string, t.Decoder<unknown, unknown>, boolean][] = [
      ['kind', kindCodec, true],
      ...Object.entries(required).map(([k, d]): [string, t.Decoder<unknown, unknown>, boolean] => [
        k,
        d,
        true,
      ]),
      ...Object.entries(optional).map(([k, d]): [string, t.Decoder<unknown, unknown>, boolean] => [
        k,
        d,
        false,
      ]),
    ]
    for (const [k, decoder, isRequired] of checks) {
      if (!isRequired && record[k] === undefined) continue
      const field = decoder.validate(
        record[k],
        t.appendContext(c, k, decoder as t.Decoder<unknown, unknown> & t.Any, record[k]),
      )
      if (E.isLeft(field)) return field
    }
    return t.success(Object.freeze({ ...record }) as { readonly kind: K } & Output<R, O>)
  }
  return new t.Type(
    `a ${kind} configuration`,
    (u): u is { readonly kind: K } & Output<R, O> => E.isRight(validate(u, [])),
    validate,
    t.identity,
  )
}
