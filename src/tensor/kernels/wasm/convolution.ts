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
import { layOut } from './heap.js'
import { precisionOf } from './lanes.js'
import { type MatmulTarget, type ProductPlan, planProduct, runProduct } from './matmul.js'
import { forEachPatchRow, readsPadding, rowsApply } from './windows.js'

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
 * Copies the output channels of `group` of ct `[N, O, H'·W']` into the heap as `[O/groups, N·H'·W']`
 * at `to` (elements).
 */
const gatherChannels = (
  heap: FloatArray,
  ct: FloatArray,
  g: ConvGeometry,
  group: number,
  to: number,
): void => {
  const { perGroup, positions, columns } = sizesOf(g)
  for (let o = 0; o < perGroup; o++)
    for (let n = 0; n < g.batch; n++) {
      const from = (n * g.outChannels + group * perGroup + o) * positions
      heap.set(ct.subarray(from, from + positions), to + o * columns + n * positions)
    }
}

/** Whether a face runs here: the window kernels handle the geometry and the product is not tiny. */
const runsHere = (g: ConvGeometry, macs: number, smallMatmul: number): boolean =>
  rowsApply(g) && macs > 0 && macs >= smallMatmul

/** Multiply-adds of one group's product (all three faces have the same). */
export const convolutionMacs = (g: ConvGeometry): number => {
  const { patch, perGroup, columns } = sizesOf(g)
  return patch * perGroup * columns
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
  const { patch, perGroup, positions, columns } = sizesOf(g)
  if (!runsHere(g, convolutionMacs(g), smallMatmul)) return false
  const plan = planProduct(target, precisionOf(x), perGroup, columns, patch)
  const e = x.BYTES_PER_ELEMENT
  const at = layOut(
    target.heap,
    [x.length, w.length, patch * columns, perGroup * columns],
    e,
    target.base,
    plan.bytes,
  )
  if (at === undefined) return false
  const [xAt, wAt, colsAt, cAt, scratchAt] = at as [number, number, number, number, number]
  const heap = target.heap.viewFor(x)
  heap.set(x, xAt / e)
  heap.set(w, wAt / e)
  // every group unfolds onto the same entries, so the ones that read padding stay zero
  if (readsPadding(g)) heap.fill(0, colsAt / e, colsAt / e + patch * columns)
  for (let group = 0; group < g.groups; group++) {
    forEachPatchRow(g, group, xAt, colsAt, e, plan.kernels.copyRows, true)
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
      scratchAt,
    )
    for (let o = 0; o < perGroup; o++)
      for (let n = 0; n < g.batch; n++) {
        const from = cAt / e + o * columns + n * positions
        out.set(heap.subarray(from, from + positions), (n * g.outChannels + group * perGroup + o) * positions)
      }
  }
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
  const at = layOut(
    target.heap,
    [w.length, perGroup * columns, patch * columns, dx.length],
    e,
    target.base,
    plan.bytes,
  )
  if (at === undefined) return false
  const [wAt, ctAt, colsAt, dxAt, scratchAt] = at as [number, number, number, number, number]
  const heap = target.heap.viewFor(dx)
  heap.set(w, wAt / e)
  heap.set(dx, dxAt / e)
  for (let group = 0; group < g.groups; group++) {
    gatherChannels(heap, ct, g, group, ctAt / e)
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
      scratchAt,
    )
    forEachPatchRow(g, group, dxAt, colsAt, e, plan.kernels.addRows, false)
  }
  dx.set(heap.subarray(dxAt / e, dxAt / e + dx.length))
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
  const at = layOut(
    target.heap,
    [x.length, perGroup * columns, patch * columns, perGroup * patch],
    e,
    target.base,
    plan.bytes,
  )
  if (at === undefined) return false
  const [xAt, ctAt, colsAt, cAt, scratchAt] = at as [number, number, number, number, number]
  const heap = target.heap.viewFor(x)
  heap.set(x, xAt / e)
  if (readsPadding(g)) heap.fill(0, colsAt / e, colsAt / e + patch * columns)
  for (let group = 0; group < g.groups; group++) {
    gatherChannels(heap, ct, g, group, ctAt / e)
    forEachPatchRow(g, group, xAt, colsAt, e, plan.kernels.copyRows, true)
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
      scratchAt,
    )
    // dwᵀ [patch, perGroup] into the group's filters [perGroup, patch]
    const from = cAt / e
    const to = group * perGroup * patch
    for (let o = 0; o < perGroup; o++)
      for (let p = 0; p < patch; p++) dw[to + o * patch + p] = heap[from + p * perGroup + o]!
  }
  return true
}
