/**
 * `einsum`: Einstein summation over any valid specification — products, contractions, batch
 * axes, outer products, traces and diagonals (an index repeated in one term), sums, permutations
 * and broadcasting `...` axes.
 *
 * einsum is a composite: it lowers the specification to primitives that already have exact vjp
 * rules (transpose, reshape, gather for diagonals, sum, mul, and the batched `matmul` kernel for
 * every contraction), so its gradient — an einsum itself, by matmul's rule — is exact at every
 * order and any interpreter (vjp, jvp, vmap, jit) sees only primitives it knows.
 *
 * How a spec runs: each operand first loses its repeated indices (diagonal) and the indices no one
 * else uses (summed); then operands are contracted left to right, two at a time. A pair's
 * contraction arranges both operands as `[batch…, free…, contracted…]` (skipping the transpose
 * when the layout already fits, using matmul's transpose flags when it fits transposed) and runs
 * one batched matmul; a pair with nothing to contract is a broadcasting `mul`.
 *
 * @module einsum/einsum
 */
import {
  type AnyTensor,
  apply,
  type DType,
  expectTensor,
  makeTensor,
  prims,
  type Shape,
  sameDType,
  storageFrom,
  type Tensor,
} from '../tensor/internal.js'
import { type EinsumPlan, planEinsum } from './spec.js'
import type { CheckEinsum, EinsumDType, EinsumShape } from './types.js'

/** A tensor with the label of each axis. */
interface Labeled {
  readonly t: AnyTensor
  readonly labels: readonly number[]
}

const sameOrder = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((l, i) => l === b[i])

const reshapeTo = (t: AnyTensor, shape: Shape): AnyTensor =>
  sameOrder(t.shape, shape) ? t : apply(prims.reshapePrim, [t], { shape })

/** `x` with its axes in the order of `labels` (which must be a permutation of its labels). */
const arrange = (x: Labeled, labels: readonly number[]): AnyTensor =>
  sameOrder(x.labels, labels)
    ? x.t
    : apply(prims.transposePrim, [x.t], { perm: labels.map((l) => x.labels.indexOf(l)) })

/** Sums out the axes carrying any of `drop`. */
const sumOut = (x: Labeled, drop: (label: number) => boolean): Labeled => {
  const axes = x.labels.flatMap((l, i) => (drop(l) ? [i] : []))
  if (axes.length === 0) return x
  return {
    t: apply(prims.sumPrim, [x.t], { axes, keepdims: false }),
    labels: x.labels.filter((l) => !drop(l)),
  }
}

/** Replaces each pair of axes carrying the same label by their diagonal (one axis). */
const diagonals = (x: Labeled): Labeled => {
  const { labels } = x
  const q = labels.findIndex((l, i) => labels.indexOf(l) !== i)
  if (q < 0) return x
  const label = labels[q]!
  const p = labels.indexOf(label)
  const n = x.t.shape[p]!
  const others = labels.flatMap((_, i) => (i === p || i === q ? [] : [i]))
  // transpose by axis positions (the repeated label cannot say which of its axes goes where)
  const perm = [...others, p, q]
  const t = sameOrder(
    perm,
    labels.map((_, i) => i),
  )
    ? x.t
    : apply(prims.transposePrim, [x.t], { perm })
  const flat = reshapeTo(t, [...others.map((i) => x.t.shape[i]!), n * n])
  const positions = makeTensor(
    [n],
    'float64',
    storageFrom(
      'float64',
      Array.from({ length: n }, (_, k) => k * (n + 1)),
    ),
  )
  const diagonal = apply(prims.gatherPrim, [flat, positions], { axis: others.length })
  return diagonals({ t: diagonal, labels: [...others.map((i) => labels[i]!), label] })
}

/** Drops ellipsis axes of size 1 that broadcast against a larger size elsewhere. */
const dropBroadcastOnes = (x: Labeled, plan: EinsumPlan): Labeled => {
  const keep = x.labels.map((l, i) => !(l < 0 && x.t.shape[i] === 1 && plan.sizes.get(l) !== 1))
  if (keep.every(Boolean)) return x
  return {
    t: reshapeTo(
      x.t,
      x.t.shape.filter((_, i) => keep[i]),
    ),
    labels: x.labels.filter((_, i) => keep[i]),
  }
}

const sizesOf = (labels: readonly number[], plan: EinsumPlan): number[] =>
  labels.map((l) => plan.sizes.get(l)!)

const product = (ns: readonly number[]): number => ns.reduce((a, b) => a * b, 1)

