/**
 * The bad-input catalogue of issue 6: every kind of bad input nabla must reject with a typed
 * `NablaError` — its exact class, the op, the argument and the offending value or shapes in the
 * message — before doing any work. `bad-input.test.ts` runs each case; this module only lists them
 * (no test framework), so the catalogue can also be printed as a table of messages.
 */
import * as E from 'fp-ts/lib/Either.js'
import {
  type AnyTensor,
  ArgumentError,
  accuracy,
  adam,
  adamw,
  add,
  argmax,
  batches,
  binaryCrossEntropy,
  binaryCrossEntropyFromProbabilities,
  concat,
  DecodeError,
  DTypeError,
  expandDims,
  fit as fitModel,
  flatten,
  fromArray,
  fromArrayOrThrow,
  full,
  gather,
  grad,
  item,
  key,
  logsumexp,
  matmul,
  max,
  mean,
  min,
  mse,
  mul,
  type NablaError,
  oneHot,
  ones,
  pad,
  ResourceError,
  regularizedLogisticCost,
  reshape,
  ShapeError,
  scalar,
  setMemoryBudget,
  sgd,
  softmax,
  softmaxCrossEntropy,
  squeeze,
  sum,
  tensor,
  toFlat,
  trainStep,
  transpose,
  treeMap,
  unflatten,
  vjp,
  where,
  zeros,
} from '../../src/index.js'
import { decodeSafetensors, paramsFromJSON, paramsToJSON } from '../../src/models/serialize/index.js'
import { setAvailableMemory } from '../../src/tensor/internal.js'

/** One bad input. */
export interface BadInputCase {
  /** The case, as the issue words it, and the variant. */
  readonly name: string
  /** The exact class of the error (not merely a superclass). */
  readonly error: abstract new (
    ...args: never[]
  ) => NablaError
  /** The op the error names (`error.op`, and the message's prefix). */
  readonly op: string
  /** What the message must mention: the argument and the offending value or shapes. */
  readonly mentions: readonly string[]
  /** Tensors and arrays the call receives: bit-for-bit unchanged afterwards. */
  readonly inputs?: readonly unknown[]
  /** Makes the bad call; an `Either` API's `Left` is thrown (both forms are accepted). */
  readonly run: () => unknown
}

const f32 = (shape: readonly number[]): AnyTensor => zeros(shape) as AnyTensor
const f64 = (shape: readonly number[]): AnyTensor => zeros(shape, { dtype: 'float64' }) as AnyTensor
/** Bad arguments, on purpose: they pass any parameter type. */
const loose = (value: unknown): never => value as never
const rightOrThrow = <A>(either: E.Either<NablaError, A>): A => {
  if (E.isLeft(either)) throw either.left
  return either.right
}

const a23 = f32([2, 3])
const a45 = f32([4, 5])
const a34 = f32([3, 4])
const v3 = f32([3])
const v3x1 = f32([3, 1])
const labels2 = tensor([0, 3])
const logits23 = f32([2, 3])
const nested = [[1, 2], [3]]
const template = { w: f32([2, 2]), b: f32([2]) }
const goodFile = JSON.parse(paramsToJSON(template)) as {
  format: string
  version: number
  params: Record<string, { dtype: string; shape: number[]; data: unknown[] }>
}
const fileWith = (change: (file: typeof goodFile) => object): string =>
  JSON.stringify(change(structuredClone(goodFile)))
const fitOptions = {
  params: { w: f32([2]) },
  optimizer: sgd(0.1),
  loss: (p: { w: AnyTensor }, b: { x: AnyTensor; y: AnyTensor }) => mse(mul(b.x, p.w), b.y),
  train: { x: f32([4, 2]), y: f32([4, 2]) },
  epochs: 1,
  batchSize: 2,
  key: key(0),
}
const hugeDim = 1e6

/** Runs `f` as on a machine with `bytes` of memory available (the automatic budget is a quarter). */
const onMachineWith = (bytes: number, f: () => unknown): unknown => {
  const previousSource = setAvailableMemory(() => bytes)
  const previousBudget = setMemoryBudget(undefined)
  try {
    return f()
  } finally {
    setAvailableMemory(previousSource)
    setMemoryBudget(previousBudget)
  }
}

/** Runs `f` under a fixed memory budget. */
const withBudget = (bytes: number, f: () => unknown): unknown => {
  const previous = setMemoryBudget(bytes)
  try {
    return f()
  } finally {
    setMemoryBudget(previous)
  }
}

/** A copy of `x` with flat element `i` set to `value`. */
const withValue = (x: AnyTensor, i: number, value: number): AnyTensor => {
  const data = Float32Array.from(toFlat(x))
  data[i] = value
  return fromArrayOrThrow(data, x.shape)
}

