/**
 * Emits the matrix-product kernel in the GotoBLAS shape: operands are packed into panels (so a
 * transposed operand costs nothing extra: packing reads it with swapped strides), and a register
 * tile of `mr × nr` outputs is accumulated in v128 locals over a `kc`-deep slice.
 *
 *   for jc in n step nc:            pack op(B)[pc:pc+kc, jc:jc+nc] into nr-wide panels
 *     for pc in k step kc:          (k is cut into equal slices of at most kc)
 *       for ic in m step mc:        pack op(A)[ic:ic+mc, pc:pc+kc] into mr-high panels
 *         macro: for each nr panel, for each mr panel: the register tile (micro-kernel)
 *
 * Tiles that stick out of C are computed into a scratch tile and the valid part copied, so C is
 * written only inside `m × n`. With relaxed SIMD the tile uses `relaxed_madd` (fused on x64),
 * otherwise mul + add.
 *
 * @module kernels/wasm/gemm
 */
import { FunctionBuilder } from './encoder.js'
import type { Lanes } from './lanes.js'

/** Blocking parameters of the emitted product. */
export interface GemmShape {
  readonly lanes: Lanes
  /** Rows of the register tile. */
  readonly mr: number
  /** Columns of the register tile, in v128 vectors (so `nr = nrVectors × lanes`). */
  readonly nrVectors: number
  /** Depth of a packed slice. */
  readonly kc: number
  /** Rows of a packed A block (a multiple of mr). */
  readonly mc: number
  /** Columns of a packed B block (a multiple of nr). */
  readonly nc: number
  /** How many k steps one pass of the inner loop does. */
  readonly unroll: number
  /** Whether to use relaxed-SIMD fused multiply-add. */
  readonly fma: boolean
}

/** Columns of the register tile. */
export const tileColumns = (shape: GemmShape): number => shape.nrVectors * shape.lanes.lanes

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16

/** Byte offsets, inside a gemm's scratch area, of its packed A, packed B and edge tile. */
export const scratchLayout = (shape: GemmShape) => {
  const e = shape.lanes.bytes
  const packB = align16(shape.mc * shape.kc * e)
  const edge = packB + align16(shape.kc * shape.nc * e)
  const total = edge + align16(shape.mr * tileColumns(shape) * e)
  return { packA: 0, packB, edge, total }
}

/** `min(x, y)` of two i32 locals (unsigned), pushed on the stack. */
export const pushMin = (f: FunctionBuilder, x: number, y: number): void => {
  f.get(x).get(y).get(x).get(y).op('i32.lt_u').op('select')
}

/**
 * Emits a blocked loop: `for (index = 0; index < total; index += step) { size = min(total − index,
 * step); body() }`. `step` is a constant or (`{ local }`) an i32 local; `scratch` is a spare i32
 * local that a constant step is loaded into.
 */
export const emitBlocks = (
  f: FunctionBuilder,
  loop: {
    readonly index: number
    readonly total: number
    readonly size: number
    readonly step: number | { readonly local: number }
    readonly scratch: number
  },
  body: () => void,
): void => {
  const { index, total, size, step, scratch } = loop
  f.i32(0).set(index)
  f.block().loop()
  f.get(index).get(total).op('i32.ge_u').brIf(1)
  f.get(total).get(index).op('i32.sub').set(size)
  if (typeof step === 'number') f.i32(step).set(scratch)
  pushMin(f, size, typeof step === 'number' ? scratch : step.local)
  f.set(size)
  body()
  f.get(index)
  if (typeof step === 'number') f.i32(step)
  else f.get(step.local)
  f.op('i32.add').set(index)
  f.br(0).end().end()
}

/**
 * The register tile: accumulates `mr × nr` outputs over `kb` steps of the packed panels at `a` and
 * `b`, then stores them at `target` (rows `rowBytes` apart), adding to what is there when
 * `accumulate` is set. Emitted inline into the macro-kernel.
 */
