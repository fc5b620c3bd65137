/**
 * What nabla's own floors (models, cli) need from src/io beyond its public door: the decoding
 * helpers that turn io-ts errors into a `DecodeError`. Not exported from the package.
 *
 * @module io/internal
 */

export { decodeWith, toDecodeError } from './codec.js'
export * from './index.js'
export { readable } from './readable.js'