const classifierParams = { w: f32([2, 3]) }
const classifierOptions = {
  ...fitOptions,
  params: classifierParams,
  loss: (p: { w: AnyTensor }, b: { x: AnyTensor; y: AnyTensor }) =>
    softmaxCrossEntropy(matmul(b.x as never, p.w as never), b.y as never),
  targets: { classes: 3 } as const,
  batchSize: 2,
}

/** A valid safetensors file holding one F32 scalar under `name` (written by hand: names are free). */
const safetensorsNamed = (name: string): Uint8Array => {
  const header = new TextEncoder().encode(
    JSON.stringify({ [name]: { dtype: 'F32', shape: [], data_offsets: [0, 4] } }),
  )
  const out = new Uint8Array(8 + header.length + 4)
  new DataView(out.buffer).setUint32(0, header.length, true)
  out.set(header, 8)
  return out
}

/** A record with an own data property `key` (as JSON.parse makes `"__proto__"` in a file). */
const recordWithKey = (key: string): Record<string, AnyTensor> =>
  Object.defineProperty({ w: ones([1]) } as Record<string, AnyTensor>, key, {
    value: ones([1]),
    enumerable: true,
    writable: true,
    configurable: true,
  })

const reservedKeyCases = (): BadInputCase[] =>
  (['__proto__', 'constructor', 'prototype'] as const).flatMap((k): BadInputCase[] => [
    {
      name: `a pytree key ${k}: treeMap rejects it instead of setting a prototype`,
      error: ArgumentError,
      op: 'treeMap',
      mentions: [`x.${k}`, `the key "${k}" is not allowed in a pytree`],
      run: () => treeMap(recordWithKey(k), (x) => x),
    },
    {
      name: `a pytree key ${k}: grad rejects it instead of dropping its gradient`,
      error: ArgumentError,
      op: 'vjp',
      mentions: [`x.${k}`, `the key "${k}" is not allowed in a pytree`],
      run: () => grad((p: Record<string, AnyTensor>) => sum(p.w!))(recordWithKey(k)),
    },
    {
      name: `a pytree key ${k}: fit names it in params before step 1 (was a TypeError)`,
      error: ArgumentError,
      op: 'fit',
      mentions: [`params.${k}`, `the key "${k}" is not allowed in a pytree`],
      run: () =>
        fitModel({
          ...fitOptions,
          params: recordWithKey(k),
          loss: (p: Record<string, AnyTensor>, b: { x: AnyTensor; y: AnyTensor }) => mse(mul(b.x, p.w!), b.y),
        }),
    },
    {
      name: `a parameter file with a ${k} key, decoded without a template`,
      error: DecodeError,
      op: 'paramsFromJSON',
      mentions: [`params.${k}`, `the key "${k}" is not allowed`],
      run: () =>
        rightOrThrow(
          paramsFromJSON(
            `{"format":"nabla-params","version":1,"params":{${JSON.stringify(k)}:{"dtype":"float32","shape":[1],"data":[1]},"w":{"dtype":"float32","shape":[1],"data":[1]}}}`,
          ),
        ),
    },
    {
      name: `a safetensors name with a ${k} part, decoded without a template`,
      error: DecodeError,
      op: 'decodeSafetensors',
      mentions: [`${k}.w`, `the key "${k}" is not allowed`],
      run: () => rightOrThrow(decodeSafetensors(safetensorsNamed(`${k}.w`))),
    },
    {
      name: `saving params with a ${k} key`,
      error: ArgumentError,
      op: 'encodeParams',
      mentions: [`params.${k}`, `the key "${k}" is not allowed`],
      run: () => paramsToJSON(recordWithKey(k)),
    },
  ])

