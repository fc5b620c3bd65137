/**
 * `matmul`: the matrix product `op(a) · op(b)` of the last two axes, where `op` optionally
 * transposes; leading (batch) axes broadcast. The transpose flags let the backward pass multiply by
 * `Aᵀ` and `Bᵀ` without materialising transposes, so kernels can pack the operands instead.
 *
 * @module prims/matmul
 */

import { apply } from '../dispatch.js'
import { allocateUnfilled } from '../dtype.js'
import { formatShape, ShapeError } from '../errors.js'
import { kernels } from '../kernels/index.js'
import { definePrim, type Prim } from '../prim.js'
import { broadcastClash, broadcastShapes, sizeOf } from '../shape.js'
import { storage } from '../tensor.js'
import { alignBatched } from './batching.js'
import { sameDType } from './elementwise.js'

/** Whether each operand is used transposed (last two axes swapped). */
export interface MatmulParams {
  readonly transposeA: boolean
  readonly transposeB: boolean
}

export const matmulPrim: Prim<MatmulParams> = definePrim<MatmulParams>({
  name: 'matmul',
  infer: ([a, b], { transposeA, transposeB }) => {
    for (const [name, t] of [['a', a!] as const, ['b', b!] as const])
      if (t.shape.length < 2)
        throw new ShapeError('matmul', `${name} must have rank 2 or more, got ${formatShape(t.shape)}`)
    const ra = a!.shape.length
    const rb = b!.shape.length
    const m = a!.shape[transposeA ? ra - 1 : ra - 2]!
    const k = a!.shape[transposeA ? ra - 2 : ra - 1]!
    const k2 = b!.shape[transposeB ? rb - 1 : rb - 2]!
    const n = b!.shape[transposeB ? rb - 2 : rb - 1]!
    const flags = transposeA || transposeB ? ` (transposeA ${transposeA}, transposeB ${transposeB})` : ''
    if (k !== k2)
      throw new ShapeError(
        'matmul',
        `inner dimensions differ: a is ${formatShape(a!.shape)}, b is ${formatShape(b!.shape)}${flags}`,
      )
    const batchA = a!.shape.slice(0, -2)
    const batchB = b!.shape.slice(0, -2)
    const clash = broadcastClash(batchA, batchB)
    if (clash !== undefined)
      throw new ShapeError(
        'matmul',
        `cannot broadcast the batch dimensions ${formatShape(batchA)} of a ${formatShape(a!.shape)} with ${formatShape(batchB)} of b ${formatShape(b!.shape)}${flags}: batch ${clash}`,
      )
    const batch = broadcastShapes('matmul', batchA, batchB)
    return { shape: [...batch, m, n], dtype: sameDType('matmul', [a!, b!]) }
  },
  forward: ([a, b], { transposeA, transposeB }, { shape, dtype }) => {
    const out = allocateUnfilled(dtype, sizeOf(shape)) // the kernel writes every element
    kernels().matmul({
      a: storage(a!),
      aShape: a!.shape,
      b: storage(b!),
      bShape: b!.shape,
      transposeA,
      transposeB,
      out,
      outShape: shape,
    })
    return out
  },
  vjp: (ops, ct, _out, [a, b], { transposeA: ta, transposeB: tb }, needs) => [
    !needs[0]
      ? null
      : ta
        ? ops.matmulTransposed(b!, ct, { transposeA: tb, transposeB: true })
        : ops.matmulTransposed(ct, b!, { transposeB: !tb }),
    !needs[1]
      ? null
      : tb
        ? ops.matmulTransposed(ct, a!, { transposeA: true, transposeB: ta })
        : ops.matmulTransposed(a!, ct, { transposeA: !ta }),
  ],
  batch: (ops, inputs, batched, params) => {
    const [a, b] = inputs
    // one tall product when b is the same matrix for every example: [B·…·m, k] · [k, n]
    if (!batched[1] && !params.transposeA && b!.shape.length === 2) {
      const rows = a!.shape.slice(0, -1).reduce((x, y) => x * y, 1)
      const product = apply(matmulPrim, [ops.reshape(a!, [rows, a!.shape.at(-1)!]), b!], params)
      return ops.reshape(product, [...a!.shape.slice(0, -1), product.shape[1]!])
    }
    // one wide product when a is the same matrix for every example: [m, k] · [k, B·n]
    if (!batched[0] && a!.shape.length === 2 && b!.shape.length === 3) {
      const [size, rows, columns] = b!.shape as [number, number, number]
      const wide = params.transposeB
        ? ops.reshape(b!, [size * rows, columns])
        : ops.reshape(ops.transpose(b!, [1, 0, 2]), [rows, size * columns])
      const product = apply(matmulPrim, [a!, wide], params)
      const n = params.transposeB ? rows : columns
      return ops.transpose(ops.reshape(product, [product.shape[0]!, size, n]), [1, 0, 2])
    }
    return apply(matmulPrim, alignBatched(ops, inputs, batched), params)
  },
  domain: (t) =>
    t.fc
      .record({
        batchA: t.fc.array(t.fc.constantFrom(1, 2), { maxLength: 2 }),
        batchB: t.fc.array(t.fc.constantFrom(1, 2), { maxLength: 2 }),
        m: t.fc.integer({ min: 1, max: 4 }),
        k: t.fc.integer({ min: 0, max: 4 }),
        n: t.fc.integer({ min: 1, max: 4 }),
        transposeA: t.fc.boolean(),
        transposeB: t.fc.boolean(),
      })
      .chain(({ batchA, batchB, m, k, n, transposeA, transposeB }) => {
        // align batch dims so they broadcast: where both exist and differ, make one of them 1
        const bB = batchB.map((d, i) => {
          const j = batchA.length - batchB.length + i
          return j >= 0 && batchA[j] !== d && batchA[j] !== 1 ? 1 : d
        })
        return t.fc
          .tuple(
            t.tensor([...batchA, ...(transposeA ? [k, m] : [m, k])], { min: -2, max: 2 }),
            t.tensor([...bB, ...(transposeB ? [n, k] : [k, n])], { min: -2, max: 2 }),
          )
          .map(([a, b]) => ({ inputs: [a, b], params: { transposeA, transposeB } }))
      }),
})
