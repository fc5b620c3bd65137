/**
 * Plain JavaScript loops for the layouts that dominate real programs, where the reference kernels
 * take their general path (an index counter and a closure per element) and a call into
 * WebAssembly would not pay: `where` over same-shape or scalar operands (the ReLU gradient),
 * `broadcastTo` that repeats a row or a column (softmax and bias gradients), and max/min over
 * contiguous axes (the log-sum-exp shift). Each returns false when the layout is not one it handles,
 * and then the caller uses the reference; each computes exactly what the reference computes, in
 * the same order.
 *
 * @module kernels/loops
 */
import type { Shape } from '../shape.js'
import { broadcastStrides } from './reference.js'
import type { FloatArray, ReduceKind } from './types.js'

/**
 * `where` when each operand is either as long as the output (so laid out like it) or one value.
 */
export const whereLoop = (condition: FloatArray, a: FloatArray, b: FloatArray, out: FloatArray): boolean => {
  const n = out.length
  const fullC = condition.length === n
  const fullA = a.length === n
  const fullB = b.length === n
  if ((!fullC && condition.length !== 1) || (!fullA && a.length !== 1) || (!fullB && b.length !== 1))
    return false
  if (!fullC) {
    const chosen = condition[0] !== 0 ? a : b
    if (chosen.length === n) out.set(chosen)
    else out.fill(chosen[0]!)
    return true
  }
  if (fullA && fullB) for (let i = 0; i < n; i++) out[i] = condition[i] !== 0 ? a[i]! : b[i]!
  else if (fullA) {
    const y = b[0]!
    for (let i = 0; i < n; i++) out[i] = condition[i] !== 0 ? a[i]! : y
  } else if (fullB) {
    const x = a[0]!
    for (let i = 0; i < n; i++) out[i] = condition[i] !== 0 ? x : b[i]!
  } else {
    const x = a[0]!
    const y = b[0]!
    for (let i = 0; i < n; i++) out[i] = condition[i] !== 0 ? x : y
  }
  return true
}

/** `x` broadcast to `outShape`, collapsed to `[outer, inner]` with x's strides; or undefined. */
const collapse = (shape: Shape, outShape: Shape) => {
  const strides = broadcastStrides(shape, outShape)
  const dims: { size: number; stride: number }[] = []
  for (let i = outShape.length - 1; i >= 0; i--) {
    const size = outShape[i]!
    if (size === 1) continue
    const last = dims.at(-1)
    if (last !== undefined && strides[i] === last.stride * last.size) last.size *= size
    else dims.push({ size, stride: strides[i]! })
    if (dims.length > 2) return undefined
  }
  const inner = dims[0] ?? { size: 1, stride: 1 }
  const outer = dims[1] ?? { size: 1, stride: 0 }
  return inner.stride > 1 ? undefined : { outer: outer.size, outerStride: outer.stride, inner }
}

/** `broadcastTo` when the result repeats a row of x, or spreads one value of x along each row. */
export const broadcastLoop = (x: FloatArray, shape: Shape, out: FloatArray, outShape: Shape): boolean => {
  if (out.length === 0) return true
  const plan = collapse(shape, outShape)
  if (plan === undefined) return false
  const { outer, outerStride, inner } = plan
  for (let o = 0; o < outer; o++) {
    const from = o * outerStride
    if (inner.stride === 1) out.set(x.subarray(from, from + inner.size), o * inner.size)
    else out.fill(x[from]!, o * inner.size, (o + 1) * inner.size)
  }
  return true
}

/** `max` or `min` over contiguous axes, `[outer, middle, inner]` with the middle reduced. */
export const extremumLoop = (
  kind: Exclude<ReduceKind, 'sum'>,
  x: FloatArray,
  shape: Shape,
  axes: readonly number[],
  out: FloatArray,
): boolean => {
  if (axes.length === 0) return false
  const first = axes[0]!
  const last = axes.at(-1)!
  if (last - first + 1 !== axes.length) return false
  let outer = 1
  let middle = 1
  let inner = 1
  for (let i = 0; i < shape.length; i++)
    if (i < first) outer *= shape[i]!
    else if (i <= last) middle *= shape[i]!
    else inner *= shape[i]!
  const max = kind === 'max'
  out.fill(max ? -Infinity : Infinity)
  // the reference's rule: a value replaces the running extremum if it is beyond it or NaN
  for (let o = 0; o < outer; o++) {
    const base = o * middle * inner
    const target = o * inner
    if (inner === 1) {
      let acc = out[target]!
      for (let m = 0; m < middle; m++) {
        const v = x[base + m]!
        if ((max ? v > acc : v < acc) || Number.isNaN(v)) acc = v
      }
      out[target] = acc
    } else
      for (let m = 0; m < middle; m++) {
        const row = base + m * inner
        for (let i = 0; i < inner; i++) {
          const v = x[row + i]!
          const acc = out[target + i]!
          if ((max ? v > acc : v < acc) || Number.isNaN(v)) out[target + i] = v
        }
      }
  }
  return true
}
