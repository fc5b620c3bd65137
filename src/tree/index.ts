/**
 * src/tree: pytrees, the nested tensors, arrays and readonly records that every transform (grad,
 * vmap, jit), the optimizers and the serialisers take and return: flatten to leaves in a fixed
 * order, rebuild, map and zip. Built on src/tensor's internal door.
 *
 * @module tree
 */
export {
  flatten,
  leafPaths,
  type MapLeaves,
  type Pytree,
  reservedKeys,
  type TreeDef,
  treeMap,
  treeZip,
  unflatten,
} from './tree.js'
