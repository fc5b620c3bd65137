/**
 * src/grad: transforms of functions. `vjp` is the one tracer; `grad`, `valueAndGrad`, `jvp`,
 * `hvp`, `hessian`, `jacrev`, `jacfwd`, `customVjp`, `checkpoint` and `stopGradient` derive from it;
 * `vmap` is the batching interpreter beside it.
 *
 * @module grad
 */
export * from './transforms.js'
export * from './vjp.js'
export * from './vmap.js'
