/**
 * src/format: the text of an array of numbers — NumPy-style printing with ends and `...`, and
 * source code that rebuilds it exactly. A floor beneath src/tensor: the tensor value prints itself
 * with it (`toString`, Node's inspector) and src/io's `formatTensor`/`tensorSource` are its public
 * faces. Imports nothing from the rest of src/ but the shape types.
 *
 * @module format
 */
export { type FormatOptions, formatPlaceholder, formatValues, type Printable, sourceOf } from './format.js'
