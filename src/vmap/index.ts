/**
 * src/vmap: `vmap`, the batching interpreter. A sibling of the reverse tracer behind the same
 * `apply()` door, not derived from it: it hands each primitive to the batching rule in the
 * primitive's own file. Built on src/tensor's internal door and src/tree; src/grad uses it to vmap
 * pullbacks (`jacrev`, `hessian`).
 *
 * @module vmap
 */
export * from './vmap.js'
