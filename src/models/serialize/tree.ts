/**
 * Parameter trees as the serialisers see them: nested readonly records and arrays whose leaves
 * are tensors (`ParamTree`), and templates describing what a file must contain (`Template`: the
 * same nesting with tensors or `{ shape, dtype? }` specs as leaves). Leaves are addressed by
 * their path segments, written as a dotted name for safetensors (`layers.0.w`) or as a property
 * path for JSON errors (`params.layers[0].w`).
 *
 * @module tree
 */

import {
  type AnyTensor,
  ArgumentError,
  DecodeError,
  type DType,
  describe,
  isTensor,
  type Mutable,
  type Tensor,
} from '../../tensor/internal.js'
import { reservedKeys } from '../../tree/index.js'

/**
 * A tree of parameters: tensors in nested readonly records and arrays (tuples).
 * @example
 * import { type ParamTree, zeros } from 'nabla'
 * const params: ParamTree = { layers: [{ w: zeros([2, 2]), b: zeros([2]) }] }
 */
export type ParamTree = AnyTensor | readonly ParamTree[] | { readonly [key: string]: ParamTree }

/**
 * What a leaf of a file must be: its shape, and its dtype when given.
 * @example
 * import type { TensorSpec } from 'nabla'
 * const spec: TensorSpec = { shape: [784, 128], dtype: 'float32' }
 */
export interface TensorSpec {
  readonly shape: readonly number[]
  readonly dtype?: DType
}

/**
 * The expected contents of a parameter file: a tree whose leaves are tensors (typically the
 * parameters of a freshly initialised model) or `TensorSpec`s. An object whose `shape` is an
 * array of numbers is a spec leaf, not a record.
 * @example
 * import { loadParams } from 'nabla/node'
 * loadParams('p.json', { w: { shape: [784, 128] }, b: { shape: [128] } })
 */
export type Template = AnyTensor | TensorSpec | readonly Template[] | { readonly [key: string]: Template }

/**
 * The parameter type a template decodes to: tensors stay, specs become tensors of their shape.
 * @example
 * import type { Decoded } from 'nabla'
 * type P = Decoded<{ w: { shape: [2, 3]; dtype: 'float64' } }> // { w: Tensor<[2, 3], 'float64'> }
 */
export type Decoded<T> = ParamTree extends T ? ParamTree : Template extends T ? ParamTree : DecodedNode<T>
type DecodedNode<T> = T extends AnyTensor
  ? T
  : T extends { readonly shape: infer S extends readonly number[]; readonly dtype?: infer D }
    ? Tensor<Mutable<S>, D extends DType ? D : DType>
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: DecodedNode<T[K]> }
      : { -readonly [K in keyof T]: DecodedNode<T[K]> }

/**
 * One step of a path: a record key or an array index.
 * @example
 * import type { Segment } from './tree.js'
 * const path: Segment[] = ['layers', 0, 'w'] // layers.0.w
 */
export type Segment = string | number

/**
 * A leaf with its path.
 * @example
 * import { type AnyTensor, zeros } from 'nabla'
 * import { type PathLeaf, paramLeaves } from './tree.js'
 * const leaves: PathLeaf<AnyTensor>[] = paramLeaves('op', { w: zeros([1]) })
 */
export interface PathLeaf<T> {
  readonly segments: readonly Segment[]
  readonly value: T
}

/**
 * Whether a value is a plain record (not an array, tensor, class instance or null).
 * @example
 * import { isRecord } from './tree.js'
 * isRecord({ a: 1 }) // true
 * isRecord([1])     // false
 */
export const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)

/**
 * Whether a template node is a `TensorSpec` leaf.
 * @example
 * import { isSpec } from './tree.js'
 * isSpec({ shape: [2, 3] }) // true
 */
export const isSpec = (value: unknown): value is TensorSpec =>
  isRecord(value) && Array.isArray(value.shape) && value.shape.every((d) => typeof d === 'number')

/**
 * The dotted name of a path (`layers.0.w`), as in PyTorch state dicts and safetensors files.
 * @example
 * import { dottedName } from './tree.js'
 * dottedName(['layers', 0, 'w']) // 'layers.0.w'
 */
