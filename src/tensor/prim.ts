/**
 * What a primitive is. A primitive is the unit the tracer records: a name, a shape rule, a forward
 * kernel, a vjp rule written with differentiable ops (so a pullback can itself be differentiated),
 * and the input domain its gradient tests draw from. Each lives in one file under `prims/`.
 *
 * @module prim
 */
import type { Arbitrary } from 'fast-check'
import { allocate, type DType, type Storage } from './dtype.js'
import { type Shape, sizeOf } from './shape.js'
import type { AnyTensor } from './tensor.js'

/** The op set handed to vjp rules (it is `ops.ts`; passed in so prim files need not import it). */
export type Ops = typeof import('./ops.js')

/** What the shape rule computes from the inputs. */
export interface OutputSpec {
  readonly shape: Shape
  readonly dtype: DType
}

/**
 * A vjp rule: given the output's cotangent, the output and the inputs, returns one cotangent per
 * input (`null` for an input that gets no gradient). A cotangent may have the broadcast output
 * shape: the engine sums it down to the input's shape, and accumulates fan-out.
 */
export type VjpRule<P> = (
  ops: Ops,
  cotangent: AnyTensor,
  output: AnyTensor,
  inputs: readonly AnyTensor[],
  params: P,
  /** Which inputs need a cotangent; a rule may return `null` for the others to save work. */
  needs: readonly boolean[],
) => readonly (AnyTensor | null)[]

/**
 * A batching rule (`vmap`): computes the primitive on a whole batch at once. `inputs` are the
 * batched inputs, each with the batch along axis 0 where `batched[i]` is true, or the same for every
 * example where it is false (at least one input is batched). Returns the batched output, with the
 * batch of `size` examples along axis 0: row `b` must equal the primitive applied to row `b` of
 * each batched input and to the unbatched inputs as they are. Rules are written with `ops` (and the
 * primitive itself), so they compose with every other transform.
 */
export type BatchRule<P> = (
  ops: Ops,
  inputs: readonly AnyTensor[],
  batched: readonly boolean[],
  params: P,
  size: number,
) => AnyTensor

/** One generated case of a primitive's test domain. */
export interface DomainCase<P> {
  readonly inputs: readonly AnyTensor[]
  readonly params: P
  /** Indices of the inputs to differentiate (default all); index inputs are held constant. */
  readonly wrt?: readonly number[]
}

/**
 * Value range of a generated input, and points to keep away from (kinks, poles): what the
 * arbitraries of `nabla/testing` take (`arbTensor`, `arbParams`).
 * @category Arbitraries
 * @example
 * import { arbTensor, type ValueRange } from 'nabla/testing'
 * const positive: ValueRange = { min: 0.1, max: 5, avoid: [1], margin: 0.05 }
 * arbTensor([3], positive)
 */
export interface ValueRange {
  readonly min: number
  readonly max: number
  /** Values closer than `margin` to any of these are moved away. */
  readonly avoid?: readonly number[]
  readonly margin?: number
  /**
   * Moves each value into a band of its unit interval: `v ↦ ⌊v⌋ + lo + (hi − lo)·frac(v)`. Two
   * inputs with disjoint bands never come closer than the gap between the bands (no ties).
   */
  readonly band?: readonly [number, number]
}

/** The generators a domain is written with (implemented by `nabla/testing`, float64 tensors). */
export interface DomainTools {
  readonly fc: typeof import('fast-check')
  /** A random shape of rank 0–3 with dims 0–4 (`minDim` raises the smallest dim). */
  shape(options?: { minRank?: number; maxRank?: number; minDim?: number; maxDim?: number }): Arbitrary<Shape>
  /** A float64 tensor of the given shape with values in range. */
  tensor(shape: Shape, range?: ValueRange): Arbitrary<AnyTensor>
  /** A float64 tensor whose values are pairwise at least 0.3 apart (no ties, for max/min). */
  distinctTensor(shape: Shape): Arbitrary<AnyTensor>
  /** One tensor of random shape. */
  unary(range?: ValueRange): Arbitrary<DomainCase<undefined>>
  /** Two tensors of broadcast-compatible random shapes. */
  binary(rangeA?: ValueRange, rangeB?: ValueRange): Arbitrary<DomainCase<undefined>>
}

