/**
 * The steps of a plan for equations that are not fused: matmul and contiguous sums run the
 * WebAssembly kernels on buffer addresses; reshape is free (it shares its operand's buffer); cast
 * and transpose copy between views; any other primitive runs its own forward kernel on tensors that
 * view the buffers, and its result is copied into the output buffer.
 *
 * @module jit/steps
 */
import { broadcastStrides, kernels, makeTensor, type Shape, sizeOf } from '../tensor/internal.js'
import type { Buffers } from './buffers.js'
import type { Equation } from './ir.js'
import { dtypeOf, shapeOf } from './ir.js'

/** The step of one equation. */
export const singleStep = (eq: Equation, buffers: Buffers, scratchAt: number): (() => void) => {
  const out = eq.outputs[0]!
  switch (eq.prim.name) {
    case 'reshape':
    case 'stopGradient':
      return () => {}
    case 'matmul':
      return matmulStep(eq, buffers, scratchAt)
    case 'sum': {
      const step = sumStep(eq, buffers)
      if (step !== undefined) return step
      break
    }
    case 'cast': {
      const [x, y] = [buffers.view(eq.inputs[0]!), buffers.view(out)]
      return () => y.set(x)
    }
    case 'transpose': {
      const x = eq.inputs[0]!
      const [from, to] = [buffers.view(x), buffers.view(out)]
      const { perm } = eq.params as { perm: readonly number[] }
      const shape = shapeOf(x)
      return () => kernels().transpose(from, shape, perm, to)
    }
  }
  // any other primitive: its forward kernel over tensors that view the buffers
  const inputs = eq.inputs.map((a) => makeTensor([...shapeOf(a)], dtypeOf(a), buffers.view(a)))
  const target = buffers.view(out)
  const spec = { shape: out.shape, dtype: out.dtype }
  return () => target.set(eq.prim.forward(inputs, eq.params, spec))
}

const sumStep = (eq: Equation, buffers: Buffers): (() => void) | undefined => {
  const x = eq.inputs[0]!
  const shape = shapeOf(x)
  const { axes } = eq.params as { axes: readonly number[] }
  if (axes.length === 0 || axes.at(-1)! - axes[0]! + 1 !== axes.length) return undefined
  const size = (from: number, to: number) => shape.slice(from, to).reduce((p, d) => p * d, 1)
  const [outer, middle, inner] = [
    size(0, axes[0]!),
    size(axes[0]!, axes.at(-1)! + 1),
    size(axes.at(-1)! + 1, shape.length),
  ]
  const k = dtypeOf(x) === 'float64' ? buffers.arena.kernels.f64 : buffers.arena.kernels.f32
  const [from, to] = [buffers.address(x), buffers.address(eq.outputs[0]!)]
  return () => k.sum(from, to, outer, middle, inner)
}

const matmulStep = (eq: Equation, buffers: Buffers, scratchAt: number): (() => void) => {
  const [a, b] = eq.inputs as [Equation['inputs'][0], Equation['inputs'][0]]
  const out = eq.outputs[0]!
  const { transposeA, transposeB } = eq.params as { transposeA: boolean; transposeB: boolean }
  const [aShape, bShape, outShape] = [shapeOf(a), shapeOf(b), out.shape]
  const rank = outShape.length
  const [m, n] = [outShape[rank - 2]!, outShape[rank - 1]!]
  const k = transposeA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!
  const kernel = out.dtype === 'float64' ? buffers.arena.kernels.f64 : buffers.arena.kernels.f32
  const e = out.dtype === 'float64' ? 8 : 4
  const [rsA, csA] = transposeA ? [1, m] : [k, 1]
  const [rsB, csB] = transposeB ? [1, k] : [n, 1]
  const batch: Shape = outShape.slice(0, -2)
  const aOffsets = batchOffsets(aShape.slice(0, -2), batch, m * k)
  const bOffsets = batchOffsets(bShape.slice(0, -2), batch, k * n)
  const [aAt, bAt, cAt] = [buffers.address(a), buffers.address(b), buffers.address(out)]
  if (k === 0 || sizeOf(outShape) === 0) {
    const target = buffers.view(out)
    return () => target.fill(0)
  }
  return () => {
    for (let i = 0; i < aOffsets.length; i++)
      kernel.gemm(
        aAt + aOffsets[i]! * e,
        rsA,
        csA,
        bAt + bOffsets[i]! * e,
        rsB,
        csB,
        cAt + i * m * n * e,
        n,
        m,
        n,
        k,
        scratchAt,
      )
  }
}

/** Element offset of each batch entry of an operand, in the order of the output's batch. */
const batchOffsets = (shape: Shape, batch: Shape, matrix: number): number[] => {
  const strides = broadcastStrides(shape, batch)
  const count = sizeOf(batch)
  const offsets: number[] = []
  for (let flat = 0; flat < count; flat++) {
    let rest = flat
    let offset = 0
    for (let d = batch.length - 1; d >= 0; d--) {
      offset += (rest % batch[d]!) * strides[d]!
      rest = Math.floor(rest / batch[d]!)
    }
    offsets.push(offset * matrix)
  }
  return offsets
}
