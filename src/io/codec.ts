/**
 * io-ts codecs: tensors and records of tensors to and from JSON (`{ dtype, shape, data }`).
 * Decoding untrusted input returns an `Either` whose `Left` is a `DecodeError` naming the path of
 * the bad field (`w.data[3]`). Non-finite values are written as the strings "NaN", "Infinity" and
 * "-Infinity", since JSON has no numbers for them.
 *
 * @module io/codec
 */

import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import {
  type AnyTensor,
  DecodeError,
  makeTensor,
  maxSize,
  storageFrom,
  type TensorJSON,
} from '../tensor/internal.js'

const DTypeCodec = t.keyof({ float32: null, float64: null }, 'DType')

const Dim = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'NonNegativeInteger')

const JSONNumber = t.union(
  [t.number, t.literal('NaN'), t.literal('Infinity'), t.literal('-Infinity')],
  'JSONNumber',
)

const TensorJSONCodec = t.strict(
  { dtype: DTypeCodec, shape: t.readonlyArray(Dim, 'Shape'), data: t.readonlyArray(JSONNumber, 'Data') },
  'TensorJSON',
)

const toNumber = (v: number | string): number => (typeof v === 'number' ? v : Number(v))

/**
 * Codec between a `Tensor` and its JSON form; decoding checks that the data length matches the
 * shape.
 * @example
 * import { TensorCodec, tensor } from 'nabla'
 * const json = TensorCodec.encode(tensor([1, 2]))       // { dtype: 'float32', shape: [2], data: [1, 2] }
 * TensorCodec.decode(json)                              // Right(Tensor<[2]>)
 */
export const TensorCodec = new t.Type<AnyTensor, TensorJSON, unknown>(
  'Tensor',
  (u): u is AnyTensor => u instanceof Object && (u as AnyTensor).constructor?.name === 'Tensor',
  (u, context) =>
    pipe(
      TensorJSONCodec.validate(u, context),
      E.chain((json) => {
        const size = json.shape.reduce((a, b) => a * b, 1)
        if (size > maxSize) return t.failure(u, context, `shape has ${size} elements, more than ${maxSize}`)
        if (json.data.length !== size)
          return t.failure(
            u,
            context,
            `data has ${json.data.length} values but shape [${json.shape.join(',')}] needs ${size}`,
          )
        return t.success(
          makeTensor([...json.shape], json.dtype, storageFrom(json.dtype, json.data.map(toNumber))),
        )
      }),
    ),
  (x) => x.toJSON(),
)

/**
 * Codec for a record of named tensors (a flat parameter set).
 * @example
 * import { TensorRecordCodec, zeros } from 'nabla'
 * TensorRecordCodec.encode({ w: zeros([2, 2]), b: zeros([2]) })
 */
export const TensorRecordCodec = t.record(t.string, TensorCodec, 'TensorRecord')

const isUnion = (type: t.Decoder<unknown, unknown>): boolean =>
  (type as { _tag?: string })._tag === 'UnionType'

/**
 * Renders io-ts errors as one `DecodeError` whose path names the first bad field.
 * @example
 * import { TensorCodec } from 'nabla'
 * import { toDecodeError } from './codec.js'
 * const result = TensorCodec.decode({ dtype: 'float32', shape: [2], data: [1] })
 * if (result._tag === 'Left') throw toDecodeError('loadTensor', result.left)
 * // DecodeError: "loadTensor: input: data has 1 values but shape [2] needs 2"
 */
export const toDecodeError = (op: string, errors: t.Errors): DecodeError => {
  const first = errors[0]
  if (first === undefined) return new DecodeError(op, 'invalid input')
  // entries below a union name which member was tried, not a field: leave them out of the path
  const fields = first.context.filter((_, i) => i > 0 && !isUnion(first.context[i - 1]!.type))
  const path = fields
    .map((c) => (/^\d+$/.test(c.key) ? `[${c.key}]` : `.${c.key}`))
    .join('')
    .replace(/^\./, '')
  const field = fields.at(-1) ?? first.context[0]
  const expected = field?.type.name ?? 'a valid value'
  const got = JSON.stringify(first.value)?.slice(0, 60) ?? String(first.value)
  const detail = first.message ?? `expected ${expected}, got ${got}`
  return new DecodeError(op, `${path === '' ? 'input' : path}: ${detail}`, path)
}

/**
 * Decodes with a codec, turning failures into a `DecodeError` with the path of the bad field.
 * @example
 * import { TensorCodec } from 'nabla'
 * import { decodeWith } from './codec.js'
 * decodeWith('loadTensor', TensorCodec, { dtype: 'float32', shape: [2], data: [1, 'x'] })
 * // Left(DecodeError: "loadTensor: data[1]: expected JSONNumber, got \"x\"")
 */
export const decodeWith = <A, O>(
  op: string,
  codec: t.Type<A, O, unknown>,
  input: unknown,
): E.Either<DecodeError, A> =>
  pipe(
    codec.decode(input),
    E.mapLeft((errors) => toDecodeError(op, errors)),
  )

/**
 * A tensor from its JSON form (what `JSON.stringify` of a tensor wrote: `{ dtype, shape, data }`),
 * validated: a `Left` `DecodeError` names the bad field.
 * @example
 * import { fromJSON, tensor } from 'nabla'
 * const text = JSON.stringify({ w: tensor([1, 2]) })
 * fromJSON(JSON.parse(text).w) // Right(Tensor<[2], float32>)
 */
export const fromJSON = (json: unknown): E.Either<DecodeError, AnyTensor> =>
  decodeWith('fromJSON', TensorCodec, json)
