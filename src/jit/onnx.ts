/**
 * ONNX export: the IR of an inference function written as an ONNX model (opset 13), so a model
 * trained with nabla runs in ONNX Runtime and the tools around it. The function is traced at the
 * example arguments (their shapes are the model's input shapes); tensors it closes over — the
 * trained parameters — become initializers. The protobuf encoding is `onnx-proto`'s (protobufjs
 * generated from the ONNX schema), not written by hand.
 *
 * Covered: matmul (transposes as Transpose nodes), add/sub/mul/div, maximum/minimum, pow,
 * neg/abs/sqrt/exp/log/log1p/sin/cos/sign/floor, relu/tanh/sigmoid, comparisons (as 0/1 floats), where,
 * sum/max/min reductions, reshape, transpose, broadcastTo, cast, stopGradient, softmax and
 * logSoftmax (ONNX's own operators), conv2d (Conv, with stride, padding, dilation and groups),
 * maxPool2d and avgPool2d (MaxPool, and AveragePool counting padding as zeros, as nabla does) — and
 * so every composite built from them (logsumexp, mean, a CNN's layers, …).
 * Any other primitive is an `ArgumentError` naming it.
 *
 * @module jit/onnx
 */
import onnxProto from 'onnx-proto'
import { type AnyTensor, ArgumentError, type DType, storage } from '../tensor/internal.js'
import { type Atom, dtypeOf, type Equation, type IR, shapeOf, type Var } from './ir.js'
import { flattenArguments, traceFunction } from './trace.js'

const { onnx } = onnxProto
type NodeInit = ConstructorParameters<typeof onnx.NodeProto>[0] & object
type TensorInit = ConstructorParameters<typeof onnx.TensorProto>[0] & object

const floatType = (dtype: DType): number =>
  dtype === 'float64' ? onnx.TensorProto.DataType.DOUBLE : onnx.TensorProto.DataType.FLOAT

const unaryOps: Readonly<Record<string, string>> = {
  neg: 'Neg',
  abs: 'Abs',
  sqrt: 'Sqrt',
  exp: 'Exp',
  log: 'Log',
  sin: 'Sin',
  cos: 'Cos',
  sign: 'Sign',
  floor: 'Floor',
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  stopGradient: 'Identity',
}
const binaryOps: Readonly<Record<string, string>> = {
  add: 'Add',
  sub: 'Sub',
  mul: 'Mul',
  div: 'Div',
  maximum: 'Max',
  minimum: 'Min',
  pow: 'Pow',
}
const comparisons: Readonly<Record<string, string>> = {
  equal: 'Equal',
  notEqual: 'Equal',
  less: 'Less',
  greater: 'Greater',
  lessEqual: 'LessOrEqual',
  greaterEqual: 'GreaterOrEqual',
}

const ints = (name: string, values: readonly number[]) => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: [...values],
})
const int = (name: string, value: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: value })

/** Writes the graph of an IR. */
class GraphWriter {
  readonly nodes: NodeInit[] = []
  readonly initializers: TensorInit[] = []
  readonly #constants = new Map<AnyTensor, string>()
  #fresh = 0

