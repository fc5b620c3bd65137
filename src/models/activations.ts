/**
 * Activation functions by name. A layer's activation is part of its configuration (a string such
 * as `'relu'`), never of its parameters, so it stays out of the differentiated pytree and out of
 * the saved weights, and a saved model says in plain text which activation it used.
 *
 * Every activation is elementwise and keeps the shape and dtype of its input.
 *
 * @module activations
 */
import {
  type AnyTensor,
  ArgumentError,
  type DType,
  greater,
  mul,
  relu,
  type Shape,
  sigmoid,
  softplus,
  type Tensor,
  tanh,
  where,
} from '../tensor/index.js'

/**
 * An elementwise function that keeps shape and dtype.
 * @example
 * import { type Activation, tanh } from 'nabla'
 * const f: Activation = tanh
 */
export type Activation = <S extends Shape, D extends DType>(x: Tensor<S, D>) => Tensor<S, D>

/**
 * The identity: what the last layer of a network usually uses (it outputs logits).
 * @example
 * import { identity, tensor } from 'nabla'
 * identity(tensor([-1, 2])) // [-1, 2]
 */
export const identity: Activation = (x) => x

/**
 * max(x, 0.01·x): a ReLU whose negative side keeps a small slope.
 * @example
 * import { leakyRelu, tensor } from 'nabla'
 * leakyRelu(tensor([-100, 2])) // [-1, 2]
 */
export const leakyRelu: Activation = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => {
  const t: AnyTensor = x
  return where(greater(t, 0), t, mul(t, 0.01)) as never
}

/**
 * The activations a layer can be configured with, by name.
 * @example
 * import { activations, tensor } from 'nabla'
 * activations.relu(tensor([-1, 2])) // [0, 2]
 */
export const activations = {
  identity,
  relu: relu as Activation,
  leakyRelu,
  tanh: tanh as Activation,
  sigmoid: sigmoid as Activation,
  softplus: softplus as Activation,
} as const satisfies Record<string, Activation>

/**
 * The name of an activation: `'relu'`, `'tanh'`, `'sigmoid'`, `'softplus'`, `'leakyRelu'`, `'identity'`.
 * @example
 * import type { ActivationName } from 'nabla'
 * const name: ActivationName = 'relu'
 */
export type ActivationName = keyof typeof activations

/**
 * The activation names, in a fixed order (for help texts and validation).
 * @example
 * import { activationNames } from 'nabla'
 * activationNames.includes('tanh') // true
 */
export const activationNames: readonly ActivationName[] = Object.freeze(
  Object.keys(activations) as ActivationName[],
)

/**
 * Whether a value names an activation.
 * @example
 * import { isActivationName } from 'nabla'
 * isActivationName('relu') // true
 * isActivationName('swish') // false
 */
export const isActivationName = (value: unknown): value is ActivationName =>
  typeof value === 'string' && Object.hasOwn(activations, value)

/**
 * The activation with the given name; an unknown name is an `ArgumentError` listing the known ones.
 * @example
 * import { activation, tensor } from 'nabla'
 * activation('tanh')(tensor([0])) // [0]
 */
export const activation = (name: ActivationName, op = 'activation'): Activation => {
  if (!isActivationName(name))
    throw new ArgumentError(
      op,
      `activation must be one of ${activationNames.join(', ')}, got ${JSON.stringify(name) ?? String(name)}`,
    )
  return activations[name]
}
