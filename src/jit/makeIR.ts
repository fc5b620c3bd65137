/**
 * `makeIR(f)(...args)`: the IR of `f` at arguments of these shapes and dtypes, printable.
 *
 * @module jit/makeIR
 */
import type { AnyTensor } from '../tensor/internal.js'
import { type IR, printIR } from './ir.js'
import { flattenArguments, traceFunction } from './trace.js'

/** An IR that prints itself (jaxpr-style) with `String(ir)`. */
export interface PrintableIR extends IR {
  readonly toString: () => string
}

/**
 * Traces `f` at `args` (pytrees of tensors) and returns its IR.
 * @example
 * import { makeIR, matmul, relu, zeros, type Tensor } from 'nabla'
 * const ir = makeIR((x: Tensor, w: Tensor) => relu(matmul(x, w)))(zeros([128, 784]), zeros([784, 128]))
 * String(ir) // { lambda a:f32[128,784] b:f32[784,128] . let c:f32[128,128] = matmul … d = relu c in (d) }
 */
export const makeIR =
  <A extends readonly unknown[]>(f: (...args: A) => unknown) =>
  (...args: A): PrintableIR => {
    const { ir } = traceFunction(
      'makeIR',
      f as (...args: any[]) => unknown,
      flattenArguments('makeIR', args, new Set()),
    )
    return { ...ir, toString: () => printIR(ir) }
  }

/** The tensors an IR's constants hold (for consumers that store them, e.g. the ONNX exporter). */
export const constantsOf = (ir: IR): AnyTensor[] =>
  ir.equations.flatMap((eq) => eq.inputs.flatMap((a) => (a.kind === 'const' ? [a.value] : [])))
