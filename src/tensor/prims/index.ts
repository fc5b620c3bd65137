/**
 * The registry: every primitive nabla has, one line each. This is the only place a primitive is
 * declared: the ops import primitives from here, `primitives` (in `registry.ts`) is derived from
 * these exports, and the gradient, batching and reliability tests run over that list. A prim file
 * not listed here fails `test/tensor/prims/index.test.ts`.
 *
 * @module prims
 */

export { absPrim } from './abs.js'
export { addPrim } from './add.js'
export { broadcastToPrim } from './broadcastTo.js'
export { castPrim } from './cast.js'
export { concatPrim } from './concat.js'
export { cosPrim } from './cos.js'
export { divPrim } from './div.js'
export { equalPrim } from './equal.js'
export { expPrim } from './exp.js'
export { gatherPrim } from './gather.js'
export { greaterPrim } from './greater.js'
export { greaterEqualPrim } from './greaterEqual.js'
export { lessPrim } from './less.js'
export { lessEqualPrim } from './lessEqual.js'
export { logPrim } from './log.js'
export { log1pPrim } from './log1p.js'
export { matmulPrim } from './matmul.js'
export { maxPrim } from './max.js'
export { maximumPrim } from './maximum.js'
export { minPrim } from './min.js'
export { minimumPrim } from './minimum.js'
export { mulPrim } from './mul.js'
export { negPrim } from './neg.js'
export { notEqualPrim } from './notEqual.js'
export { padPrim } from './pad.js'
export { powPrim } from './pow.js'
export { reluPrim } from './relu.js'
export { reshapePrim } from './reshape.js'
export { scatterAddPrim } from './scatterAdd.js'
export { sigmoidPrim } from './sigmoid.js'
export { signPrim } from './sign.js'
export { sinPrim } from './sin.js'
export { slicePrim } from './slice.js'
export { sqrtPrim } from './sqrt.js'
export { subPrim } from './sub.js'
export { sumPrim } from './sum.js'
export { tanhPrim } from './tanh.js'
export { transposePrim } from './transpose.js'
export { wherePrim } from './where.js'
