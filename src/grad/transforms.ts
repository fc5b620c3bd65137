/**
 * Transforms derived from `vjp`: forward mode (`jvp`, by transposing the linear pullback),
 * Hessian-vector products, Jacobians and Hessians, custom gradient rules, `checkpoint` and
 * `stopGradient`. Because every vjp rule is written with differentiable ops, all of them compose
 * and nest to any order.
 *
 * @module transforms
 */
import {
  type AnyTensor,
  ArgumentError,
  add,
  allocate,
  apply,
  definePrim,
  detach,
  formatShape,
  makeTensor,
  mul,
  reshape,
  type Shape,
  ShapeError,
  shapesEqual,
  sizeOf,
  stopGradientPrim,
  storage,
  sum,
  type Tensor,
  zeros,
} from '../tensor/internal.js'
import { flatten, type Pytree, treeMap, treeZip } from '../tree/index.js'
import { vmap } from '../vmap/index.js'
import { grad, vjp } from './vjp.js'

/**
 * Forward mode: the value of `f` at `x` and the directional derivative `J·tangent`. Derived from
 * `vjp` by transposing the pullback (which is linear in the cotangent), so every primitive with a
 * vjp rule has a jvp for free.
 * @example
 * import { jvp, tensor, mul } from 'nabla'
 * const [y, dy] = jvp((x) => mul(x, x), tensor([3]), tensor([1])) // y 9, dy 6
 */
export const jvp = <X extends Pytree, Y extends Pytree>(f: (x: X) => Y, x: X, tangent: X): [Y, Y] => {
  treeZip(x, tangent, (a) => a, 'jvp', ['x', 'tangent'])
  const [y, pullback] = vjp(f, x)
  const zero = treeMap(y, (t) => zeros(t.shape, { dtype: t.dtype })) as Y
  const [, transpose] = vjp((ct: Y) => pullback(ct), zero)
  return [y, transpose(tangent)]
}

/**
 * ⟨a, b⟩ over two pytrees of the same structure: the sum of every leaf's elementwise product (a
 * scalar tensor; leaves broadcast like `mul`).
 * @example
 * import { treeDot, tensor } from 'nabla'
 * treeDot({ w: tensor([1, 2]), b: tensor([3]) }, { w: tensor([3, 4]), b: tensor([2]) }) // 1·3 + 2·4 + 3·2 = 17
 */
export const treeDot = (a: Pytree, b: Pytree): AnyTensor => {
  const [la] = flatten(a, 'treeDot')
  const [lb] = flatten(b, 'treeDot')
  let total: AnyTensor | undefined
  la.forEach((x, i) => {
    const term: AnyTensor = sum(mul(x, lb[i]!))
    total = total === undefined ? term : add(total, term)
  })
  return total ?? zeros([])
}

/**
 * Hessian-vector product `∇²f(x)·v` without forming the Hessian (reverse over reverse).
 * @example
 * import { hvp, sum, mul, tensor, type Tensor } from 'nabla'
 * hvp((x: Tensor) => sum(mul(mul(x, x), x)))(tensor([1, 2]), tensor([1, 0])) // [6, 0]
 */
export const hvp =
  <X extends Pytree>(f: (x: X) => AnyTensor) =>
  (x: X, v: X): X =>
    grad((p: X) => treeDot(grad(f)(p), v))(x)

/** The identity as a batch of basis tensors: `[n, ...shape]`, row `i` has a 1 at flat index `i`. */
const basisRows = (shape: Shape, dtype: AnyTensor['dtype']): AnyTensor => {
  const n = sizeOf(shape)
  const data = allocate(dtype, n * n)
  for (let i = 0; i < n; i++) data[i * n + i] = 1
  return makeTensor([n, ...shape], dtype, data)
}

const singleTensor = (op: string, value: unknown, what: string): AnyTensor => {
  const [leaves] = flatten(value, op)
  if (leaves.length !== 1)
    throw new ArgumentError(op, `${what} must be a single tensor, got a pytree of ${leaves.length}`)
  return leaves[0]!
}

