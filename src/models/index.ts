/**
 * src/models: everything to build and train models from tensors and `grad` — randomness, layers,
 * activations, initialisers, losses, optimizers, the training loop, metrics, datasets, parameter
 * codecs and training curves. Browser-safe: files, checkpoints on disk and the dataset loaders that
 * read packages or files are in `nabla/node` (src/node.ts).
 *
 * @example
 * import { accuracy, adam, fit, key, mlp, softmaxCrossEntropy } from 'nabla'
 * import { loadMnist } from 'nabla/node'
 * const data = loadMnist({ seed: 0 })
 * const net = mlp([784, 128, 10])
 * const result = fit({
 *   params: net.init(key(1)),
 *   optimizer: adam(1e-3),
 *   loss: (p, b) => softmaxCrossEntropy(net.apply(p, b.x), b.y),
 *   train: { x: data.xTrain, y: data.yTrain },
 *   epochs: 5,
 *   batchSize: 64,
 *   key: key(2),
 *   evaluate: (p) => ({ testAccuracy: accuracy(net.apply(p, data.xTest), data.yTest) }),
 * })
 *
 * @module models
 */
export * from './activations.js'
export * from './data/index.js'
export * from './init.js'
export type * from './layer.js'
export { isDropping } from './layer.js'
export * from './layers/attention.js'
export * from './layers/cnn.js'
export * from './layers/conv.js'
export * from './layers/dropout.js'
export * from './layers/embedding.js'
export * from './layers/norm.js'
export * from './layers/transformer.js'
export * from './layers.js'
export * from './losses.js'
export * from './metrics.js'
export * from './optim/index.js'
export * from './plot.js'
export {
  bernoulli,
  foldIn,
  isKey,
  type Key,
  type Keys,
  key,
  keyData,
  normal,
  permutation,
  randint,
  randomBits,
  type SampleOptions,
  split,
  uniform,
  wrapKey,
} from './random/index.js'
export {
  type ConfigSite,
  describeLayerConfig,
  type LayerShapes,
  layerConfigCodec,
  layerConfigDType,
  layerFromConfig,
  layerKindNames,
  type ShapeSpec,
  type SpecTree,
} from './registry/index.js'
export * from './sequential.js'
// the file-format internals (paramsFileCodec, paramsDecodeError, parseJSON, …) stay in serialize/
export {
  type Decoded,
  decodeParams,
  decodeSafetensors,
  encodeParams,
  encodeSafetensors,
  type JSONElement,
  type ParamsFile,
  type ParamsFileJSON,
  type ParamTree,
  type ParamTreeJSON,
  paramsFromJSON,
  paramsToJSON,
  paramTreeCodec,
  readSafetensors,
  type SafetensorsContents,
  type SafetensorsDType,
  type SafetensorsReadOptions,
  type Template,
  type TensorJSONLeaf,
  type TensorSpec,
  tensorJSONCodec,
} from './serialize/index.js'
export * from './train/index.js'
export type { Targets } from './validate.js'
