/**
 * src/io: tensors to and from the outside world, around the tensor value: reading values out
 * (`toArray`, `toFlat`, `toTypedArray`, `item`, `argmax`, `formatTensor`, `tensorSource`), the
 * io-ts JSON codecs (`TensorCodec`, `TensorRecordCodec`, `fromJSON`), and naming the sizes of data
 * loaded at run time (`dim`, `withShape`). Built on src/tensor's internal door.
 *
 * @module io
 */
export { fromJSON, TensorCodec, TensorRecordCodec } from './codec.js'
export * from './named.js'
export * from './readers.js'
