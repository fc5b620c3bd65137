/**
 * Type-level tests of shape-polymorphic ops: a generic batch dimension `B` survives binary ops,
 * matmul, reductions, softmax, transpose and reshape, and a proven mismatch still does not compile
 * (each `@ts-expect-error` call also throws at run time). Messages name a generic dimension by its
 * type parameter: `cannot broadcast [${B},3] with [4]`.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  add,
  type CheckBroadcast,
  greater,
  logSoftmax,
  matmul,
  maximum,
  mean,
  mul,
  neg,
  relu,
  reshape,
  ShapeError,
  type ShapeErrorType,
  type ShapeString,
  softmax,
  sub,
  sum,
  type Tensor,
  transpose,
  where,
  zeros,
} from '../../src/index.js'

// Every op keeps B: these bodies compile with no cast, and their return types are declared.
const difference = <B extends number>(x: Tensor<[B, 10]>, y: Tensor<[B, 10]>): Tensor<[B, 10]> => sub(x, y)
const centred = <B extends number>(x: Tensor<[B, 10]>, m: Tensor<[B, 1]>): Tensor<[B, 10]> => sub(x, m)
const biased = <B extends number>(x: Tensor<[B, 10]>, b: Tensor<[10]>): Tensor<[B, 10]> => add(x, b)
const rectified = <B extends number>(x: Tensor<[B, 10]>): Tensor<[B, 10]> => where(greater(x, 0), x, 0)
const widest = <B extends number>(x: Tensor<[B, 10]>, y: Tensor<[B, 10]>): Tensor<[B, 10]> =>
  maximum(x, mul(y, 2))
const projected = <B extends number>(x: Tensor<[B, 784]>): Tensor<[B, 128], 'float32'> =>
  matmul(x, zeros([784, 128]))
const hidden = <B extends number, H extends number>(x: Tensor<[B, H]>, w: Tensor<[H, 10]>): Tensor<[B, 10]> =>
  matmul(x, w)
const rowSums = <B extends number>(x: Tensor<[B, 10]>): Tensor<[B]> => sum(x, 1)
const rowMeans = <B extends number>(x: Tensor<[B, 10]>): Tensor<[B, 1]> => mean(x, -1, { keepdims: true })
const probabilities = <B extends number>(x: Tensor<[B, 10]>): Tensor<[B, 10]> => softmax(x)
const flipped = <B extends number>(x: Tensor<[B, 10]>): Tensor<[10, B]> => transpose(x)
const flattened = <B extends number>(x: Tensor<[B, 28, 28]>): Tensor<[B, 784]> => reshape(x, [-1, 784])
/** A hand-written cross-entropy: no casts, and the result is a scalar. */
const crossEntropy = <B extends number>(logits: Tensor<[B, 10]>, labels: Tensor<[B, 10]>): Tensor<[]> =>
  neg(mean(sum(mul(logSoftmax(logits), labels), 1)))

/** A long unannotated chain of generic ops (the old types hit TS2589 after ~80 ops). */
const longChain = <B extends number>(x: Tensor<[B, 10]>, y: Tensor<[B, 10]>) => {
  const a1 = relu(add(mul(x, y), sub(x, 1)))
  const a2 = relu(add(mul(a1, y), sub(a1, 1)))
  const a3 = relu(add(mul(a2, y), sub(a2, 1)))
  const a4 = relu(add(mul(a3, y), sub(a3, 1)))
  const a5 = relu(add(mul(a4, y), sub(a4, 1)))
  const a6 = relu(add(mul(a5, y), sub(a5, 1)))
  const a7 = relu(add(mul(a6, y), sub(a6, 1)))
  const a8 = relu(add(mul(a7, y), sub(a7, 1)))
  const a9 = relu(add(mul(a8, y), sub(a8, 1)))
  const a10 = relu(add(mul(a9, y), sub(a9, 1)))
  const b1 = relu(add(mul(a10, y), sub(a10, 1)))
  const b2 = relu(add(mul(b1, y), sub(b1, 1)))
  const b3 = relu(add(mul(b2, y), sub(b2, 1)))
  const b4 = relu(add(mul(b3, y), sub(b3, 1)))
  const b5 = relu(add(mul(b4, y), sub(b4, 1)))
  const b6 = relu(add(mul(b5, y), sub(b5, 1)))
  const b7 = relu(add(mul(b6, y), sub(b6, 1)))
  const b8 = relu(add(mul(b7, y), sub(b7, 1)))
  const b9 = relu(add(mul(b8, y), sub(b8, 1)))
  const b10 = relu(add(mul(b9, y), sub(b9, 1)))
  const c1 = relu(add(mul(b10, y), sub(b10, 1)))
  const c2 = relu(add(mul(c1, y), sub(c1, 1)))
  const c3 = relu(add(mul(c2, y), sub(c2, 1)))
  const c4 = relu(add(mul(c3, y), sub(c3, 1)))
  const c5 = relu(add(mul(c4, y), sub(c4, 1)))
  const c6 = relu(add(mul(c5, y), sub(c5, 1)))
  const c7 = relu(add(mul(c6, y), sub(c6, 1)))
  const c8 = relu(add(mul(c7, y), sub(c7, 1)))
  const c9 = relu(add(mul(c8, y), sub(c8, 1)))
  const c10 = relu(add(mul(c9, y), sub(c9, 1)))
  return c10 // 120 ops, unannotated: the inferred return type is Tensor<[B, 10]>
}