/** A primitive. `P` is its static parameters (axes, a target shape, …), never differentiated. */
export interface Prim<P = undefined> {
  readonly name: string
  /** Validates inputs and params; throws a `ShapeError`/`ArgumentError` naming the op. */
  readonly infer: (inputs: readonly AnyTensor[], params: P) => OutputSpec
  /** Computes the output storage (a fresh array) from the inputs' storage. */
  readonly forward: (inputs: readonly AnyTensor[], params: P, output: OutputSpec) => Storage
  /**
   * Writes what `forward` computes into `out` instead (whatever `out` held before; it never
   * overlaps an input): a compiler (`jit`) calls it to write straight into a buffer it planned,
   * saving a fresh array and a copy. Optional; `writtenInto` makes both from one kernel.
   */
  readonly forwardInto?: (inputs: readonly AnyTensor[], params: P, output: OutputSpec, out: Storage) => void
  /**
   * Whether output element k depends only on element k of each (broadcast) input: the engine then
   * carries structural zeros of the cotangent (see `unselected`) element by element through it.
   */
  readonly elementwise?: boolean
  /**
   * For an elementwise primitive computed by one JavaScript expression in `x` (and `y`): that
   * expression (`'x + y'`, `'Math.tanh(x)'`), the definition of its semantics. A compiler (`jit`)
   * reads it to fuse chains of such primitives into one generated kernel.
   */
  readonly expression?: string
  /**
   * For a primitive that selects (`where`): per input, a mask of the output's shape in the output's
   * dtype (1 = that input was not selected there), or undefined, computed with `ops` from the
   * inputs, so it is a tensor the tracer can follow (inside `jit` and `vmap` the inputs' values are
   * not known while the mask is built). The engine treats the cotangent there as a strong zero all
   * the way back, so a NaN or ±Infinity in the branch not taken (sqrt(−1), log 0, exp(1000)) never
   * leaks into a gradient.
   */
  readonly unselected?: (
    ops: Ops,
    inputs: readonly AnyTensor[],
    output: OutputSpec,
  ) => readonly (AnyTensor | undefined)[]
  /** The vjp rule; `undefined` for primitives whose output has no gradient (comparisons). */
  readonly vjp: VjpRule<P> | undefined
  /**
   * The batching rule `vmap` uses (see `BatchRule`); every primitive has one, so batching never
   * falls back to a loop over the examples.
   */
  readonly batch: BatchRule<P>
  /** The inputs gradient tests draw from; `undefined` only for primitives without a vjp. */
  readonly domain: ((tools: DomainTools) => Arbitrary<DomainCase<P>>) | undefined
}

/**
 * `forward` and `forwardInto` of a primitive from a kernel that writes its result into an array
 * that starts zero-filled (a kernel may add into it): `forward` runs it on a fresh array,
 * `forwardInto` zero-fills the array it is given first — unless `writesEvery` says the kernel
 * assigns every element on every path (a convolution's output, a pooling's), so the zeros would only
 * be written over (a LeNet's first convolution output is 2.4 MB a training step).
 *
 * @example
 * import { writtenInto } from './prim.js'
 * const { forward, forwardInto } = writtenInto<undefined>((inputs, _params, _output, out) => out.fill(1))
 * const same = writtenInto<undefined>((inputs, _params, _output, out) => out.fill(1), { writesEvery: true })
 */
export const writtenInto = <P>(
  kernel: (inputs: readonly AnyTensor[], params: P, output: OutputSpec, out: Storage) => void,
  options: { readonly writesEvery?: boolean } = {},
): Pick<Prim<P>, 'forward' | 'forwardInto'> => ({
  forward: (inputs, params, output) => {
    const out = allocate(output.dtype, sizeOf(output.shape))
    kernel(inputs, params, output, out)
    return out
  },
  forwardInto:
    options.writesEvery === true
      ? kernel
      : (inputs, params, output, out) => {
          out.fill(0)
          kernel(inputs, params, output, out)
        },
})

const declared = new WeakSet<object>()

/** Declares a primitive (freezes it and gives the literal its type). */
export const definePrim = <P = undefined>(prim: Prim<P>): Prim<P> => {
  const frozen = Object.freeze(prim)
  declared.add(frozen)
  return frozen
}

/** Whether a value was declared with `definePrim`. */
export const isPrim = (value: unknown): value is Prim<any> =>
  typeof value === 'object' && value !== null && declared.has(value)