const emitTile = (
  f: FunctionBuilder,
  shape: GemmShape,
  locals: { a: number; b: number; kb: number; target: number; rowBytes: number; accumulate: number },
): void => {
  const { lanes, mr, nrVectors, unroll, fma } = shape
  const e = lanes.bytes
  const nr = tileColumns(shape)
  const acc = Array.from({ length: mr }, () => Array.from({ length: nrVectors }, () => f.local('v128')))
  const bv = Array.from({ length: nrVectors }, () => f.local('v128'))
  const av = f.local('v128')
  const p = f.local('i32')
  const row = f.local('i32')
  for (const line of acc)
    for (const x of line) {
      lanes.constant(f, 0)
      f.op(lanes.splat).set(x)
    }
  const step = (u: number) => {
    for (let j = 0; j < nrVectors; j++)
      f.get(locals.b)
        .mem('v128.load', (u * nr + j * lanes.lanes) * e)
        .set(bv[j]!)
    for (let r = 0; r < mr; r++) {
      f.get(locals.a)
        .mem(lanes.splatLoad, (u * mr + r) * e)
        .set(av)
      for (let j = 0; j < nrVectors; j++) {
        const x = acc[r]![j]!
        if (fma) f.get(av).get(bv[j]!).get(x).op(lanes.vector('relaxed_madd')).set(x)
        else f.get(x).get(av).get(bv[j]!).op(lanes.vector('mul')).op(lanes.vector('add')).set(x)
      }
    }
  }
  const loop = (steps: number) => {
    f.block().loop()
    f.get(p).i32(steps).op('i32.lt_u').brIf(1)
    for (let u = 0; u < steps; u++) step(u)
    f.get(locals.a)
      .i32(steps * mr * e)
      .op('i32.add')
      .set(locals.a)
    f.get(locals.b)
      .i32(steps * nr * e)
      .op('i32.add')
      .set(locals.b)
    f.get(p).i32(steps).op('i32.sub').set(p)
    f.br(0).end().end()
  }
  f.get(locals.kb).set(p)
  if (unroll > 1) loop(unroll)
  loop(1)
  const store = (add: boolean) => {
    f.get(locals.target).set(row)
    for (let r = 0; r < mr; r++) {
      for (let j = 0; j < nrVectors; j++) {
        const offset = j * lanes.lanes * e
        f.get(row)
        if (add) f.get(row).mem('v128.load', offset).get(acc[r]![j]!).op(lanes.vector('add'))
        else f.get(acc[r]![j]!)
        f.mem('v128.store', offset)
      }
      if (r < mr - 1) f.get(row).get(locals.rowBytes).op('i32.add').set(row)
    }
  }
  f.get(locals.accumulate).if()
  store(true)
  f.else()
  store(false)
  f.end()
}

/**
 * `macro(packedA, packedB, c, ldc, mb, nb, kb, accumulate, edge)`: `C[mb × nb] (+)= A·B` from
 * packed panels; `ldc` is C's row stride in elements, `edge` a scratch tile.
 */