export const dottedName = (segments: readonly Segment[]): string => segments.join('.')

/**
 * A property path for messages (`params.layers[0].w`).
 * @example
 * import { propertyPath } from './tree.js'
 * propertyPath('params', ['layers', 0, 'w']) // 'params.layers[0].w'
 */
export const propertyPath = (root: string, segments: readonly Segment[]): string =>
  segments.reduce<string>(
    (path, s) => (typeof s === 'number' ? `${path}[${s}]` : path === '' ? s : `${path}.${s}`),
    root,
  )

/**
 * Deepest nesting the serialisers accept (deeper input is rejected, never a stack overflow).
 * @example
 * import { maxDepth } from './tree.js'
 * maxDepth // 64
 */
export const maxDepth = 64

/**
 * Why a record key cannot be a parameter name, or `undefined` when it can: `__proto__`,
 * `constructor` and `prototype` would rebuild as a prototype or constructor instead of a leaf.
 * @example
 * import { keyProblem } from './tree.js'
 * keyProblem('__proto__') // 'the key "__proto__" is not allowed …'
 * keyProblem('w')         // undefined
 */
export const keyProblem = (key: string): string | undefined =>
  reservedKeys.has(key)
    ? `the key ${JSON.stringify(key)} is not allowed (__proto__, constructor and prototype would rebuild as a prototype or constructor, not a parameter); rename it`
    : undefined

/**
 * A short list of names for messages: the first `limit`, then how many more.
 * @example
 * import { listNames } from './tree.js'
 * listNames(['b', 'w']) // 'b, w'
 */
export const listNames = (names: readonly string[], limit = 12): string =>
  names.length <= limit
    ? names.join(', ')
    : `${names.slice(0, limit).join(', ')}, … (${names.length - limit} more)`

/**
 * The tensor leaves of a parameter tree with their paths, records in key order. Anything else in
 * the tree is an `ArgumentError` naming its path.
 * @example
 * import { zeros } from 'nabla'
 * import { paramLeaves } from './tree.js'
 * paramLeaves('saveParams', { w: zeros([2]), layers: [zeros([1])] }).map((l) => l.segments)
 * // [['w'], ['layers', 0]]
 */
export const paramLeaves = (op: string, tree: unknown): PathLeaf<AnyTensor>[] => {
  const leaves: PathLeaf<AnyTensor>[] = []
  const walk = (node: unknown, segments: Segment[]): void => {
    if (segments.length > maxDepth)
      throw new ArgumentError(
        op,
        `params are nested deeper than ${maxDepth} levels at ${propertyPath('params', segments)}`,
      )
    if (isTensor(node)) leaves.push({ segments, value: node })
    else if (Array.isArray(node)) for (const [i, child] of node.entries()) walk(child, [...segments, i])
    else if (isRecord(node))
      for (const k of Object.keys(node)) {
        const problem = keyProblem(k)
        if (problem !== undefined)
          throw new ArgumentError(op, `${propertyPath('params', [...segments, k])}: ${problem}`)
        walk(node[k], [...segments, k])
      }
    else
      throw new ArgumentError(
        op,
        `${propertyPath('params', segments)} must be a tensor, an array or a plain object of tensors, got ${describe(node)}`,
      )
  }
  walk(tree, [])
  return leaves
}

/**
 * The spec leaves of a template with their paths (a tensor leaf gives its shape and dtype).
 * @example
 * import { templateLeaves } from './tree.js'
 * templateLeaves('loadParams', { w: { shape: [2, 3] } }) // [{ segments: ['w'], value: { shape: [2, 3] } }]
 */
