/**
 * Type-level tests of src/grad, checked by `tsc --noEmit` (npm test): gradients and pullbacks have
 * the primal's type, and a customVjp rule returning the wrong shape does not compile.
 */
import { expectTypeOf } from 'vitest'
import {
  customVjp,
  grad,
  hessian,
  jacfwd,
  jacrev,
  mul,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
  vjp,
  zeros,
} from '../../src/index.js'

type Params = { readonly w: Tensor<[3, 4], 'float64'>; readonly b: Tensor<[4], 'float64'> }
const params: Params = { w: zeros([3, 4], { dtype: 'float64' }), b: zeros([4], { dtype: 'float64' }) }
const loss = (p: Params) => sum(mul(p.b, p.b))

// grad and valueAndGrad return the parameters' type
expectTypeOf(grad(loss)(params)).toEqualTypeOf<Params>()
expectTypeOf(valueAndGrad(loss)(params)[1]).toEqualTypeOf<Params>()

// the pullback maps the output's type to the input's type
const [y, pullback] = vjp(
  (x: Tensor<[2, 3], 'float32'>) => mul(x, 2),
  tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]),
)
expectTypeOf(y).toEqualTypeOf<Tensor<[2, 3], 'float32'>>()
expectTypeOf(pullback).parameter(0).toEqualTypeOf<Tensor<[2, 3], 'float32'>>()
expectTypeOf(pullback(y)).toEqualTypeOf<Tensor<[2, 3], 'float32'>>()
// @ts-expect-error a cotangent of another shape does not compile
pullback(zeros([3, 2]))

// grad of a function that does not return a tensor does not compile
// @ts-expect-error f must return a tensor (a scalar loss)
grad((p: Params) => [sum(p.b)])

// customVjp: the rule must return one cotangent per input, each of that input's shape
customVjp(
  (a: Tensor<[2, 3]>, b: Tensor<[3]>) => mul(a, b),
  (ct, _out, a, b) => [mul(ct, b), sum(mul(ct, a), 0)] as const,
)
customVjp(
  (a: Tensor<[2, 3]>) => mul(a, 2),
  // @ts-expect-error the cotangent of a [2,3] input cannot be a [3]
  (_ct, _out, _a) => [zeros([3])] as const,
)
customVjp(
  (a: Tensor<[2, 3]>, _b: Tensor<[3]>) => mul(a, 2),
  // @ts-expect-error one cotangent is missing
  (ct) => [ct] as const,
)

// jacobians and hessians accept functions of shape-typed tensors
jacrev((x: Tensor<[3]>) => mul(x, 2))(tensor([1, 2, 3]))
jacfwd((x: Tensor<[3]>) => mul(x, 2))(tensor([1, 2, 3]))
hessian((x: Tensor<[2]>) => sum(mul(x, x)))(tensor([1, 2]))
// @ts-expect-error the argument must have the function's parameter type
jacrev((x: Tensor<[3]>) => mul(x, 2))(tensor([1, 2]))