/**
 * The type of a Jacobian of `f: X → Y`: shape `[...Y's shape, ...X's shape]`, X's dtype.
 * @example
 * import type { Jacobian, Tensor } from 'nabla'
 * type J = Jacobian<Tensor<[2]>, Tensor<[3]>> // Tensor<[2, 3], 'float32'>
 */
export type Jacobian<Y extends AnyTensor, X extends AnyTensor> = Tensor<
  [...Y['shape'], ...X['shape']],
  X['dtype']
>

/**
 * The Jacobian by reverse mode, shaped `[...outShape, ...inShape]`: the pullback of every output
 * basis vector, computed at once by `vmap` over the pullback.
 * @example
 * import { jacrev, mul, tensor, type Tensor } from 'nabla'
 * jacrev((x: Tensor) => mul(x, 2))(tensor([1, 2, 3])).shape // [3, 3]
 */
export const jacrev =
  <X extends AnyTensor, Y extends AnyTensor>(f: (x: X) => Y) =>
  (x: X): Jacobian<Y, X> => {
    const [y, pullback] = vjp(f, x)
    const out = singleTensor('jacrev', y, 'f(x)')
    if (out.size === 0) return zeros([...out.shape, ...x.shape], { dtype: x.dtype }) as Jacobian<Y, X>
    const rows: AnyTensor = vmap((ct: AnyTensor) => pullback(ct as Y) as AnyTensor)(
      basisRows(out.shape, out.dtype),
    )
    return reshape(rows, [...out.shape, ...x.shape]) as Jacobian<Y, X>
  }

/**
 * The Jacobian by forward mode, shaped `[...outShape, ...inShape]`: the jvp along every input basis
 * vector, computed at once by `vmap` over the tangent.
 * @example
 * import { jacfwd, tensor, sin } from 'nabla'
 * jacfwd(sin)(tensor([0, 1])).shape // [2, 2]
 */
export const jacfwd =
  <X extends AnyTensor, Y extends AnyTensor>(f: (x: X) => Y) =>
  (x: X): Jacobian<Y, X> => {
    if (x.size === 0) {
      const y = f(x)
      return zeros([...y.shape, ...x.shape], { dtype: y.dtype }) as Jacobian<Y, X>
    }
    const columns: AnyTensor = vmap((t: AnyTensor) => jvp(f, x, t as X)[1], { outAxes: -1 })(
      basisRows(x.shape, x.dtype),
    )
    return reshape(columns, [...columns.shape.slice(0, -1), ...x.shape]) as Jacobian<Y, X>
  }

/**
 * The Hessian of a scalar function of one tensor, shaped `[...x.shape, ...x.shape]`.
 * @example
 * import { hessian, sum, mul, tensor } from 'nabla'
 * hessian((x) => sum(mul(x, mul(x, x))))(tensor([1, 2])) // [[6, 0], [0, 12]]
 */
export const hessian =
  <X extends AnyTensor>(f: (x: X) => AnyTensor) =>
  (x: X): Jacobian<X, X> =>
    jacrev(grad(f))(x)

/**
 * Stops gradients: the same values, treated as constants by every transform.
 * @example
 * import { stopGradient, grad, mul, sum, tensor, type Tensor } from 'nabla'
 * const x = tensor([1, 2])
 * grad((x: Tensor<[2]>) => sum(mul(x, stopGradient(x))))(x) // [1, 2]: equals x, not 2x
 */
export const stopGradient = <T>(x: T): T => treeMap(x, (t) => apply(stopGradientPrim, [t], undefined))

/**
 * The rule of `customVjp`: given the output's cotangent, the output and the inputs, one cotangent
 * per input, each of that input's type (so of its shape, where the shape is literal).
 * @example
 * import { mul, sigmoid, type CustomRule, type Tensor } from 'nabla'
 * const rule: CustomRule<[Tensor<[3]>], Tensor<[3]>> = (ct, _y, x) => [mul(ct, sigmoid(x))]
 */
export type CustomRule<Args extends readonly AnyTensor[], R extends AnyTensor> = (
  cotangent: R,
  output: R,
  ...inputs: Args
) => { readonly [K in keyof Args]: Args[K] }