export const templateLeaves = (op: string, template: unknown): PathLeaf<TensorSpec>[] => {
  const leaves: PathLeaf<TensorSpec>[] = []
  const walk = (node: unknown, segments: Segment[]): void => {
    if (segments.length > maxDepth)
      throw new ArgumentError(op, `the template is nested deeper than ${maxDepth} levels`)
    if (isTensor(node)) leaves.push({ segments, value: { shape: node.shape, dtype: node.dtype } })
    else if (isSpec(node)) leaves.push({ segments, value: node })
    else if (Array.isArray(node)) for (const [i, child] of node.entries()) walk(child, [...segments, i])
    else if (isRecord(node))
      for (const k of Object.keys(node)) {
        const problem = keyProblem(k)
        if (problem !== undefined)
          throw new ArgumentError(op, `${propertyPath('template', [...segments, k])}: ${problem}`)
        walk(node[k], [...segments, k])
      }
    else
      throw new ArgumentError(
        op,
        `template${propertyPath('', segments)} must be a tensor, a { shape } spec, an array or a plain object, got ${describe(node)}`,
      )
  }
  walk(template, [])
  return leaves
}

interface Node {
  tensor?: AnyTensor
  readonly children: Map<string, Node>
}

/**
 * Rebuilds a tree from leaves given by path: a node whose keys are exactly `0 … n−1` becomes an
 * array, any other node a record. A name with a reserved part (`__proto__.x`) or more than
 * `maxDepth` parts is a `DecodeError`, and so is a name that is both a tensor and a group (`a` and `a.b`) is a `DecodeError`.
 * @example
 * import { zeros } from 'nabla'
 * import { buildTree } from './tree.js'
 * buildTree('readSafetensors', [{ segments: ['layers', 0, 'w'], value: zeros([2]) }]) // { layers: [{ w }] }
 */
export const buildTree = (op: string, leaves: readonly PathLeaf<AnyTensor>[]): ParamTree => {
  const root: Node = { children: new Map() }
  for (const { segments, value } of leaves) {
    if (segments.length > maxDepth)
      throw new DecodeError(
        op,
        `${dottedName(segments).slice(0, 60)}…: the name has ${segments.length} dot-separated parts, more than the ${maxDepth} levels of nesting allowed`,
        'header',
      )
    for (const s of segments) {
      const problem = typeof s === 'string' ? keyProblem(s) : undefined
      if (problem !== undefined)
        throw new DecodeError(op, `${dottedName(segments)}: ${problem}`, dottedName(segments))
    }
    let node = root
    for (const s of segments) {
      if (node.tensor !== undefined) break
      const k = String(s)
      const child = node.children.get(k) ?? { children: new Map() }
      node.children.set(k, child)
      node = child
    }
    if (node.tensor !== undefined || node.children.size > 0)
      throw new DecodeError(
        op,
        `${dottedName(segments)} clashes with another tensor: a name cannot be both a tensor and a group`,
        dottedName(segments),
      )
    node.tensor = value
  }
  const finish = (node: Node): ParamTree => {
    if (node.tensor !== undefined) return node.tensor
    const keys = [...node.children.keys()]
    // keys that are exactly the indices 0 … n−1 (in any order; Map keys are distinct)
    if (keys.length > 0 && keys.every((k) => String(Number(k)) === k && Number(k) < keys.length))
      return Object.freeze(
        Array.from({ length: keys.length }, (_, i) => finish(node.children.get(String(i))!)),
      )
    return Object.freeze(Object.fromEntries(keys.map((k) => [k, finish(node.children.get(k)!)])))
  }
  return finish(root)
}

/**
 * Rebuilds a tree with the structure of `template`, taking each leaf from `leafAt(segments)`.
 * @example
 * import { zeros } from 'nabla'
 * import { rebuildLike } from './tree.js'
 * rebuildLike({ w: { shape: [2] } }, () => zeros([2])) // { w: Tensor<[2]> }
 */
export const rebuildLike = (
  template: unknown,
  leafAt: (segments: readonly Segment[]) => AnyTensor,
): ParamTree => {
  const build = (node: unknown, segments: Segment[]): ParamTree => {
    if (isTensor(node) || isSpec(node)) return leafAt(segments)
    if (Array.isArray(node)) return Object.freeze(node.map((child, i) => build(child, [...segments, i])))
    const record = node as Readonly<Record<string, unknown>>
    return Object.freeze(
      Object.fromEntries(Object.keys(record).map((k) => [k, build(record[k], [...segments, k])])),
    )
  }
  return build(template, [])
}