export const badInputCases: readonly BadInputCase[] = [
  // matmul
  {
    name: 'matmul inner-dimension mismatch: [2,3] @ [4,5]',
    error: ShapeError,
    op: 'matmul',
    mentions: ['inner dimensions differ', 'a is [2,3]', 'b is [4,5]'],
    inputs: [a23, a45],
    run: () => matmul(a23, loose(a45)),
  },
  {
    name: 'matmul rank mismatch: a of rank 1',
    error: ShapeError,
    op: 'matmul',
    mentions: ['a must have rank 2 or more', '[3]'],
    inputs: [v3, a34],
    run: () => matmul(loose(v3), loose(a34)),
  },
  {
    name: 'matmul batch dimensions that do not broadcast: [2,2,3] @ [3,3,4] (full shapes and the axis)',
    error: ShapeError,
    op: 'matmul',
    mentions: [
      'cannot broadcast the batch dimensions [2] of a [2,2,3] with [3] of b [3,3,4]',
      'batch axis 0 (aligned from the right) is 2 vs 3',
    ],
    run: () => matmul(f32([2, 2, 3]), loose(f32([3, 3, 4]))),
  },
  // broadcasting
  {
    name: 'broadcast mismatch: add [2,3] and [3,4]',
    error: ShapeError,
    op: 'add',
    mentions: ['cannot broadcast', '[2,3]', '[3,4]', 'axis 0 (aligned from the right) is 2 vs 3'],
    inputs: [a23, a34],
    run: () => add(a23, loose(a34)),
  },
  {
    name: 'broadcast mismatch names the clashing axis: add [3,2] and [3]',
    error: ShapeError,
    op: 'add',
    mentions: ['cannot broadcast [3,2] with [3]: axis 1 (aligned from the right) is 2 vs 3'],
    run: () => add(f32([3, 2]), loose(v3)),
  },
  {
    name: 'broadcast mismatch: where with branches [2,3] and [3,4]',
    error: ShapeError,
    op: 'where',
    mentions: ['cannot broadcast', '[2,3]', '[3,4]'],
    run: () => where(a23, a23, loose(a34)),
  },
  // a loss given [n, 1] against [n]
  {
    name: 'a loss given [n,1] against [n]: mse',
    error: ShapeError,
    op: 'mse',
    mentions: ['targets has shape [3]', 'predictions has shape [3,1]'],
    inputs: [v3x1, v3],
    run: () => mse(v3x1, loose(v3)),
  },
  {
    name: 'a loss given [n,1] against [n]: binaryCrossEntropy',
    error: ShapeError,
    op: 'binaryCrossEntropy',
    mentions: ['labels has shape [3]', 'logits has shape [3,1]'],
    run: () => binaryCrossEntropy(v3x1, loose(v3)),
  },
  // reshape
  {
    name: 'reshape to another element count: [2,3] to [4]',
    error: ShapeError,
    op: 'reshape',
    mentions: ['[2,3] (6 elements)', '[4] (4 elements)'],
    inputs: [a23],
    run: () => reshape(a23, loose([4])),
  },
  {
    name: 'reshape with more than one -1',
    error: ShapeError,
    op: 'reshape',
    mentions: ['[2,3]', '[-1,-1]', 'at most one dimension may be -1'],
    run: () => reshape(a23, loose([-1, -1])),
  },
  {
    name: 'reshape with a -1 that cannot be resolved: [2,3] to [-1,4]',
    error: ShapeError,
    op: 'reshape',
    mentions: ['[2,3] (6 elements)', '[-1,4]'],
    run: () => reshape(a23, loose([-1, 4])),
  },
  // data length
  {
    name: 'data length ≠ shape size: fromArray (Either)',
    error: ShapeError,
    op: 'fromArray',
    mentions: ['data has 3 values', 'shape [2,2] needs 4'],
    run: () => rightOrThrow(fromArray([1, 2, 3], [2, 2])),
  },
  {
    name: 'data length ≠ shape size: fromArrayOrThrow',
    error: ShapeError,
    op: 'fromArray',
    mentions: ['data has 3 values', 'shape [2,2] needs 4'],
    run: () => fromArrayOrThrow([1, 2, 3], [2, 2]),
  },
  // dimensions
  ...(
    [
      ['negative', -1, '-1'],
      ['fractional', 1.5, '1.5'],
      ['NaN', Number.NaN, 'NaN'],
      ['infinite', Number.POSITIVE_INFINITY, 'Infinity'],
    ] as const
  ).flatMap(([what, d, shown]): BadInputCase[] => [
    {
      name: `${what} dimension: zeros([2, ${shown}])`,
      error: ShapeError,
      op: 'zeros',
      mentions: ['shape[1] must be a non-negative integer', `got ${shown}`, `[2,${shown}]`],
      run: () => zeros([2, d]),
    },
    {
      name: `${what} dimension: fromArray([], [${shown}])`,
      error: ShapeError,
      op: 'fromArray',
      mentions: ['shape[0] must be a non-negative integer', `got ${shown}`],
      run: () => rightOrThrow(fromArray([], [d])),
    },
  ]),
  {
    name: 'a dimension that is not a number: ones(["2"])',
    error: ShapeError,
    op: 'ones',
    mentions: ['shape[0] must be a non-negative integer', 'got "2"'],
    run: () => ones(loose(['2'])),
  },
  // ragged
  {
    name: 'ragged nested array: [[1, 2], [3]]',
    error: ShapeError,
    op: 'tensor',
    mentions: ['ragged nested array', 'data[1] has length 1', 'siblings have length 2'],
    inputs: [nested],
    run: () => tensor(loose(nested)),
  },
  {
    name: 'ragged nested array: a number among arrays [[1, 2], 3]',
    error: ShapeError,
    op: 'tensor',
    mentions: ['ragged nested array', 'data[1] is 3'],
    run: () => tensor(loose([[1, 2], 3])),
  },
  {
    name: 'ragged nested array: an array among numbers [1, [2]]',
    error: ShapeError,
    op: 'tensor',
    mentions: ['ragged nested array', 'data[1] is an array of length 1', 'siblings are numbers'],
    run: () => tensor(loose([1, [2]])),
  },
  // non-numeric data
  ...(
    [
      ['null', null, 'null'],
      ['a string', '1', '"1"'],
      ['a boolean', true, 'true'],
      ['a BigInt', 1n, '1n (a BigInt)'],
      ['undefined', undefined, 'undefined'],
    ] as const
  ).flatMap(([what, value, shown]): BadInputCase[] => [
    {
      name: `non-numeric data, ${what}: tensor([[1, 2], [3, x]])`,
      error: DTypeError,
      op: 'tensor',
      mentions: ['data[1][1] must be a number', `got ${shown}`],
      run: () =>
        tensor(
          loose([
            [1, 2],
            [3, value],
          ]),
        ),
    },
    {
      name: `non-numeric data, ${what}: fromArray([1, x], [2])`,
      error: DTypeError,
      op: 'fromArray',
      mentions: ['data[1] must be a number', `got ${shown}`],
      run: () => rightOrThrow(fromArray(loose([1, value]), [2])),
    },
  ]),
  {
    name: 'non-numeric value: scalar("1")',
    error: DTypeError,
    op: 'scalar',
    mentions: ['value must be a number', 'got "1"'],
    run: () => scalar(loose('1')),
  },
  {
    name: 'non-numeric value: full([2], null)',
    error: DTypeError,
    op: 'full',
    mentions: ['value must be a number', 'got null'],
    run: () => full([2], loose(null)),
  },
  {
    name: 'non-array data: fromArray("12", [2])',
    error: DTypeError,
    op: 'fromArray',
    mentions: ['data must be an array of numbers or a Float32Array/Float64Array', 'got "12"'],
    run: () => rightOrThrow(fromArray(loose('12'), [2])),
  },
  // typed arrays and dtypes
  ...(
    [
      ['Int32Array', () => new Int32Array([1, 2])],
      ['Uint8Array', () => new Uint8Array([1, 2])],
      ['BigInt64Array', () => new BigInt64Array([1n, 2n])],
      ['DataView', () => new DataView(new ArrayBuffer(8))],
    ] as const
  ).map(
    ([what, make]): BadInputCase => ({
      name: `a typed array other than Float32Array/Float64Array: fromArray(${what})`,
      error: DTypeError,
      op: 'fromArray',
      mentions: [`data is a ${make().constructor.name}`, 'float32 or float64'],
      run: () => rightOrThrow(fromArray(loose(make()), [2])),
    }),
  ),
  {
    name: 'float32 data with dtype float64: fromArray(Float32Array, { dtype: float64 })',
    error: DTypeError,
    op: 'fromArray',
    mentions: ['data is a Float32Array', 'dtype float64 was asked for', 'cast()'],
    run: () => rightOrThrow(fromArray(new Float32Array([1, 2]), [2], loose({ dtype: 'float64' }))),
  },
  {
    name: 'an unknown dtype: zeros([2], { dtype: "int32" })',
    error: DTypeError,
    op: 'zeros',
    mentions: ["dtype must be 'float32' or 'float64'", 'got "int32"'],
    run: () => zeros([2], loose({ dtype: 'int32' })),
  },
  {
    name: 'float32/float64 mixing: add',
    error: DTypeError,
    op: 'add',
    mentions: ['a is float32', 'b is float64', 'cast('],
    inputs: [a23],
    run: () => add(a23, loose(f64([2, 3]))),
  },
  {
    name: 'float32/float64 mixing: matmul',
    error: DTypeError,
    op: 'matmul',
    mentions: ['a is float32', 'b is float64'],
    run: () => matmul(a23, loose(f64([3, 2]))),
  },
  {
    name: 'float32/float64 mixing: where branches',
    error: DTypeError,
    op: 'where',
    mentions: ['a is float32', 'b is float64'],
    run: () => where(a23, a23, loose(f64([2, 3]))),
  },
  {
    name: 'a non-tensor operand: add(x, "1")',
    error: DTypeError,
    op: 'add',
    mentions: ['b must be a tensor or a number', 'got "1"'],
    run: () => add(a23, loose('1')),
  },
  // axes
  ...(
    [
      ['sum', () => sum(a23, loose(2)), 'axis 2 is out of range for a tensor of rank 2'],
      ['max', () => max(a23, loose(-3)), 'axis -3 is out of range for a tensor of rank 2'],
      ['mean', () => mean(a23, loose([0, 2])), 'axis 2 is out of range for a tensor of rank 2'],
      ['logsumexp', () => logsumexp(a23, loose(2)), 'axis 2 is out of range for a tensor of rank 2'],
      ['softmax', () => softmax(a23, 2), 'axis 2 is out of range for a tensor of rank 2'],
      ['argmax', () => argmax(a23, 5), 'axis 5 is out of range for a tensor of rank 2'],
      ['concat', () => concat([a23, a23], 2), 'axis 2 is out of range for a tensor of rank 2'],
      ['expandDims', () => expandDims(a23, 4), 'axis 4 is out of range for a tensor of rank 3'],
      ['gather', () => gather(a23, [0], 2), 'axis 2 is out of range for a tensor of rank 2'],
      [
        'transpose',
        () => transpose(a23, loose([0, 2])),
        'perm entry 2 is out of range for a tensor of rank 2',
      ],
      ['sum', () => sum(a23, loose(0.5)), 'axis must be an integer, got 0.5'],
      ['sum', () => sum(a23, loose([0, 0])), 'axis [0,0] repeats an axis'],
    ] as const
  ).map(
    ([op, run, message]): BadInputCase => ({
      name: `axis out of range: ${op} (${message})`,
      error: ArgumentError,
      op,
      mentions: [message],
      inputs: [a23],
      run,
    }),
  ),
  {
    name: 'squeeze of an axis that is not 1',
    error: ShapeError,
    op: 'squeeze',
    mentions: ['axis 1 has size 3', '[2,3]', 'not 1'],
    run: () => squeeze(a23, 1),
  },
  // empty tensors
  ...(
    [
      ['max', () => max(f32([0])), '[0]'],
      ['min', () => min(f32([2, 0]), loose(1)), '[2,0]'],
      ['argmax', () => argmax(f32([3, 0])), '[3,0]'],
      ['mean', () => mean(f32([0, 2]), loose(0)), '[0,2]'],
      ['logsumexp', () => logsumexp(f32([0])), '[0]'],
    ] as const
  ).map(
    ([op, run, shape]): BadInputCase => ({
      name: `${op} of an empty tensor ${shape}`,
      error: ArgumentError,
      op,
      mentions: [`cannot take the ${op} over an empty axis`, `shape ${shape}`],
      run,
    }),
  ),
  // item
  {
    name: 'item() on more than one element',
    error: ArgumentError,
    op: 'item',
    mentions: ['exactly one element', 'shape [2,3] (6 elements)'],
    run: () => item(a23),
  },
  {
    name: 'item() on no element',
    error: ArgumentError,
    op: 'item',
    mentions: ['exactly one element', 'shape [0] (0 elements)'],
    run: () => item(f32([0])),
  },
  // gradients
  {
    name: 'grad of a non-scalar function',
    error: ArgumentError,
    op: 'grad',
    mentions: ['f must return a scalar tensor', 'got shape [3]', 'use vjp'],
    inputs: [v3],
    run: () => grad((x: AnyTensor) => mul(x, 2))(v3),
  },
  {
    name: 'grad of a function returning two tensors',
    error: ArgumentError,
    op: 'grad',
    mentions: ['f must return a scalar tensor', 'got an array of 2 tensors'],
    run: () => grad((x: AnyTensor) => loose([sum(x), sum(x)]) as AnyTensor)(v3),
  },
  {
    name: 'grad of a function returning a record (not a tensor)',
    error: ArgumentError,
    op: 'grad',
    mentions: ['f must return a scalar tensor', 'got a record with keys [loss]', 'valueAndGradWithAux'],
    inputs: [v3],
    run: () => grad((x: AnyTensor) => loose({ loss: sum(x) }) as AnyTensor)(v3),
  },
  {
    name: 'grad of a function returning a one-element array (not a tensor)',
    error: ArgumentError,
    op: 'grad',
    mentions: ['f must return a scalar tensor', 'got an array of 1 tensors'],
    run: () => grad((x: AnyTensor) => loose([sum(x)]) as AnyTensor)(v3),
  },
  {
    name: 'a cotangent of the wrong shape',
    error: ShapeError,
    op: 'pullback',
    mentions: ['cotangent has shape [2]', 'the output has shape [3]'],
    inputs: [v3],
    run: () => vjp((x: AnyTensor) => mul(x, 2), v3)[1](f32([2])),
  },
  {
    name: 'a cotangent of the wrong structure',
    error: ShapeError,
    op: 'pullback',
    mentions: ["cotangent's pytree structure differs"],
    run: () => vjp((x: AnyTensor) => mul(x, 2), v3)[1](loose([v3])),
  },
  // hyperparameters
  ...(
    [
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['0', 0],
      ['-0.1', -0.1],
    ] as const
  ).flatMap(([shown, rate]): BadInputCase[] => [
    {
      name: `a learning rate of ${shown}: sgd`,
      error: ArgumentError,
      op: 'sgd',
      mentions: ['learningRate must be a finite number > 0', `got ${shown}`],
      run: () => sgd(rate),
    },
    {
      name: `a learning rate of ${shown}: adam`,
      error: ArgumentError,
      op: 'adam',
      mentions: ['learningRate must be a finite number > 0', `got ${shown}`],
      run: () => adam(rate),
    },
  ]),
  {
    name: 'a negative λ: regularizedLogisticCost',
    error: ArgumentError,
    op: 'regularizedLogisticCost',
    mentions: ['lambda must be a finite number ≥ 0', 'got -1'],
    run: () => regularizedLogisticCost(v3x1, v3x1, template, -1),
  },
  {
    name: 'a negative weight decay: adamw',
    error: ArgumentError,
    op: 'adamw',
    mentions: ['weightDecay must be a finite number ≥ 0', 'got -0.5'],
    run: () => adamw(1e-3, { weightDecay: -0.5 }),
  },
  ...(
    [
      ['0', 0],
      ['2.5', 2.5],
      ['-1', -1],
      ['NaN', Number.NaN],
    ] as const
  ).flatMap(([shown, n]): BadInputCase[] => [
    {
      name: `a batch size of ${shown}: batches`,
      error: ArgumentError,
      op: 'batches',
      mentions: ['batchSize must be a positive integer', `got ${shown}`],
      run: () => batches(10, n),
    },
    {
      name: `a batch size of ${shown}: fit`,
      error: ArgumentError,
      op: 'fit',
      mentions: ['batchSize must be a positive integer', `got ${shown}`],
      run: () => fitModel({ ...fitOptions, batchSize: n }),
    },
    {
      name: `an epoch count of ${shown}: fit`,
      error: ArgumentError,
      op: 'fit',
      mentions: ['epochs must be a positive integer', `got ${shown}`],
      run: () => fitModel({ ...fitOptions, epochs: n }),
    },
  ]),
  // labels and probabilities
  {
    name: 'class labels out of range: softmaxCrossEntropy',
    error: ArgumentError,
    op: 'softmaxCrossEntropy',
    mentions: ['labels[1] is 3', 'not a class index in [0, 3)'],
    inputs: [logits23, labels2],
    run: () => softmaxCrossEntropy(logits23, loose(labels2)),
  },
  {
    name: 'class labels that are not integers: softmaxCrossEntropy',
    error: ArgumentError,
    op: 'softmaxCrossEntropy',
    mentions: ['labels[0] is 0.5', 'not a class index in [0, 3)'],
    run: () => softmaxCrossEntropy(logits23, loose(tensor([0.5, 1]))),
  },
  {
    name: 'class labels out of range: accuracy',
    error: ArgumentError,
    op: 'accuracy',
    mentions: ['labels[1] is -1', 'not a class index in [0, 3)'],
    run: () => accuracy(logits23, tensor([0, -1])),
  },
  {
    name: 'class labels out of range: oneHot',
    error: ArgumentError,
    op: 'oneHot',
    mentions: ['labels[0] is 5', 'not an integer in [0, 3)'],
    run: () => oneHot(tensor([5]), 3),
  },
  ...(
    [
      ['1.5', 1.5],
      ['-0.1', -0.1],
      ['NaN', Number.NaN],
    ] as const
  ).map(
    ([shown, p]): BadInputCase => ({
      name: `BCE probabilities outside [0, 1]: ${shown}`,
      error: ArgumentError,
      op: 'binaryCrossEntropyFromProbabilities',
      mentions: [`probabilities[1] is ${shown}`, 'outside [0, 1]'],
      run: () => binaryCrossEntropyFromProbabilities(tensor([0.5, p]), tensor([1, 0])),
    }),
  ),
  {
    name: 'BCE labels outside [0, 1]',
    error: ArgumentError,
    op: 'binaryCrossEntropy',
    mentions: ['labels[0] is 2', 'outside [0, 1]'],
    run: () => binaryCrossEntropy(tensor([0.5]), tensor([2])),
  },
  // parameter files
  {
    name: 'a parameter file of malformed JSON (with its position)',
    error: DecodeError,
    op: 'paramsFromJSON',
    mentions: ['malformed JSON at position 52', 'line 1, column 53'],
    run: () => rightOrThrow(paramsFromJSON('{"format": "nabla-params", "version": 1, "params": {', template)),
  },
  {
    name: 'a parameter file with a missing key (names the expected keys)',
    error: DecodeError,
    op: 'paramsFromJSON',
    mentions: ['params.w', 'missing key "w" (expected keys: w, b)'],
    run: () =>
      rightOrThrow(
        paramsFromJSON(
          fileWith((f) => ({ ...f, params: { b: f.params.b } })),
          template,
        ),
      ),
  },
  {
    name: 'a parameter file with an unknown key (names the expected keys)',
    error: DecodeError,
    op: 'paramsFromJSON',
    mentions: ['params.extra', 'unknown key "extra" (expected keys: w, b)'],
    run: () =>
      rightOrThrow(
        paramsFromJSON(
          fileWith((f) => ({ ...f, params: { ...f.params, extra: f.params.b } })),
          template,
        ),
      ),
  },
  {
    name: 'a parameter file with a wrong shape',
    error: DecodeError,
    op: 'paramsFromJSON',
    mentions: ['params.b', '[3]', '[2]'],
    run: () =>
      rightOrThrow(
        paramsFromJSON(
          fileWith((f) => ({
            ...f,
            params: { ...f.params, b: { dtype: 'float32', shape: [3], data: [0, 0, 0] } },
          })),
          template,
        ),
      ),
  },
  {
    name: 'a parameter file with a non-number',
    error: DecodeError,
    op: 'paramsFromJSON',
    mentions: ['params.b', 'data[1]', '"x"'],
    run: () =>
      rightOrThrow(
        paramsFromJSON(
          fileWith((f) => ({
            ...f,
            params: { ...f.params, b: { dtype: 'float32', shape: [2], data: [0, 'x'] } },
          })),
          template,
        ),
      ),
  },
  {
    name: 'a parameter file of another format version',
    error: DecodeError,
    op: 'paramsFromJSON',
    mentions: ['version', '2'],
    run: () =>
      rightOrThrow(
        paramsFromJSON(
          fileWith((f) => ({ ...f, version: 2 })),
          template,
        ),
      ),
  },
  // pytree keys that are not plain own data
  ...reservedKeyCases(),
  {
    name: 'a pytree record with a getter: flatten',
    error: ArgumentError,
    op: 'flatten',
    mentions: ['x.w is an accessor (getter/setter)', 'plain data properties'],
    run: () =>
      flatten(
        Object.defineProperty({}, 'w', {
          get: () => ones([1]),
          enumerable: true,
        }),
      ),
  },
  {
    name: 'a TreeDef that names __proto__: unflatten never sets a prototype',
    error: ArgumentError,
    op: 'unflatten',
    mentions: ['x.__proto__', 'the key "__proto__" is not allowed in a pytree'],
    run: () => unflatten({ kind: 'record', keys: ['__proto__'], children: [{ kind: 'leaf' }] }, [ones([1])]),
  },
  {
    name: 'a safetensors name with 3,000 dot-separated parts (no stack overflow)',
    error: DecodeError,
    op: 'decodeSafetensors',
    mentions: ['3000 dot-separated parts', 'more than the 64 levels of nesting allowed'],
    run: () => rightOrThrow(decodeSafetensors(safetensorsNamed(Array(3000).fill('a').join('.')))),
  },
  // the memory budget (a machine with 16 GiB available: an automatic budget of 4 GiB)
  {
    name: 'a tensor over the memory budget: zeros([2**31 - 1], float64) is 16 GiB',
    error: ResourceError,
    op: 'zeros',
    mentions: [
      'shape [2147483647] of float64 needs 16 GiB (17179869176 bytes)',
      'more than the memory budget of 4 GiB (4294967296 bytes) (a quarter of the memory available now)',
      'setMemoryBudget',
    ],
    run: () => onMachineWith(16 * 2 ** 30, () => zeros([2 ** 31 - 1], { dtype: 'float64' })),
  },
  {
    name: 'a result over the memory budget: matmul of [40000,1] and [1,40000] is 6.4 GB',
    error: ResourceError,
    op: 'matmul',
    mentions: [
      'the result of shape [40000,40000] (float32) from inputs of shapes [40000,1], [1,40000]',
      'needs 6 GiB (6400000000 bytes), more than the memory budget of 4 GiB',
    ],
    run: () => onMachineWith(16 * 2 ** 30, () => matmul(f32([40000, 1]), loose(f32([1, 40000])))),
  },
  {
    name: 'a result over a fixed memory budget (setMemoryBudget): ones of 2 MiB under 1 MiB',
    error: ResourceError,
    op: 'ones',
    mentions: [
      'shape [512,1024] of float32 needs 2 MiB (2097152 bytes)',
      'memory budget of 1 MiB',
      'set by setMemoryBudget',
    ],
    run: () => withBudget(2 ** 20, () => ones([512, 1024])),
  },
  {
    name: 'a parameter file whose tensor is over the memory budget (a ResourceError, never a Left)',
    error: ResourceError,
    op: 'paramsFromJSON',
    mentions: [
      'params.w: shape',
      'shape [128,256] of float32 needs 128 KiB (131072 bytes)',
      'memory budget of 64 KiB',
    ],
    run: () =>
      withBudget(2 ** 16, () =>
        rightOrThrow(
          paramsFromJSON(
            `{"format":"nabla-params","version":1,"params":{"w":{"dtype":"float32","shape":[128,256],"data":[${new Array(128 * 256).fill(0).join(',')}]}}}`,
          ),
        ),
      ),
  },
  // training data, validated once before step 1
  {
    name: 'fit with a NaN in train.x names its index before step 1',
    error: ArgumentError,
    op: 'fit',
    mentions: ['train.x[2][1] is NaN (flat index 5 of shape [4,2])', 'training data must be finite'],
    run: () =>
      fitModel({ ...fitOptions, train: { x: withValue(f32([4, 2]), 5, Number.NaN), y: f32([4, 2]) } }),
  },
  {
    name: 'fit with an Infinity in train.y',
    error: ArgumentError,
    op: 'fit',
    mentions: ['train.y[3][0] is Infinity'],
    run: () =>
      fitModel({
        ...fitOptions,
        train: { x: f32([4, 2]), y: withValue(f32([4, 2]), 6, Number.POSITIVE_INFINITY) },
      }),
  },
  {
    name: 'fit with a class label out of range',
    error: ArgumentError,
    op: 'fit',
    mentions: ['train.y[2] is 3, not a class index in [0, 3)'],
    run: () =>
      fitModel({
        ...classifierOptions,
        train: { x: f32([4, 2]), y: tensor([0, 1, 3, 2]) },
      }),
  },
  {
    name: 'fit with a one-hot row that is not one-hot',
    error: ArgumentError,
    op: 'fit',
    mentions: ['train.y[1] = [0,1,1] is not one-hot (zeros and a single 1)'],
    run: () =>
      fitModel({
        ...classifierOptions,
        targets: 'one-hot',
        train: {
          x: f32([2, 2]),
          y: tensor([
            [1, 0, 0],
            [0, 1, 1],
          ]),
        },
      }),
  },
  {
    name: 'trainStep validates its batch: a NaN in batch.x',
    error: ArgumentError,
    op: 'trainStep',
    mentions: ['batch.x[0][1] is NaN', 'training data must be finite'],
    run: () =>
      trainStep(fitOptions.loss, sgd(0.1))(fitOptions.params, sgd(0.1).init(fitOptions.params), {
        x: withValue(f32([2, 2]), 1, Number.NaN),
        y: f32([2, 2]),
      }),
  },
  {
    name: 'trainStep with class targets: a label out of range in batch.y',
    error: ArgumentError,
    op: 'trainStep',
    mentions: ['batch.y[1] is -1, not a class index in [0, 3)'],
    run: () =>
      trainStep(classifierOptions.loss, sgd(0.1), { targets: { classes: 3 } })(
        classifierOptions.params,
        sgd(0.1).init(classifierOptions.params),
        { x: f32([2, 2]), y: tensor([0, -1]) },
      ),
  },
  ...(
    [
      [
        'a row summing to 2',
        [
          [1, 0, 0],
          [0, 1, 1],
        ],
        'labels row 1 = [0,1,1] sums to 2, not 1',
      ],
      [
        'a row with -1',
        [
          [1, 0, 0],
          [-1, 1, 1],
        ],
        'labels row 1 = [-1,1,1] has -1 at class 0 (entries must be ≥ 0)',
      ],
      [
        'an all-zero row',
        [
          [0, 0, 0],
          [0, 1, 0],
        ],
        'labels row 0 = [0,0,0] sums to 0, not 1',
      ],
    ] as const
  ).map(
    ([what, rows, message]): BadInputCase => ({
      name: `softmaxCrossEntropy target rows that are not distributions: ${what}`,
      error: ArgumentError,
      op: 'softmaxCrossEntropy',
      mentions: [message, 'target rows must be distributions'],
      run: () => softmaxCrossEntropy(logits23, loose(tensor(rows.map((r) => [...r])))),
    }),
  ),
  // shapes too large to allocate
  {
    name: 'a shape too large to allocate: zeros([1e6, 1e6])',
    error: ShapeError,
    op: 'zeros',
    mentions: ['[1000000,1000000]', '1000000000000 elements', 'more than the 2147483647 allowed'],
    run: () => zeros([hugeDim, hugeDim]),
  },
  {
    name: 'a result too large to allocate: add of [1e6, 1] and [1, 1e6]',
    error: ShapeError,
    op: 'add',
    mentions: [
      '[1000000,1000000]',
      'more than the 2147483647 allowed',
      'inputs of shapes [1000000,1], [1,1000000]',
    ],
    run: () => add(f32([hugeDim, 1]), loose(f32([1, hugeDim]))),
  },
  {
    name: 'a result too large to allocate: matmul of [1e6, 1] and [1, 1e6]',
    error: ShapeError,
    op: 'matmul',
    mentions: ['[1000000,1000000]', 'more than the 2147483647 allowed'],
    run: () => matmul(f32([hugeDim, 1]), loose(f32([1, hugeDim]))),
  },
  {
    name: 'a result too large to allocate: pad by 1e10',
    error: ShapeError,
    op: 'pad',
    mentions: ['[10000000001]', 'more than the 2147483647 allowed'],
    run: () => pad(f32([1]), [[1e10, 0]]),
  },
  {
    name: 'a result too large to allocate: oneHot with depth 1e6 of 1e6 labels',
    error: ShapeError,
    op: 'oneHot',
    mentions: ['[1000000,1000000]', 'more than the 2147483647 allowed'],
    run: () => oneHot(f32([hugeDim]), hugeDim),
  },
]
