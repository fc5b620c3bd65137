/**
 * JSON as a cache key: `JSON.stringify` writes −0 as 0 and NaN, +Infinity and −Infinity all as
 * `null`, so two values a cache must tell apart (a kernel's constants, a static argument) would
 * share a key. Here those numbers are written out as strings, and every string value gets a prefix
 * so that no string can stand for such a number.
 *
 * @module kernels/exactJson
 */

/**
 * The JSON of `value` with −0, NaN and ±Infinity kept apart from 0, from each other and from any
 * string (throws as `JSON.stringify` does on cycles and BigInts).
 * @example
 * import { exactJson } from './exactJson.js'
 * exactJson({ c: -0 }) === exactJson({ c: 0 }) // false
 */
export const exactJson = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === 'string') return `s${v}`
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)))
      return `n${Object.is(v, -0) ? '-0' : String(v)}`
    return v
  })