/** Contracts two labelled operands, keeping the labels in `keep` (needed later). */
const contract = (first: Labeled, second: Labeled, keep: ReadonlySet<number>, plan: EinsumPlan): Labeled => {
  const inB = new Set(second.labels)
  const inA = new Set(first.labels)
  const a = sumOut(first, (l) => !inB.has(l) && !keep.has(l))
  const b = sumOut(second, (l) => !inA.has(l) && !keep.has(l))
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l))
  const contracted = a.labels.filter((l) => inB.has(l) && !keep.has(l))
  const aFree = a.labels.filter((l) => !inB.has(l))
  const bFree = b.labels.filter((l) => !inA.has(l))
  const labels = [...batch, ...aFree, ...bFree]
  const batchSizes = sizesOf(batch, plan)
  if (contracted.length === 0) {
    const ones = (ls: readonly number[]) => ls.map(() => 1)
    const left = reshapeTo(arrange(a, [...batch, ...aFree]), [
      ...batchSizes,
      ...sizesOf(aFree, plan),
      ...ones(bFree),
    ])
    const right = reshapeTo(arrange(b, [...batch, ...bFree]), [
      ...batchSizes,
      ...ones(aFree),
      ...sizesOf(bFree, plan),
    ])
    return { t: apply(prims.mulPrim, [left, right], undefined), labels }
  }
  const m = product(sizesOf(aFree, plan))
  const k = product(sizesOf(contracted, plan))
  const n = product(sizesOf(bFree, plan))
  const transposeA =
    !sameOrder(a.labels, [...batch, ...aFree, ...contracted]) &&
    sameOrder(a.labels, [...batch, ...contracted, ...aFree])
  const transposeB =
    !sameOrder(b.labels, [...batch, ...contracted, ...bFree]) &&
    sameOrder(b.labels, [...batch, ...bFree, ...contracted])
  const left = reshapeTo(transposeA ? a.t : arrange(a, [...batch, ...aFree, ...contracted]), [
    ...batchSizes,
    ...(transposeA ? [k, m] : [m, k]),
  ])
  const right = reshapeTo(transposeB ? b.t : arrange(b, [...batch, ...contracted, ...bFree]), [
    ...batchSizes,
    ...(transposeB ? [n, k] : [k, n]),
  ])
  const product2 = apply(prims.matmulPrim, [left, right], { transposeA, transposeB })
  return { t: reshapeTo(product2, sizesOf(labels, plan)), labels }
}

/** Runs a checked plan on its operands. */
const runEinsum = (plan: EinsumPlan, operands: readonly AnyTensor[]): AnyTensor => {
  const output = new Set(plan.output)
  const prepared = operands.map((t, i) => {
    const x = diagonals(dropBroadcastOnes({ t, labels: plan.inputs[i]! }, plan))
    // labels nobody else reads are summed right away (each operand's own reduction)
    const elsewhere = new Set(plan.inputs.flatMap((ls, j) => (j === i ? [] : ls)))
    return sumOut(x, (l) => !output.has(l) && !elsewhere.has(l))
  })
  let acc = prepared[0]!
  for (let i = 1; i < prepared.length; i++) {
    const later = new Set([...plan.output, ...plan.inputs.slice(i + 1).flat()])
    acc = contract(acc, prepared[i]!, later, plan)
  }
  acc = sumOut(acc, (l) => !output.has(l))
  const present = plan.output.filter((l) => acc.labels.includes(l))
  return reshapeTo(arrange(acc, present), sizesOf(plan.output, plan))
}

/**
 * Einstein summation: `einsum('bij,bjk->bik', a, b)` multiplies matching indices and sums those
 * missing from the output. An index repeated in one term takes the diagonal (`'ii->i'`, `'ii->'`
 * is the trace); without `->`, the output is the indices that appear once, in alphabetical order;
 * `...` stands for any number of leading (or inner) axes, which broadcast across operands.
 *
 * With literal shapes the result shape is computed in the type and a size mismatch does not
 * compile (the error names the index); at run time a mismatch is a `ShapeError` naming the index
 * and both sizes, and a malformed spec an `ArgumentError`. Contractions run on the batched matmul
 * kernel; the gradient is exact at every order (einsum is built from primitives).
 *
 * @example
 * import { einsum, ones, tensor } from 'nabla'
 * const a = ones([2, 3, 4])
 * const b = ones([2, 4, 5])
 * const c = einsum('bij,bjk->bik', a, b)        // Tensor<[2, 3, 5]>
 * const trace = einsum('ii->', tensor([[1, 2], [3, 4]])) // 5: Tensor<[]>
 * const outer = einsum('i,j->ij', ones([2]), ones([3]))  // Tensor<[2, 3]>
 * // einsum('ij,jk->ik', ones([2, 3]), ones([4, 5]))  // does not compile: index j is 3 and 4
 */
export const einsum = <const Spec extends string, const Operands extends readonly Tensor<Shape, DType>[]>(
  spec: Spec & CheckEinsum<Spec, Operands>,
  ...operands: Operands
): Tensor<EinsumShape<Spec, Operands>, EinsumDType<Operands>> => {
  const ts = operands.map((o, i) => expectTensor('einsum', `operand ${i}`, o as AnyTensor))
  const plan = planEinsum(
    spec,
    ts.map((t) => t.shape),
  )
  if (ts.length > 1)
    sameDType(
      'einsum',
      ts,
      ts.map((_, i) => `operand ${i}`),
    )
  return runEinsum(plan, ts) as Tensor<EinsumShape<Spec, Operands>, EinsumDType<Operands>>
}
