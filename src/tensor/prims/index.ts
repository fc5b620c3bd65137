/**
 * The registry: every primitive nabla has, one line each. Gradient tests run over this list, so a
 * primitive added here without a vjp rule and a domain fails the suite (comparisons excepted: they
 * have no gradient).
 *
 * @module prims
 */

import type { Prim } from '../prim.js'
import { absPrim } from './abs.js'
import { addPrim } from './add.js'
import { broadcastToPrim } from './broadcastTo.js'
import { castPrim } from './cast.js'
import { concatPrim } from './concat.js'
import { cosPrim } from './cos.js'
import { divPrim } from './div.js'
import { equalPrim } from './equal.js'
import { expPrim } from './exp.js'
import { gatherPrim } from './gather.js'
import { greaterPrim } from './greater.js'
import { greaterEqualPrim } from './greaterEqual.js'
import { lessPrim } from './less.js'
import { lessEqualPrim } from './lessEqual.js'
import { logPrim } from './log.js'
import { log1pPrim } from './log1p.js'
import { matmulPrim } from './matmul.js'
import { maxPrim } from './max.js'
import { maximumPrim } from './maximum.js'
import { minPrim } from './min.js'
import { minimumPrim } from './minimum.js'
import { mulPrim } from './mul.js'
import { negPrim } from './neg.js'
import { notEqualPrim } from './notEqual.js'
import { padPrim } from './pad.js'
import { powPrim } from './pow.js'
import { reluPrim } from './relu.js'
import { reshapePrim } from './reshape.js'
import { scatterAddPrim } from './scatterAdd.js'
import { sigmoidPrim } from './sigmoid.js'
import { signPrim } from './sign.js'
import { sinPrim } from './sin.js'
import { slicePrim } from './slice.js'
import { sqrtPrim } from './sqrt.js'
import { subPrim } from './sub.js'
import { sumPrim } from './sum.js'
import { tanhPrim } from './tanh.js'
import { transposePrim } from './transpose.js'
import { wherePrim } from './where.js'

export { checkIndices as checkIndicesOf } from './indices.js'

export {
  absPrim,
  addPrim,
  broadcastToPrim,
  castPrim,
  concatPrim,
  cosPrim,
  divPrim,
  equalPrim,
  expPrim,
  gatherPrim,
  greaterEqualPrim,
  greaterPrim,
  lessEqualPrim,
  lessPrim,
  log1pPrim,
  logPrim,
  matmulPrim,
  maximumPrim,
  maxPrim,
  minimumPrim,
  minPrim,
  mulPrim,
  negPrim,
  notEqualPrim,
  padPrim,
  powPrim,
  reluPrim,
  reshapePrim,
  scatterAddPrim,
  sigmoidPrim,
  signPrim,
  sinPrim,
  slicePrim,
  sqrtPrim,
  subPrim,
  sumPrim,
  tanhPrim,
  transposePrim,
  wherePrim,
}

/** All primitives, by name. */
export const primitives: readonly Prim<any>[] = [
  absPrim,
  addPrim,
  broadcastToPrim,
  castPrim,
  concatPrim,
  cosPrim,
  divPrim,
  equalPrim,
  expPrim,
  gatherPrim,
  greaterPrim,
  greaterEqualPrim,
  lessPrim,
  lessEqualPrim,
  logPrim,
  log1pPrim,
  matmulPrim,
  maxPrim,
  maximumPrim,
  minPrim,
  minimumPrim,
  mulPrim,
  negPrim,
  notEqualPrim,
  padPrim,
  powPrim,
  reluPrim,
  reshapePrim,
  scatterAddPrim,
  sigmoidPrim,
  signPrim,
  sinPrim,
  slicePrim,
  sqrtPrim,
  subPrim,
  sumPrim,
  tanhPrim,
  transposePrim,
  wherePrim,
]