export const emitMacro = (shape: GemmShape): FunctionBuilder => {
  const { lanes, mr } = shape
  const e = lanes.bytes
  const nr = tileColumns(shape)
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'])
  const [packedA, packedB, c, ldc, mb, nb, kb, accumulate, edge] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
  const [ir, jr, full, a, b, target, rowBytes, accumulateTile] = [
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
  ]
  const value = f.local(lanes.precision)
  const [rows, columns, r, q, from, to] = [
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
    f.local('i32'),
  ]
  f.get(ldc).i32(lanes.shift).op('i32.shl').set(ldc)
  f.i32(0).set(jr)
  f.block().loop()
  f.get(jr).get(nb).op('i32.ge_u').brIf(1)
  f.i32(0).set(ir)
  f.block().loop()
  f.get(ir).get(mb).op('i32.ge_u').brIf(1)
  // full = ir + mr <= mb && jr + nr <= nb
  f.get(ir).i32(mr).op('i32.add').get(mb).op('i32.le_u')
  f.get(jr).i32(nr).op('i32.add').get(nb).op('i32.le_u')
  f.op('i32.and').tee(full).if()
  f.get(c).get(ir).get(ldc).op('i32.mul').op('i32.add').get(jr).i32(lanes.shift).op('i32.shl').op('i32.add')
  f.set(target).get(ldc).set(rowBytes).get(accumulate).set(accumulateTile)
  f.else()
  f.get(edge)
    .set(target)
    .i32(nr * e)
    .set(rowBytes)
    .i32(0)
    .set(accumulateTile)
  f.end()
  f.get(packedA).get(ir).get(kb).op('i32.mul').i32(lanes.shift).op('i32.shl').op('i32.add').set(a)
  f.get(packedB).get(jr).get(kb).op('i32.mul').i32(lanes.shift).op('i32.shl').op('i32.add').set(b)
  emitTile(f, shape, { a, b, kb, target, rowBytes, accumulate: accumulateTile })
  // a tile sticking out of C: copy (or add) its valid part from the scratch tile
  f.get(full).op('i32.eqz').if()
  f.get(mb).get(ir).op('i32.sub').set(rows)
  f.i32(mr).set(r)
  pushMin(f, rows, r)
  f.set(rows)
  f.get(nb).get(jr).op('i32.sub').set(columns)
  f.i32(nr).set(q)
  pushMin(f, columns, q)
  f.set(columns)
  f.i32(0).set(r)
  f.block().loop()
  f.get(r).get(rows).op('i32.ge_u').brIf(1)
  f.get(edge)
    .get(r)
    .i32(nr * e)
    .op('i32.mul')
    .op('i32.add')
    .set(from)
  f.get(c).get(ir).get(r).op('i32.add').get(ldc).op('i32.mul').op('i32.add')
  f.get(jr).i32(lanes.shift).op('i32.shl').op('i32.add').set(to)
  f.i32(0).set(q)
  f.block().loop()
  f.get(q).get(columns).op('i32.ge_u').brIf(1)
  f.get(from).mem(lanes.load).set(value)
  f.get(accumulate).if()
  f.get(value)
    .get(to)
    .mem(lanes.load)
    .op(lanes.precision === 'f32' ? 'f32.add' : 'f64.add')
    .set(value)
  f.end()
  f.get(to).get(value).mem(lanes.store)
  f.get(from).i32(e).op('i32.add').set(from)
  f.get(to).i32(e).op('i32.add').set(to)
  f.get(q).i32(1).op('i32.add').set(q)
  f.br(0).end().end()
  f.get(r).i32(1).op('i32.add').set(r)
  f.br(0).end().end()
  f.end()
  f.get(ir).i32(mr).op('i32.add').set(ir)
  f.br(0).end().end()
  f.get(jr).i32(nr).op('i32.add').set(jr)
  f.br(0).end().end()
  return f
}

/**
 * The work on one block of rows `ic … ic + mb` of `op(A)` against one packed panel of B: packs the
 * rows into `scratch + packedA`, then calls the macro-kernel into C at (ic, jc). `pushPackedB`
 * pushes the panel's address; the edge tile sits at `scratch + edge`. Shared by `gemm` and
 * `gemmRows`, which differ only in where the packed B comes from.
 */
