/**
 * The three faces of a 2-D convolution run whole in the memory of the product that does their
 * arithmetic, so the patch matrix is unfolded (im2col) where the product reads it and folded back
 * (col2im) from where the product wrote it:
 *
 * - forward      `y  = W · cols(x)`: x and w copied in, x unfolded, one product per group, y copied out
 *   channel block by channel block;
 * - input grad   `dx += col2im(Wᵀ · ct)`: w, ct (its channels of the group gathered on the way in) and
 *   dx copied in, the product, the patches added onto dx, dx copied out;
 * - filter grad  `dw = ct · cols(x)ᵀ`: x and ct copied in, x unfolded, the product (taken as
 *   `cols(x) · ctᵀ`, the same sums) transposed out.
 *
 * The unfolding in src/conv (`kernels/conv.ts`) instead builds the patch matrix in the window kernels'
 * memory (`windows.ts`), copies it out to a JavaScript array and the product copies it in again: for
 * a LeNet's second layer that is 6.5 MB moved four times per training step, a quarter of the step.
 * Here each operand is copied once. The arithmetic is the same — the same row copies and additions
 * (`windowCode.ts`, compiled into the product's module), the same products on the same operands
 * (the filter gradient's transposed, with every sum unchanged), split across the helper threads or
 * not — so the results are bit for bit those of the unfolding path, which
 * test/tensor/kernels/wasm/convolution.test.ts holds them to.
 *
 * A face declines (returns false, having written nothing) when the window kernels do not handle the
 * geometry (a stride along the width), when its product is small enough that the back end would
 * run it in JavaScript (`smallMatmul`), or when the memory cannot hold the operands.
 *
 * @module kernels/wasm/convolution
 */
import type { ConvGeometry, FloatArray } from '../types.js'
import { align16, layOut } from './heap.js'
import { precisionOf } from './lanes.js'
import { type MatmulTarget, planProduct, runProduct } from './matmul.js'
import type { RowsFunction } from './windowCode.js'
import { patchTableEntryBytes, readsPadding, rowsApply, writePatchTable } from './windows.js'

/** Elements of one filter (`C/groups · kH · kW`): the inner dimension of the forward product. */
const patchSize = (g: ConvGeometry): number => (g.channels / g.groups) * g.kernelHeight * g.kernelWidth

/** The sizes of one group's product and of the arrays around it. */
const sizesOf = (g: ConvGeometry) => {
  const positions = g.outHeight * g.outWidth
  return {
    patch: patchSize(g),
    perGroup: g.outChannels / g.groups,
    positions,
    columns: g.batch * positions,
  }
}

/**
 * Moves channel blocks between `[N, O, H'·W']` (a convolution's output or its cotangent, at
 * `imagesAt`) and one group's `[O/groups, N·H'·W']` (the product's side, at `productAt`), in the
 * heap, with the row kernel: `toProduct` gathers the group's channels, otherwise they are scattered
 * back (addresses in bytes).
 */
const moveChannels = (
  rows: RowsFunction,
  g: ConvGeometry,
  group: number,
  imagesAt: number,
  productAt: number,
  e: number,
  toProduct: boolean,
): void => {
  const { perGroup, positions, columns } = sizesOf(g)
  const images = imagesAt + group * perGroup * positions * e
  const [imageBatch, productBatch, imageRow, productRow] = [
    g.outChannels * positions * e,
    positions * e,
    positions * e,
    columns * e,
  ]
  if (toProduct)
    rows(images, productAt, g.batch, imageBatch, productBatch, perGroup, imageRow, productRow, positions * e)
  else
    rows(productAt, images, g.batch, productBatch, imageBatch, perGroup, productRow, imageRow, positions * e)
}

/** Whether a face runs here: the window kernels handle the geometry and the product is not tiny. */
const runsHere = (g: ConvGeometry, macs: number, smallMatmul: number): boolean =>
  rowsApply(g) && macs > 0 && macs >= smallMatmul

/** Multiply-adds of one group's product (all three faces have the same). */
export const convolutionMacs = (g: ConvGeometry): number => {
  const { patch, perGroup, columns } = sizesOf(g)
  return patch * perGroup * columns
}

