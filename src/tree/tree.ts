/**
 * Pytrees: values built from tensors, arrays/tuples and plain readonly records, nested to any
 * depth. Transforms flatten a pytree into its tensor leaves (in a fixed order: arrays by index,
 * records by sorted key), work on the leaves, and rebuild the same structure.
 *
 * @module tree/tree
 */
import {
  type AnyTensor,
  ArgumentError,
  describe,
  formatShape,
  isTensor,
  ShapeError,
  shapesEqual,
} from '../tensor/internal.js'

/**
 * A pytree of tensors: a tensor, an array or tuple of pytrees, or a plain readonly record of pytrees.
 * Transforms take and return pytrees, so parameters can be grouped as the model needs.
 * @example
 * import { scalar, zeros, type Pytree } from 'nabla'
 * const params: Pytree = { layers: [{ w: zeros([2, 3]), b: zeros([3]) }], scale: scalar(1) }
 */
export type Pytree = AnyTensor | readonly Pytree[] | { readonly [key: string]: Pytree }

/**
 * The same structure with every tensor leaf replaced by `L`.
 * @example
 * import type { MapLeaves, Tensor } from 'nabla'
 * type Shapes = MapLeaves<{ w: Tensor<[2, 3]>; b: Tensor<[3]> }, number[]> // { w: number[]; b: number[] }
 */
export type MapLeaves<T, L> = T extends AnyTensor
  ? L
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: MapLeaves<T[K], L> }
    : { -readonly [K in keyof T]: MapLeaves<T[K], L> }

/**
 * The structure of a pytree, without its leaves (what `flatten` returns beside the leaves).
 * @example
 * import { flatten, zeros } from 'nabla'
 * flatten({ w: zeros([2]) })[1] // { kind: 'record', keys: ['w'], children: [{ kind: 'leaf' }] }
 */
export type TreeDef =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'array'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'record'; readonly keys: readonly string[]; readonly children: readonly TreeDef[] }

const isRecord = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Record keys a pytree may not use: assigning them rebuilds a prototype or a constructor instead of
 * adding a leaf (`out.__proto__ = leaf` sets the prototype), so a tree holding one could not be
 * rebuilt faithfully. Decoders reject them too.
 * @example
 * import { reservedKeys } from 'nabla'
 * reservedKeys.has('__proto__') // true
 */
export const reservedKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * Checks that `key` of `record` is a usable pytree key: not reserved (`__proto__`, `constructor`,
 * `prototype`) and a plain data property (not a getter). Throws an `ArgumentError` naming the path.
 * @example
 * import { checkTreeKey } from './tree.js'
 * checkTreeKey('treeMap', 'x', { w: 1 }, 'w') // fine
 */
export const checkTreeKey = (op: string, path: string, record: object, key: string): void => {
  if (reservedKeys.has(key))
    throw new ArgumentError(
      op,
      `${path}.${key}: the key ${JSON.stringify(key)} is not allowed in a pytree (__proto__, constructor and prototype would rebuild as a prototype or constructor, not a leaf); rename it`,
    )
  const descriptor = Object.getOwnPropertyDescriptor(record, key)
  if (descriptor !== undefined && !('value' in descriptor))
    throw new ArgumentError(
      op,
      `${path}.${key} is an accessor (getter/setter): pytree records must hold plain data properties`,
    )
}

/**
 * Splits a pytree into its leaves and its structure. Anything that is not a tensor, an array or a
 * plain record is an `ArgumentError` naming its path.
 * @example
 * import { flatten, ones, zeros } from 'nabla'
 * const [leaves] = flatten({ w: zeros([2]), b: [ones([1])] }) // [b[0], w]: keys are sorted
 */
