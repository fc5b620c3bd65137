/**
 * src/grad: transforms of functions. `vjp` is the one tracer; `grad`, `valueAndGrad`, `jvp`,
 * `hvp`, `hessian`, `jacrev`, `jacfwd`, `customVjp`, `checkpoint` and `stopGradient` derive from it
 * (`jacrev` and `hessian` vmap the pullback with src/vmap, the batching interpreter beneath).
 *
 * @module grad
 */
export * from './transforms.js'
export * from './vjp.js'