export const emitRowBlock = (
  f: FunctionBuilder,
  shape: GemmShape,
  at: {
    readonly a: number
    readonly rsA: number
    readonly csA: number
    readonly c: number
    readonly ldc: number
    readonly ic: number
    readonly pc: number
    readonly jc: number
    readonly mb: number
    readonly nb: number
    readonly kb: number
    readonly scratch: number
    readonly packedA: number
    readonly edge: number
    readonly callees: { readonly packRows: number; readonly macro: number }
    readonly pushPackedB: () => void
  },
): void => {
  const { a, rsA, csA, c, ldc, ic, pc, jc, mb, nb, kb, scratch } = at
  const shift = shape.lanes.shift
  // source: a + (ic·rsA + pc·csA)·bytes
  f.get(a).get(ic).get(rsA).op('i32.mul').get(pc).get(csA).op('i32.mul').op('i32.add')
  f.i32(shift).op('i32.shl').op('i32.add')
  f.get(rsA).get(csA).get(mb).get(kb).get(scratch).i32(at.packedA).op('i32.add')
  f.call(at.callees.packRows)
  f.get(scratch).i32(at.packedA).op('i32.add')
  at.pushPackedB()
  f.get(c).get(ic).get(ldc).op('i32.mul').get(jc).op('i32.add').i32(shift).op('i32.shl').op('i32.add')
  f.get(ldc).get(mb).get(nb).get(kb)
  f.get(pc).i32(0).op('i32.ne')
  f.get(scratch).i32(at.edge).op('i32.add')
  f.call(at.callees.macro)
}

/**
 * Sets `depth` to the depth of the k slices: equal slices of at most kc (784 = 4 × 196, not
 * 3 × 256 + 16: a thin last slice wastes a pass over C). `scratch` is a spare i32 local.
 */
export const emitSliceDepth = (
  f: FunctionBuilder,
  kc: number,
  k: number,
  scratch: number,
  depth: number,
): void => {
  f.get(k)
    .i32(kc - 1)
    .op('i32.add')
    .i32(kc)
    .op('i32.div_u')
    .set(scratch)
  f.get(k).get(scratch).op('i32.add').i32(1).op('i32.sub').get(scratch).op('i32.div_u').set(depth)
}

/** Indices of the functions `emitGemm`'s body calls. */
export interface GemmCallees {
  readonly packRows: number
  readonly packColumns: number
  readonly macro: number
}

/**
 * `gemm(a, rowStrideA, colStrideA, b, rowStrideB, colStrideB, c, ldc, m, n, k, scratch)`:
 * `C[m × n] = op(A)·op(B)` with `op(A)(i, p)` at `a + i·rowStrideA + p·colStrideA` elements (so a
 * transposed operand is just swapped strides), `C(i, j)` at `c + i·ldc + j`; `k ≥ 1`. `scratch`
 * points at `scratchLayout(shape).total` free bytes.
 */
export const emitGemm = (shape: GemmShape, callees: GemmCallees): FunctionBuilder => {
  const { lanes, kc, mc, nc } = shape
  const f = new FunctionBuilder(Array.from({ length: 12 }, () => 'i32' as const))
  const [a, rsA, csA, b, rsB, csB, c, ldc, m, n, k, scratch] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
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
  const address = (base: number, i: number, si: number, j: number, sj: number) => {
    f.get(base).get(i).get(si).op('i32.mul').get(j).get(sj).op('i32.mul').op('i32.add')
    f.i32(lanes.shift).op('i32.shl').op('i32.add')
  }
  emitSliceDepth(f, kc, k, bound, depth)
  emitBlocks(f, { index: jc, total: n, size: nb, step: nc, scratch: bound }, () => {
    emitBlocks(f, { index: pc, total: k, size: kb, step: { local: depth }, scratch: bound }, () => {
      address(b, pc, rsB, jc, csB)
      f.get(csB).get(rsB).get(nb).get(kb).get(scratch).i32(layout.packB).op('i32.add')
      f.call(callees.packColumns)
      emitBlocks(f, { index: ic, total: m, size: mb, step: mc, scratch: bound }, () => {
        emitRowBlock(f, shape, {
          ...{ a, rsA, csA, c, ldc, ic, pc, jc, mb, nb, kb, scratch },
          packedA: layout.packA,
          edge: layout.edge,
          callees,
          pushPackedB: () => f.get(scratch).i32(layout.packB).op('i32.add'),
        })
      })
    })
  })
  return f
}
