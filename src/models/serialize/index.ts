/**
 * src/models/serialize: parameters to and from JSON (io-ts codecs) and safetensors. Saving to and
 * loading from files (files.ts) is Node-only: `nabla/node`.
 *
 * @module serialize
 */
export * from './json.js'
export { type JSONElement, type TensorJSONLeaf, tensorJSONCodec } from './leaf.js'
export * from './safetensors.js'
export type { Decoded, ParamTree, Template, TensorSpec } from './tree.js'