/** Where a face's arrays and scratch regions are (byte addresses), and how to finish. */
interface Placed {
  /** The face's arrays, in the order given. */
  readonly arrays: readonly number[]
  /** Its scratch regions, then the product's scratch. */
  readonly regions: readonly number[]
  readonly product: number
  /** Copies the outputs out (or, in place, gives the scratch back). */
  finish(): void
}

/**
 * Places a face's `arrays` (each copied in when it is in `inputs`, copied back out at `finish` when
 * it is in `outputs`) and scratch regions of `sizes` elements, then `productBytes` for the product.
 * On a target in the shared arena the arrays are a plan's buffers (`MatmulTarget.arena`): they are
 * used where they are, nothing is copied, and the scratch is a region reserved until `finish`.
 * Undefined when the memory cannot hold it all.
 */
const place = (
  target: MatmulTarget,
  e: number,
  arrays: readonly FloatArray[],
  inputs: readonly FloatArray[],
  outputs: readonly FloatArray[],
  sizes: readonly number[],
  productBytes: number,
): Placed | undefined => {
  const arena = target.arena
  if (arena !== undefined) {
    const offsets = [0]
    for (const size of sizes) offsets.push(offsets.at(-1)! + align16(size * e))
    const base = arena.reserve(offsets.at(-1)! + productBytes)
    if (base === undefined) return undefined
    return {
      arrays: arrays.map((a) => a.byteOffset),
      regions: offsets.slice(0, -1).map((at) => base + at),
      product: base + offsets.at(-1)!,
      finish: () => arena.release(base),
    }
  }
  const at = layOut(target.heap, [...arrays.map((a) => a.length), ...sizes], e, target.base, productBytes)
  if (at === undefined) return undefined
  const heap = target.heap.viewFor(arrays[0]!)
  arrays.forEach((a, i) => {
    if (inputs.includes(a)) heap.set(a, at[i]! / e)
  })
  return {
    arrays: at.slice(0, arrays.length),
    regions: at.slice(arrays.length, -1),
    product: at.at(-1)!,
    finish: () =>
      arrays.forEach((a, i) => {
        if (outputs.includes(a)) a.set(heap.subarray(at[i]! / e, at[i]! / e + a.length))
      }),
  }
}

/** `out = conv(x, w)` on `target` (see the module note); false when declined. */
export const convolutionForward = (
  target: MatmulTarget,
  smallMatmul: number,
  x: FloatArray,
  w: FloatArray,
  g: ConvGeometry,
  out: FloatArray,
): boolean => {
  const { patch, perGroup, columns } = sizesOf(g)
  if (!runsHere(g, convolutionMacs(g), smallMatmul)) return false
  const plan = planProduct(target, precisionOf(x), perGroup, columns, patch)
  const e = x.BYTES_PER_ELEMENT
  const placed = place(
    target,
    e,
    [x, w, out],
    [x, w],
    [out],
    [patch * columns, perGroup * columns, (patch * patchTableEntryBytes) / e],
    plan.bytes,
  )
  if (placed === undefined) return false
  const [xAt, wAt, outAt] = placed.arrays as [number, number, number]
  const [colsAt, cAt, tableAt] = placed.regions as [number, number, number]
  // every group unfolds onto the same entries, so the ones that read padding stay zero
  if (readsPadding(g)) target.heap.viewFor(x).fill(0, colsAt / e, colsAt / e + patch * columns)
  for (let group = 0; group < g.groups; group++) {
    // the product unfolds the patches as it goes (`Patches`)
    writePatchTable(g, group, xAt, colsAt, e, target.heap.words(), tableAt / 4)
    runProduct(
      target,
      plan,
      {
        a: wAt + group * perGroup * patch * e,
        rowStrideA: patch,
        colStrideA: 1,
        b: colsAt,
        rowStrideB: columns,
        colStrideB: 1,
        c: cAt,
        ldc: columns,
        m: perGroup,
        n: columns,
        k: patch,
      },
      placed.product,
      undefined,
      { operand: 'b', table: tableAt, images: g.batch },
    )
    moveChannels(plan.kernels.copyRows, g, group, outAt, cAt, e, false)
  }
  placed.finish()
  return true
}

