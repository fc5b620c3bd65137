/**
 * src/models/data: datasets (synthetic spirals and XOR), seeded splits and minibatch slices. The
 * loaders that read packages or files (MNIST, IDX, iris) are Node-only: `nabla/node`.
 *
 * @module data
 */
export * from './augment.js'
export * from './batches.js'
export {
  type Dataset,
  type DatasetDTypeOption,
  fromRows,
  MissingDependencyError,
  type Rows,
  type SplitIndices,
  type Standardisation,
  standardisationOf,
  standardiseRows,
  stratifiedSplit,
  takeRows,
} from './dataset.js'
export * from './synthetic.js'
