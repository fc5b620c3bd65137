/**
 * The product split for several threads by rows (`splitOf` in threads.ts picks rows or columns).
 * All of `op(B)` is packed once (`packAll`, its blocks shared out among the threads), then every
 * thread takes row blocks of C off a shared counter and runs `gemmRows` on each: it packs only its
 * own rows of A and reads the shared packed B, so no packing is repeated between threads. (A column
 * split needs nothing from here:
 * each task runs the plain `gemm` on its columns.)
 *
 * Packed B is the concatenation of the blocks the single-threaded `gemm` packs one at a time: for
 * each column block `jc` (of `nc` columns) and each depth slice `pc`, a slice of `kb` rows by the
 * block's columns rounded up to whole panels. Block `(jc, pc)` therefore starts `jc·k + pc·nbPad`
 * elements in, where `nbPad` is the block's padded width.
 *
 * @module kernels/wasm/shared
 */
import { FunctionBuilder } from './encoder.js'
import {
  emitBlocks,
  emitRowBlock,
  emitSliceDepth,
  type GemmShape,
  scratchLayout,
  tileColumns,
} from './gemm.js'

/** Elements `packAll` writes for an `n`-column `op(B)` of depth `k`. */
export const packedSize = (shape: GemmShape, k: number, n: number): number => {
  const nr = tileColumns(shape)
  return k * Math.ceil(n / nr) * nr
}

/** Bytes of that packing, rounded up to 16 (where a range for it is laid out). */
export const packedBytes = (shape: GemmShape, k: number, n: number): number =>
  Math.ceil((packedSize(shape, k, n) * shape.lanes.bytes) / 16) * 16

/** Bytes of per-thread scratch `gemmRows` needs: one packed A block and one edge tile. */
export const rowsScratchBytes = (shape: GemmShape): number => {
  const layout = scratchLayout(shape)
  return layout.packB + (layout.total - layout.edge)
}

/** Pushes the byte offset of packed block `(jc, pc)`: `(jc·k + pc·nbPad) · bytes`. */
const pushBlockOffset = (
  f: FunctionBuilder,
  shape: GemmShape,
  locals: { jc: number; k: number; pc: number; nb: number },
): void => {
  const nr = tileColumns(shape)
  f.get(locals.jc).get(locals.k).op('i32.mul')
  // nbPad = (nb + nr - 1) / nr * nr
  f.get(locals.pc)
    .get(locals.nb)
    .i32(nr - 1)
    .op('i32.add')
    .i32(nr)
    .op('i32.div_u')
    .i32(nr)
    .op('i32.mul')
  f.op('i32.mul').op('i32.add').i32(shape.lanes.shift).op('i32.shl')
}

/** How many blocks `(jc, pc)` `packAll` packs for an `n`-column `op(B)` of depth `k`. */
export const packedBlocks = (shape: GemmShape, k: number, n: number): number => {
  // the slices emitSliceDepth cuts: equal ones of at most kc
  const depth = Math.ceil(k / Math.ceil(k / shape.kc))
  return Math.ceil(n / shape.nc) * Math.ceil(k / depth)
}

/**
 * `packAll(b, rowStrideB, colStrideB, n, k, dst, first, step)`: packs blocks `first`, `first + step`,
 * `first + 2·step`, … (in `jc`-major order, `packedBlocks` in all) of `op(B)` (k × n) at `dst`;
 * `first = 0, step = 1` packs all of it. Threads that share the packing each take a `first`.
 */
export const emitPackAll = (shape: GemmShape, packColumns: number): FunctionBuilder => {
  const { lanes, kc, nc } = shape
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'])
  const [b, rsB, csB, n, k, dst, first, step] = [0, 1, 2, 3, 4, 5, 6, 7]
  const [jc, pc, nb, kb, bound, depth, block] = [
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
  ]
  emitSliceDepth(f, kc, k, bound, depth)
  f.i32(0).set(block)
  emitBlocks(f, { index: jc, total: n, size: nb, step: nc, scratch: bound }, () => {
    emitBlocks(f, { index: pc, total: k, size: kb, step: { local: depth }, scratch: bound }, () => {
      f.get(block).get(first).op('i32.eq').if()
      // source: b + (pc·rsB + jc·csB)·bytes; destination: dst + block offset
      f.get(b).get(pc).get(rsB).op('i32.mul').get(jc).get(csB).op('i32.mul').op('i32.add')
      f.i32(lanes.shift).op('i32.shl').op('i32.add')
      f.get(csB).get(rsB).get(nb).get(kb)
      f.get(dst)
      pushBlockOffset(f, shape, { jc, k, pc, nb })
      f.op('i32.add')
      f.call(packColumns)
      f.get(first).get(step).op('i32.add').set(first)
      f.end()
      f.get(block).i32(1).op('i32.add').set(block)
    })
  })
  return f
}

/**
 * `gemmRows(a, rowStrideA, colStrideA, packedB, c, ldc, m, n, k, scratch)`: `C[m × n] = op(A)·B`
 * from a `packAll`-packed B; `scratch` points at `rowsScratchBytes(shape)` bytes of its own.
 */
export const emitGemmRows = (
  shape: GemmShape,
  callees: { packRows: number; macro: number },
): FunctionBuilder => {
  const { kc, mc, nc } = shape
  const f = new FunctionBuilder(Array.from({ length: 10 }, () => 'i32' as const))
  const [a, rsA, csA, packedB, c, ldc, m, n, k, scratch] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
  const [jc, pc, ic, nb, kb, mb, bound, depth] = [
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
  ]
  const layout = scratchLayout(shape)
  emitSliceDepth(f, kc, k, bound, depth)
  emitBlocks(f, { index: jc, total: n, size: nb, step: nc, scratch: bound }, () => {
    emitBlocks(f, { index: pc, total: k, size: kb, step: { local: depth }, scratch: bound }, () => {
      emitBlocks(f, { index: ic, total: m, size: mb, step: mc, scratch: bound }, () => {
        // the edge tile follows the packed-A block
        emitRowBlock(f, shape, {
          ...{ a, rsA, csA, c, ldc, ic, pc, jc, mb, nb, kb, scratch },
          packedA: layout.packA,
          edge: layout.packB,
          callees,
          pushPackedB: () => {
            f.get(packedB)
            pushBlockOffset(f, shape, { jc, k, pc, nb })
            f.op('i32.add')
          },
        })
      })
    })
  })
  return f
}