export const flatten = (tree: unknown, op = 'flatten', root = 'x'): [AnyTensor[], TreeDef] => {
  const leaves: AnyTensor[] = []
  const walk = (node: unknown, path: string): TreeDef => {
    if (isTensor(node)) {
      leaves.push(node)
      return { kind: 'leaf' }
    }
    if (Array.isArray(node))
      return { kind: 'array', children: node.map((child, i) => walk(child, `${path}[${i}]`)) }
    if (isRecord(node)) {
      const keys = Object.keys(node).sort()
      for (const k of keys) checkTreeKey(op, path, node, k)
      return { kind: 'record', keys, children: keys.map((k) => walk(node[k], `${path}.${k}`)) }
    }
    throw new ArgumentError(
      op,
      `${path} must be a tensor, an array or a plain object of tensors, got ${describe(node)}`,
    )
  }
  const def = walk(tree, root)
  return [leaves, def]
}

/**
 * Rebuilds a pytree from leaves and a structure (the inverse of `flatten`).
 * @example
 * import { flatten, tensor, unflatten } from 'nabla'
 * const params = { w: tensor([1, 2]), b: tensor([3]) }
 * const [leaves, def] = flatten(params)
 * unflatten(def, leaves) // a pytree equal to params
 */
export const unflatten = <T = Pytree>(def: TreeDef, leaves: readonly AnyTensor[]): T => {
  let next = 0
  const build = (d: TreeDef): unknown => {
    switch (d.kind) {
      case 'leaf':
        return leaves[next++]
      case 'array':
        return d.children.map(build)
      case 'record': {
        const out: Record<string, unknown> = {}
        for (let i = 0; i < d.children.length; i++) {
          const key = d.keys[i]!
          checkTreeKey('unflatten', 'x', out, key)
          const value = build(d.children[i]!)
          // a data property of its own, never a prototype: the reserved keys are refused above, and
          // should Object.prototype have taken or refused the assignment (a setter, a read-only
          // property: both only if someone defined them there), defineProperty, which does not go
          // through the prototype, writes it (assignment is ~10× faster when nothing did)
          try {
            out[key] = value
          } catch {
            // a read-only property of that name on Object.prototype: written below
          }
          if (!Object.hasOwn(out, key) || out[key] !== value)
            Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
        }
        return out
      }
    }
  }
  const tree = build(def)
  if (next !== leaves.length)
    throw new ArgumentError('unflatten', `structure has ${next} leaves but ${leaves.length} were given`)
  return tree as T
}

/**
 * The path of each leaf, in flatten order (`x.w`, `x.layers[0].b`).
 * @example
 * import { flatten, leafPaths, zeros } from 'nabla'
 * leafPaths(flatten({ w: zeros([2]), layers: [{ b: zeros([1]) }] })[1]) // ['x.layers[0].b', 'x.w']
 */
export const leafPaths = (def: TreeDef, root = 'x'): string[] => {
  const paths: string[] = []
  const walk = (d: TreeDef, path: string): void => {
    if (d.kind === 'leaf') paths.push(path)
    else if (d.kind === 'array')
      d.children.forEach((c, i) => {
        walk(c, `${path}[${i}]`)
      })
    else
      d.children.forEach((c, i) => {
        walk(c, `${path}.${d.keys[i]}`)
      })
  }
  walk(def, root)
  return paths
}

/** Whether two structures are the same. */
export const sameStructure = (a: TreeDef, b: TreeDef): boolean => {
  if (a.kind !== b.kind) return false
  if (a.kind === 'leaf') return true
  const bc = (b as Exclude<TreeDef, { kind: 'leaf' }>).children
  if (a.children.length !== bc.length) return false
  if (a.kind === 'record' && (b as typeof a).keys.some((k, i) => k !== a.keys[i])) return false
  return a.children.every((c, i) => sameStructure(c, bc[i]!))
}

/**
 * A string that names a structure: two structures have the same key exactly when `sameStructure`
 * says they are the same (record keys are written with their length, so no key can imitate the
 * text around it). A cache keyed by structure (`jit`'s) uses it; it is several times cheaper than
 * `JSON.stringify` of the structure.
 * @example
 * import { flatten, zeros } from 'nabla'
 * import { structureKey } from './tree.js'
 * structureKey(flatten({ w: zeros([2]), b: [zeros([1])] })[1]) // '{1:b[.]1:w.}'
 */