/**
 * A function with a hand-written gradient: `f` computes the value (its own ops are not traced),
 * `rule(cotangent, output, ...inputs)` returns one cotangent per input, of that input's type and
 * shape (checked at compile time for literal shapes and always at run time). Write the rule with
 * nabla ops and it is differentiable too.
 * @example
 * import { customVjp, log1p, exp, mul, sigmoid, type Tensor } from 'nabla'
 * // softplus with the stable derivative sigmoid(x)
 * const softplus = customVjp((x: Tensor) => log1p(exp(x)), (ct, _y, x) => [mul(ct, sigmoid(x))] as const)
 */
export const customVjp = <Args extends readonly AnyTensor[], R extends AnyTensor>(
  f: (...inputs: Args) => R,
  rule: CustomRule<Args, R>,
  name = f.name || 'custom',
): ((...inputs: Args) => R) => {
  let pending: AnyTensor | undefined
  const prim = definePrim<undefined>({
    name: `customVjp(${name})`,
    infer: (inputs) => {
      pending = f(...(inputs.map((t) => detach(t)) as unknown as Args))
      return { shape: pending.shape, dtype: pending.dtype }
    },
    forward: () => {
      const data = storage(pending!)
      pending = undefined
      return data
    },
    vjp: (_ops, ct, output, inputs) => {
      const cts = rule(ct as R, output as R, ...(inputs as unknown as Args)) as readonly AnyTensor[]
      if (!Array.isArray(cts) || cts.length !== inputs.length)
        throw new ArgumentError(
          `customVjp(${name})`,
          `the rule must return ${inputs.length} cotangents, got ${Array.isArray(cts) ? cts.length : typeof cts}`,
        )
      cts.forEach((c: AnyTensor, i: number) => {
        const s = inputs[i]!.shape
        if (!shapesEqual(c.shape, s))
          throw new ShapeError(
            `customVjp(${name})`,
            `the rule's cotangent ${i} has shape ${formatShape(c.shape)} but input ${i} has ${formatShape(s)}`,
          )
      })
      return cts
    },
    // the batched function is again a custom-vjp function: f and the rule, each vmapped (an
    // unbatched input's cotangent sums the per-example ones)
    batch: (_ops, inputs, batched, _params) => {
      const inAxes = batched.map((b) => (b ? 0 : null))
      const batchedF = (...xs: AnyTensor[]): AnyTensor =>
        vmap((...ys: AnyTensor[]) => f(...(ys as unknown as Args)), { inAxes })(...xs) as AnyTensor
      const batchedRule = (ct: AnyTensor, y: AnyTensor, ...xs: AnyTensor[]): AnyTensor[] => {
        const perExample = vmap(
          (c: AnyTensor, o: AnyTensor, ...ys: AnyTensor[]): AnyTensor[] => [
            ...(rule(c as R, o as R, ...(ys as unknown as Args)) as readonly AnyTensor[]),
          ],
          { inAxes: [0, 0, ...inAxes] },
        )(ct, y, ...xs) as AnyTensor[]
        return perExample.map((c, i) => (batched[i] ? c : sum(c, 0)))
      }
      return customVjp(batchedF, batchedRule, `vmap(${name})`)(...inputs)
    },
    domain: undefined,
  })
  return (...inputs: Args): R => apply(prim, inputs, undefined) as R
}

/**
 * Gradient checkpointing: `checkpoint(f)` computes the same values, but its backward pass
 * recomputes `f`'s intermediates instead of keeping them, trading compute for memory.
 * @example
 * import { checkpoint, tanh, matmul, type Tensor } from 'nabla'
 * const block = checkpoint((x: Tensor, w: Tensor) => tanh(matmul(x, w)))
 */
export const checkpoint = <Args extends readonly AnyTensor[], R extends AnyTensor>(
  f: (...inputs: Args) => R,
): ((...inputs: Args) => R) =>
  customVjp<Args, R>(
    f,
    (ct, _output, ...inputs) => {
      const [, pullback] = vjp((xs: AnyTensor[]) => f(...(xs as unknown as Args)), [...inputs] as AnyTensor[])
      return pullback(ct) as unknown as { readonly [K in keyof Args]: Args[K] }
    },
    `checkpoint(${f.name || 'f'})`,
  )
