/**
 * Drives the sum kernel (`reduce.ts`) over any set of axes. Axes of size 1 are dropped and
 * neighbouring axes of the same kind merged, leaving alternating runs of kept and reduced axes. One
 * reduced run is one pass of `sum(x, out, outer, middle, inner)`. Several (a bias gradient's sum
 * over `[0, 2, 3]` of `[N, C, H, W]`: reduced, kept, reduced) take one pass each, from the innermost
 * reduced run outwards: the first pass writes float64 partial sums (`sumWide`) and the later ones
 * sum those in float64, so nothing is rounded to the storage type before the end. The order of the
 * additions differs from the reference's element-by-element one, so results agree with it to
 * within rounding of the sum of magnitudes, as a contiguous row sum's do.
 *
 * @module kernels/wasm/sums
 */
import { sizeOf } from '../../shape.js'
import { type AxisRuns, runsOf } from '../reference.js'
import type { FloatArray } from '../types.js'
import { align16, type Heap } from './heap.js'
import type { PrecisionKernels } from './module.js'

/**
 * The pass over the innermost reduced run of `runs` (undefined when none is left): `[outer, middle,
 * inner]` for the kernel, and the runs that remain after it.
 */
const innermostPass = (runs: AxisRuns) => {
  const j = runs.reduced.lastIndexOf(true)
  if (j < 0) return undefined
  const inner = sizeOf(runs.sizes.slice(j + 1))
  const rest = [...runs.sizes.slice(0, j), inner]
  const restReduced = [...runs.reduced.slice(0, j), false]
  return {
    outer: sizeOf(runs.sizes.slice(0, j)),
    middle: runs.sizes[j]!,
    inner,
    rest: runsOf(rest, (i) => restReduced[i]!),
  }
}

/**
 * Sums `x` (of `shape`) over `axes` into `out` with the kernels of its precision (`kernels`) and
 * the float64 ones (`wide`); false (having written nothing) when the operands do not fit in `heap`.
 */
export const runSum = (
  heap: Heap,
  kernels: PrecisionKernels,
  wide: PrecisionKernels,
  x: FloatArray,
  shape: readonly number[],
  axes: readonly number[],
  out: FloatArray,
): boolean => {
  let pass = innermostPass(runsOf(shape, (i) => axes.includes(i)))
  if (pass === undefined) {
    out.set(x)
    return true
  }
  const e = x.BYTES_PER_ELEMENT
  const first = align16(x.length * e)
  const partials = pass.outer * pass.inner
  const second = innermostPass(pass.rest)
  // one reduced run: one pass, written in the storage type
  if (second === undefined) {
    if (!heap.ensure(first + partials * e)) return false
    const view = heap.viewFor(x)
    view.set(x, 0)
    kernels.sum(0, first, pass.outer, pass.middle, pass.inner)
    out.set(view.subarray(first / e, first / e + out.length))
    return true
  }
  // several: float64 partials, then float64 passes between two regions
  const other = first + align16(partials * 8)
  if (!heap.ensure(other + partials * 8)) return false
  heap.viewFor(x).set(x, 0)
  kernels.sumWide(0, first, pass.outer, pass.middle, pass.inner)
  let [from, to] = [first, other]
  for (pass = second; pass !== undefined; pass = innermostPass(pass.rest)) {
    wide.sum(from, to, pass.outer, pass.middle, pass.inner)
    ;[from, to] = [to, from]
  }
  const sums = heap.viewFor(new Float64Array(0))
  out.set(sums.subarray(from / 8, from / 8 + out.length))
  return true
}
