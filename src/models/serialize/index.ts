/**
 * src/models/serialize: parameters to and from JSON (io-ts codecs) and safetensors, and atomic
 * save/load to files.
 *
 * @module serialize
 */
export * from './files.js'
export * from './json.js'
export { type JSONElement, type TensorJSONLeaf, tensorJSONCodec } from './leaf.js'
export * from './safetensors.js'
export type { Decoded, ParamTree, Template, TensorSpec } from './tree.js'