export const structureKey = (def: TreeDef): string => {
  if (def.kind === 'leaf') return '.'
  let key = def.kind === 'array' ? '[' : '{'
  for (let i = 0; i < def.children.length; i++) {
    if (def.kind === 'record') key += `${def.keys[i]!.length}:${def.keys[i]}`
    key += structureKey(def.children[i]!)
  }
  return `${key}${def.kind === 'array' ? ']' : '}'}`
}

/**
 * Applies `fn` to every leaf, keeping the structure.
 * @example
 * import { treeMap, mul, tensor } from 'nabla'
 * const params = { w: tensor([1, 2]), b: tensor([3]) }
 * treeMap(params, (t) => mul(t, 2)) // { w: [2, 4], b: [6] }
 */
export const treeMap = <T>(tree: T, fn: (leaf: AnyTensor, path: string) => AnyTensor): T => {
  const [leaves, def] = flatten(tree, 'treeMap')
  const paths = leafPaths(def)
  return unflatten<T>(
    def,
    leaves.map((l, i) => fn(l, paths[i]!)),
  )
}

/**
 * Combines two pytrees of the same structure leaf by leaf; a different structure or leaf shape is an
 * error naming the leaves (`names` are what the two trees are called in it, e.g. `['params',
 * 'updates']`; `fn` still receives paths rooted at `x`).
 * @example
 * import { treeZip, sub, tensor } from 'nabla'
 * const params = { w: tensor([1, 2]), b: tensor([3]) }
 * const grads = { w: tensor([0.5, 0.5]), b: tensor([1]) }
 * treeZip(params, grads, (p, g) => sub(p, g)) // { w: [0.5, 1.5], b: [2] }
 * treeZip(params, { w: grads.w }, (p, g) => sub(p, g), 'step', ['params', 'grads'])
 * // ShapeError: step: params and grads have different structures: params.b only in params
 */
export const treeZip = <T>(
  a: T,
  b: unknown,
  fn: (x: AnyTensor, y: AnyTensor, path: string) => AnyTensor,
  op = 'treeZip',
  names: readonly [string, string] = ['a', 'b'],
): T => {
  const [la, da] = flatten(a, op)
  const [lb, db] = flatten(b, op)
  if (!sameStructure(da, db)) throw new ShapeError(op, structureDifference(da, db, names))
  la.forEach((x, i) => {
    const y = lb[i]!
    if (!shapesEqual(x.shape, y.shape)) {
      const at = leafPaths(da, '')[i]!
      throw new ShapeError(
        op,
        `${names[1]}${at} has shape ${formatShape(y.shape)} but ${names[0]}${at} has ${formatShape(x.shape)}`,
      )
    }
  })
  const paths = leafPaths(da)
  return unflatten<T>(
    da,
    la.map((x, i) => fn(x, lb[i]!, paths[i]!)),
  )
}

/** Which leaves one structure has and the other lacks, for the message of a mismatch. */
const structureDifference = (a: TreeDef, b: TreeDef, names: readonly [string, string]): string => {
  const pa = leafPaths(a, '')
  const pb = leafPaths(b, '')
  const onlyIn = (xs: readonly string[], ys: readonly string[], name: string): string | undefined => {
    const other = new Set(ys)
    const missing = xs.filter((p) => !other.has(p))
    if (missing.length === 0) return undefined
    const shown = missing.slice(0, 4).map((p) => `${name}${p}`)
    return `${shown.join(', ')}${missing.length > 4 ? `, … (${missing.length} in all)` : ''} only in ${name}`
  }
  const parts = [onlyIn(pa, pb, names[0]), onlyIn(pb, pa, names[1])].filter((p) => p !== undefined)
  const detail =
    parts.length > 0
      ? parts.join('; ')
      : 'the same leaf paths, but one has an array where the other has a record (or a tensor where the other has a container)'
  return `${names[0]} and ${names[1]} have different structures: ${detail}`
}
