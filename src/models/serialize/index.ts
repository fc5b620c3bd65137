/**
 * src/models/serialize: parameters to and from JSON (io-ts codecs) and safetensors, and atomic
 * save/load to files.
 *
 * @module serialize
 */
export * from './files.js'
export * from './json.js'
export * from './jsonSyntax.js'
export * from './leaf.js'
export * from './safetensors.js'
export * from './tree.js'