  name(atom: Atom): string {
    if (atom.kind === 'var') return `v${atom.id}`
    let name = this.#constants.get(atom.value)
    if (name === undefined) {
      name = `const${this.#constants.size}`
      this.#constants.set(atom.value, name)
      this.initializers.push(this.#tensor(name, atom.value))
    }
    return name
  }

  fresh(): string {
    return `t${this.#fresh++}`
  }

  /** Adds a node; returns the name of its (first) output. */
  node(
    opType: string,
    input: readonly string[],
    output: readonly string[],
    attribute: object[] = [],
  ): string {
    this.nodes.push({
      opType,
      input: [...input],
      output: [...output],
      name: `n${this.nodes.length}`,
      attribute,
    })
    return output[0]!
  }

  /** An int64 constant (shapes, axes). */
  int64(values: readonly number[]): string {
    const name = this.fresh()
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      int64Data: [...values],
    })
    return name
  }

  /** A scalar constant of a dtype. */
  scalar(value: number, dtype: DType): string {
    const name = this.fresh()
    this.initializers.push(
      dtype === 'float64'
        ? { name, dims: [], dataType: floatType(dtype), doubleData: [value] }
        : { name, dims: [], dataType: floatType(dtype), floatData: [value] },
    )
    return name
  }

  #tensor(name: string, t: AnyTensor): TensorInit {
    const values = Array.from(storage(t))
    return t.dtype === 'float64'
      ? { name, dims: [...t.shape], dataType: floatType(t.dtype), doubleData: values }
      : { name, dims: [...t.shape], dataType: floatType(t.dtype), floatData: values }
  }
}

/** Stride and padding (`[[top, bottom], [left, right]]`) of a convolution or pooling window. */
interface ConvParams {
  readonly stride: readonly number[]
  readonly padding: readonly (readonly [number, number])[]
}

/** ONNX's `pads`: the starts of every spatial axis, then their ends. */
const onnxPads = (padding: ConvParams['padding']): number[] => [
  ...padding.map((p) => p[0]),
  ...padding.map((p) => p[1]),
]

/** Writes the nodes of one equation; returns the name of its output. */
const writeEquation = (w: GraphWriter, eq: Equation): string => {
  const out = eq.outputs[0]!
  const outName = w.name(out)
  const inputs = eq.inputs.map((a) => w.name(a))
  const name = eq.prim.name
  const params = eq.params as Record<string, unknown>
  if (name in unaryOps) return w.node(unaryOps[name]!, inputs, [outName])
  if (name in binaryOps) return w.node(binaryOps[name]!, inputs, [outName])
  if (name in comparisons) {
    const truth = w.fresh()
    if (name === 'notEqual') {
      const equal = w.fresh()
      w.node('Equal', inputs, [equal])
      w.node('Not', [equal], [truth])
    } else w.node(comparisons[name]!, inputs, [truth])
    return w.node('Cast', [truth], [outName], [int('to', floatType(out.dtype))])
  }
  switch (name) {
    case 'log1p': {
      const shifted = w.fresh()
      w.node('Add', [inputs[0]!, w.scalar(1, out.dtype)], [shifted])
      return w.node('Log', [shifted], [outName])
    }
    case 'where': {
      const [c] = eq.inputs
      const zero = w.fresh()
      const notZero = w.fresh()
      w.node('Equal', [inputs[0]!, w.scalar(0, dtypeOf(c!))], [zero])
      w.node('Not', [zero], [notZero])
      return w.node('Where', [notZero, inputs[1]!, inputs[2]!], [outName])
    }
    case 'matmul': {
      const operand = (index: number, transposed: boolean): string => {
        if (!transposed) return inputs[index]!
        const rank = shapeOf(eq.inputs[index]!).length
        const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2]
        const t = w.fresh()
        w.node('Transpose', [inputs[index]!], [t], [ints('perm', perm)])
        return t
      }
      const { transposeA, transposeB } = params as { transposeA: boolean; transposeB: boolean }
      return w.node('MatMul', [operand(0, transposeA), operand(1, transposeB)], [outName])
    }
    case 'sum':
    case 'max':
    case 'min': {
      const { axes, keepdims } = params as { axes: readonly number[]; keepdims: boolean }
      const keep = int('keepdims', keepdims ? 1 : 0)
      if (axes.length === 0) return w.node('Identity', inputs, [outName])
      if (name === 'sum') return w.node('ReduceSum', [inputs[0]!, w.int64(axes)], [outName], [keep])
      return w.node(name === 'max' ? 'ReduceMax' : 'ReduceMin', inputs, [outName], [ints('axes', axes), keep])
    }
    case 'reshape':
      return w.node('Reshape', [inputs[0]!, w.int64(out.shape)], [outName])
    case 'broadcastTo':
      return w.node('Expand', [inputs[0]!, w.int64(out.shape)], [outName])
    case 'transpose':
      return w.node('Transpose', inputs, [outName], [ints('perm', params.perm as readonly number[])])
    case 'cast':
      return w.node('Cast', inputs, [outName], [int('to', floatType(out.dtype))])
    case 'conv2d': {
      const { stride, padding, dilation, groups } = params as unknown as ConvParams & {
        dilation: readonly number[]
        groups: number
      }
      const [, , kh, kw] = shapeOf(eq.inputs[1]!)
      return w.node(
        'Conv',
        inputs,
        [outName],
        [
          ints('kernel_shape', [kh!, kw!]),
          ints('strides', stride),
          ints('pads', onnxPads(padding)),
          ints('dilations', dilation),
          int('group', groups),
        ],
      )
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      const { window, stride, padding } = params as unknown as ConvParams & { window: readonly number[] }
      const pool = [ints('kernel_shape', window), ints('strides', stride), ints('pads', onnxPads(padding))]
      // nabla's average divides every window by its size, padding counted as zeros
      if (name === 'avgPool2d')
        return w.node('AveragePool', inputs, [outName], [...pool, int('count_include_pad', 1)])
      return w.node('MaxPool', inputs, [outName], pool)
    }
    case 'softmax':
    case 'logSoftmax':
      return w.node(
        name === 'softmax' ? 'Softmax' : 'LogSoftmax',
        inputs,
        [outName],
        [int('axis', params.axis as number)],
      )
  }
  throw new ArgumentError(
    'exportOnnx',
    `the primitive '${name}' has no ONNX translation yet (supported: ${[
      ...Object.keys(unaryOps),
      ...Object.keys(binaryOps),
      ...Object.keys(comparisons),
      'log1p, where, matmul, sum, max, min, reshape, broadcastTo, transpose, cast, softmax, logSoftmax, conv2d, maxPool2d, avgPool2d',
    ].join(', ')})`,
  )
}