/** `dx += convᵀ(ct, w)` on `target` (see the module note); false when declined. */
export const convolutionInputGrad = (
  target: MatmulTarget,
  smallMatmul: number,
  ct: FloatArray,
  w: FloatArray,
  g: ConvGeometry,
  dx: FloatArray,
): boolean => {
  const { patch, perGroup, columns } = sizesOf(g)
  if (!runsHere(g, convolutionMacs(g), smallMatmul)) return false
  const plan = planProduct(target, precisionOf(dx), patch, columns, perGroup)
  const e = dx.BYTES_PER_ELEMENT
  const placed = place(
    target,
    e,
    [w, ct, dx],
    [w, ct, dx],
    [dx],
    [perGroup * columns, patch * columns, (patch * patchTableEntryBytes) / e],
    plan.bytes,
  )
  if (placed === undefined) return false
  const [wAt, imagesAt, dxAt] = placed.arrays as [number, number, number]
  const [ctAt, colsAt, tableAt] = placed.regions as [number, number, number]
  for (let group = 0; group < g.groups; group++) {
    moveChannels(plan.kernels.copyRows, g, group, imagesAt, ctAt, e, true)
    writePatchTable(g, group, dxAt, colsAt, e, target.heap.words(), tableAt / 4, false)
    runProduct(
      target,
      plan,
      {
        a: wAt + group * perGroup * patch * e,
        rowStrideA: 1,
        colStrideA: patch,
        b: ctAt,
        rowStrideB: columns,
        colStrideB: 1,
        c: colsAt,
        ldc: columns,
        m: patch,
        n: columns,
        k: perGroup,
      },
      placed.product,
      undefined,
      // the product folds its patches back onto dx as it goes (`Patches`)
      { operand: 'c', table: tableAt, images: g.batch },
    )
  }
  placed.finish()
  return true
}

/**
 * `dw = ct ⋆ x` on `target` (see the module note); false when declined. The product is
 * `dwᵀ = cols(x) · ctᵀ`, transposed into dw: every sum is the one `ct · cols(x)ᵀ` takes, the same
 * products added in the same order (k is sliced by its length alone, and each product is
 * commutative), so the result is the same bit for bit; but the long side (the patch, 400 for a
 * LeNet's second layer) is now the rows, which a split cuts while packing the cotangent once,
 * where the other way packed all of it again in each column task (that product alone, with its
 * operands copied in: 2.5–2.6 ms → 1.8–2.0 ms).
 */
export const convolutionFilterGrad = (
  target: MatmulTarget,
  smallMatmul: number,
  x: FloatArray,
  ct: FloatArray,
  g: ConvGeometry,
  dw: FloatArray,
): boolean => {
  const { patch, perGroup, columns } = sizesOf(g)
  if (!runsHere(g, convolutionMacs(g), smallMatmul)) return false
  const plan = planProduct(target, precisionOf(x), patch, perGroup, columns)
  const e = x.BYTES_PER_ELEMENT
  const placed = place(
    target,
    e,
    [x, ct],
    [x, ct],
    [],
    [perGroup * columns, patch * columns, perGroup * patch, (patch * patchTableEntryBytes) / e],
    plan.bytes,
  )
  if (placed === undefined) return false
  const [xAt, imagesAt] = placed.arrays as [number, number]
  const [ctAt, colsAt, cAt, tableAt] = placed.regions as [number, number, number, number]
  const heap = target.heap.viewFor(x)
  if (readsPadding(g)) heap.fill(0, colsAt / e, colsAt / e + patch * columns)
  for (let group = 0; group < g.groups; group++) {
    moveChannels(plan.kernels.copyRows, g, group, imagesAt, ctAt, e, true)
    writePatchTable(g, group, xAt, colsAt, e, target.heap.words(), tableAt / 4)
    runProduct(
      target,
      plan,
      {
        a: colsAt,
        rowStrideA: columns,
        colStrideA: 1,
        b: ctAt,
        rowStrideB: 1,
        colStrideB: columns,
        c: cAt,
        ldc: perGroup,
        m: patch,
        n: perGroup,
        k: columns,
      },
      placed.product,
      undefined,
      { operand: 'a', table: tableAt, images: g.batch },
    )
    // dwᵀ [patch, perGroup] into the group's filters [perGroup, patch]
    const from = cAt / e
    const to = group * perGroup * patch
    for (let o = 0; o < perGroup; o++)
      for (let p = 0; p < patch; p++) dw[to + o * patch + p] = heap[from + p * perGroup + o]!
  }
  placed.finish()
  return true
}