// A proven mismatch is still an error with a generic dimension around.
const clash = <B extends number>(x: Tensor<[B, 10]>, y: Tensor<[B, 9]>) =>
  // @ts-expect-error: cannot broadcast [${B},10] with [${B},9]
  sub(x, y)
const innerClash = <B extends number>(x: Tensor<[B, 784]>) =>
  // @ts-expect-error: inner dimensions differ: a is [${B},784], b is [128,10]
  matmul(x, zeros([128, 10]))
const wrongTail = <B extends number>(x: Tensor<[B, 3]>) =>
  // @ts-expect-error: cannot broadcast [${B},3] with [4]
  add(x, zeros([4]))

describe('generic dimensions in the types', () => {
  it('keep B through every op, and the values are right at run time', () => {
    const x = zeros([5, 10])
    expect(difference(x, x).shape).toEqual([5, 10])
    expect(centred(x, zeros([5, 1])).shape).toEqual([5, 10])
    expect(biased(x, zeros([10])).shape).toEqual([5, 10])
    expect(rectified(x).shape).toEqual([5, 10])
    expect(widest(x, x).shape).toEqual([5, 10])
    expect(projected(zeros([5, 784])).shape).toEqual([5, 128])
    expect(hidden(zeros([5, 7]), zeros([7, 10])).shape).toEqual([5, 10])
    expect(rowSums(x).shape).toEqual([5])
    expect(rowMeans(x).shape).toEqual([5, 1])
    expect(probabilities(x).shape).toEqual([5, 10])
    expect(flipped(x).shape).toEqual([10, 5])
    expect(flattened(zeros([5, 28, 28])).shape).toEqual([5, 784])
    expect(crossEntropy(x, x).shape).toEqual([])
    expect(longChain(x, x).shape).toEqual([5, 10])
  })

  it('infers B at the call site', () => {
    expectTypeOf(difference(zeros([5, 10]), zeros([5, 10]))).toEqualTypeOf<Tensor<[5, 10]>>()
    expectTypeOf(flattened(zeros([32, 28, 28]))).toEqualTypeOf<Tensor<[32, 784]>>()
    expectTypeOf(longChain(zeros([3, 10]), zeros([3, 10]))).toEqualTypeOf<Tensor<[3, 10]>>()
  })

  it('rejects proven mismatches at compile time and at run time', () => {
    expect(() => clash(zeros([2, 10]), zeros([2, 9]))).toThrow(ShapeError)
    expect(() => innerClash(zeros([2, 784]))).toThrow(ShapeError)
    expect(() => wrongTail(zeros([2, 3]))).toThrow(ShapeError)
  })

  it('renders dimensions as themselves in messages', () => {
    expectTypeOf<ShapeString<[number, 3]>>().toEqualTypeOf<`[${number},3]`>()
    expectTypeOf<CheckBroadcast<[number, 3], [4]>>().toEqualTypeOf<
      ShapeErrorType<`cannot broadcast [${number},3] with [4]`>
    >()
  })
})