const valueInfo = (name: string, shape: readonly number[], dtype: DType) => ({
  name,
  type: { tensorType: { elemType: floatType(dtype), shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
})

/** Encodes an IR as an ONNX model (inputs named `input0…`, outputs `output0…`). */
export const irToOnnx = (ir: IR): Uint8Array => {
  const w = new GraphWriter()
  const inputs = ir.inputs.map((v: Var, i) => {
    w.node('Identity', [`input${i}`], [w.name(v)])
    return valueInfo(`input${i}`, v.shape, v.dtype)
  })
  for (const eq of ir.equations) writeEquation(w, eq)
  const outputs = ir.outputs.map((atom, i) => {
    w.node('Identity', [w.name(atom)], [`output${i}`])
    return valueInfo(`output${i}`, shapeOf(atom), dtypeOf(atom))
  })
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'nabla',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'nabla', node: w.nodes, initializer: w.initializers, input: inputs, output: outputs },
  })
  return onnx.ModelProto.encode(model).finish()
}

/**
 * Traces `f` at `exampleArgs` (pytrees of tensors; their shapes become the model's input shapes)
 * and returns the ONNX model's bytes. Closed-over tensors (trained parameters) are stored in it.
 * @example
 * import { exportOnnx, matmul, relu, zeros, type Tensor } from 'nabla'
 * const w = zeros([4, 2])
 * const bytes = exportOnnx((x: Tensor) => relu(matmul(x, w)), zeros([1, 4])) // a Uint8Array
 */
export const exportOnnx = <A extends any[]>(f: (...args: A) => unknown, ...exampleArgs: A): Uint8Array => {
  const { ir } = traceFunction('exportOnnx', f, flattenArguments('exportOnnx', exampleArgs, new Set()))
  return irToOnnx(ir)
}
