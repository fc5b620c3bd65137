/**
 * 3Blue1Brown's chain of one neuron per layer ("Backpropagation calculus", Deep Learning ch. 4).
 *
 * Each layer has one neuron: `z_l = w_l a_{l−1} + b_l`, `a_l = σ(z_l)`, and the cost of one
 * training example is `C = (a_L − y)²`. The chain rule gives, for the last layer,
 *
 *     ∂C/∂w_L     = a_{L−1} σ'(z_L) 2(a_L − y)
 *     ∂C/∂b_L     =         σ'(z_L) 2(a_L − y)
 *     ∂C/∂a_{L−1} = w_L     σ'(z_L) 2(a_L − y)
 *
 * and, going back through the layers, `∂C/∂a_{l−1} = w_l σ'(z_l) ∂C/∂a_l`. This file computes those
 * formulas with plain JavaScript numbers and the same derivatives with nabla's `grad`, and prints
 * them side by side.
 *
 * Run: `npx tsx examples/chain-rule.ts`
 *
 * @module examples/chain-rule
 */
import { type AnyTensor, add, grad, item, mul, scalar, sigmoid, square, sub, type Tensor } from 'nabla'
import { diff, isMain, type Log, num } from './support.js'

/**
 * The parameters of a chain: one weight and one bias per layer, the input activation a₀, the target y.
 * @example
 * const chain: Chain = { w: [0.5, -1.2], b: [0.1, 0.3], a0: 0.8, y: 1 }
 */
export interface Chain {
  readonly w: readonly number[]
  readonly b: readonly number[]
  readonly a0: number
  readonly y: number
}

/**
 * Every partial derivative of C: per layer, and with respect to the input a₀.
 * @example
 * const g: ChainGradient = byHand(chain) // g.w[l] = ∂C/∂w_{l+1}
 */
export interface ChainGradient {
  readonly w: readonly number[]
  readonly b: readonly number[]
  readonly a0: number
}

const sigma = (z: number): number => 1 / (1 + Math.exp(-z))

/**
 * The derivatives by hand, with numbers: forward through the layers, then the chain rule backwards.
 * @example
 * byHand({ w: [0.5], b: [0.1], a0: 0.8, y: 1 }).w[0] // a₀ σ'(z₁) 2(a₁ − y)
 */
export const byHand = (chain: Chain): ChainGradient => {
  const L = chain.w.length
  const a = [chain.a0]
  const z: number[] = []
  for (let l = 0; l < L; l++) {
    z.push(chain.w[l]! * a[l]! + chain.b[l]!)
    a.push(sigma(z[l]!))
  }
  const dw = new Array<number>(L)
  const db = new Array<number>(L)
  let dC_da = 2 * (a[L]! - chain.y) // ∂C/∂a_L
  for (let l = L - 1; l >= 0; l--) {
    const dSigma = a[l + 1]! * (1 - a[l + 1]!) // σ'(z) = σ(z)(1 − σ(z))
    dw[l] = a[l]! * dSigma * dC_da // ∂C/∂w_l = a_{l−1} σ'(z_l) ∂C/∂a_l
    db[l] = dSigma * dC_da //          ∂C/∂b_l =         σ'(z_l) ∂C/∂a_l
    dC_da = chain.w[l]! * dSigma * dC_da // ∂C/∂a_{l−1} = w_l σ'(z_l) ∂C/∂a_l
  }
  return { w: dw, b: db, a0: dC_da }
}

/**
 * The three formulas of the last layer, literally, for a neuron fed by a_{L−1}.
 * @example
 * lastLayerByHand(1.3, -0.4, 0.62, 1).dw // a_{L−1} σ'(z_L) 2(a_L − y)
 */
export const lastLayerByHand = (
  w: number,
  b: number,
  aPrev: number,
  y: number,
): { dw: number; db: number; daPrev: number } => {
  const z = w * aPrev + b
  const a = sigma(z)
  const dSigma = sigma(z) * (1 - sigma(z))
  return {
    dw: aPrev * dSigma * 2 * (a - y),
    db: dSigma * 2 * (a - y),
    daPrev: w * dSigma * 2 * (a - y),
  }
}

/** The chain's parameters as nabla tensors (float64 scalars). */
type ChainParams = {
  readonly w: readonly Tensor<[], 'float64'>[]
  readonly b: readonly Tensor<[], 'float64'>[]
  readonly a0: Tensor<[], 'float64'>
}

/**
 * The cost C = (a_L − y)² written with nabla ops.
 * @example
 * cost(1)({ w: [scalar(0.5)], b: [scalar(0.1)], a0: scalar(0.8) }) // Tensor<[]>
 */
export const cost =
  (y: number) =>
  (p: ChainParams): AnyTensor =>
    square(
      sub(
        p.w.reduce<AnyTensor>((a, w, l) => sigmoid(add(mul(w, a), p.b[l]!)), p.a0),
        y,
      ),
    )

/**
 * The derivatives by nabla's `grad`.
 * @example
 * byGrad({ w: [0.5], b: [0.1], a0: 0.8, y: 1 }).b[0] // σ'(z₁) 2(a₁ − y)
 */
export const byGrad = (chain: Chain): ChainGradient => {
  const f64: { readonly dtype: 'float64' } = { dtype: 'float64' }
  const params: ChainParams = {
    w: chain.w.map((v) => scalar(v, f64)),
    b: chain.b.map((v) => scalar(v, f64)),
    a0: scalar(chain.a0, f64),
  }
  const g = grad(cost(chain.y))(params)
  return { w: g.w.map(item), b: g.b.map(item), a0: item(g.a0) }
}

/**
 * One line of the printed table.
 * @example
 * const row: Row = { name: '∂C/∂w_L', hand: -0.119, grad: -0.119 }
 */
export interface Row {
  readonly name: string
  readonly hand: number
  readonly grad: number
}

/**
 * All partial derivatives of a chain, by hand and by `grad`, as rows.
 * @example
 * compare({ w: [0.5, -1], b: [0.1, 0.2], a0: 0.8, y: 1 }).map((r) => r.name) // ['∂C/∂w_2', …]
 */
export const compare = (chain: Chain): Row[] => {
  const hand = byHand(chain)
  const auto = byGrad(chain)
  const L = chain.w.length
  const rows: Row[] = []
  for (let l = L - 1; l >= 0; l--) {
    rows.push({ name: `∂C/∂w_${l + 1}`, hand: hand.w[l]!, grad: auto.w[l]! })
    rows.push({ name: `∂C/∂b_${l + 1}`, hand: hand.b[l]!, grad: auto.b[l]! })
  }
  rows.push({ name: '∂C/∂a_0', hand: hand.a0, grad: auto.a0 })
  return rows
}

const printRows = (rows: readonly Row[], log: Log): void => {
  log(`${'derivative'.padEnd(12)}${'hand formula'.padStart(22)}${'nabla grad'.padStart(22)}   |difference|`)
  for (const r of rows)
    log(`${r.name.padEnd(12)}${num(r.hand)}${num(r.grad)}   ${diff(Math.abs(r.hand - r.grad))}`)
}

/**
 * The last layer the example prints (a_{L−1} plays the part of a₀).
 * @example
 * lastLayer.w // [1.3]
 */
export const lastLayer: Chain = { w: [1.3], b: [-0.4], a0: 0.62, y: 1 }

/**
 * The four-layer chain the example prints.
 * @example
 * deepChain.w.length // 4
 */
export const deepChain: Chain = { w: [0.9, -1.3, 0.6, 1.8], b: [0.2, 0.1, -0.4, 0.05], a0: 0.5, y: 0.25 }

/**
 * Prints the comparison for the last layer (a_{L−1} is the input) and for a four-layer chain;
 * returns the rows and the largest difference.
 * @example
 * const { maxDifference } = main(() => {}) // about 1e-17
 */
export const main = (log: Log = console.log): { rows: Row[]; maxDifference: number } => {
  log('The last layer: z = w a_{L-1} + b, a_L = σ(z), C = (a_L − y)²')
  log(`  w = ${lastLayer.w[0]}, b = ${lastLayer.b[0]}, a_{L-1} = ${lastLayer.a0}, y = ${lastLayer.y}`)
  const hand = lastLayerByHand(lastLayer.w[0]!, lastLayer.b[0]!, lastLayer.a0, lastLayer.y)
  const auto = byGrad(lastLayer)
  const last: Row[] = [
    { name: '∂C/∂w_L', hand: hand.dw, grad: auto.w[0]! },
    { name: '∂C/∂b_L', hand: hand.db, grad: auto.b[0]! },
    { name: '∂C/∂a_{L-1}', hand: hand.daPrev, grad: auto.a0 },
  ]
  printRows(last, log)
  log('')
  log(`A chain of ${deepChain.w.length} one-neuron layers, ∂C/∂a_{l-1} = w_l σ'(z_l) ∂C/∂a_l`)
  const deep = compare(deepChain)
  printRows(deep, log)
  const rows = [...last, ...deep]
  const maxDifference = Math.max(...rows.map((r) => Math.abs(r.hand - r.grad)))
  log('')
  log(`largest difference between the hand formulas and grad: ${diff(maxDifference)}`)
  return { rows, maxDifference }
}

if (isMain(import.meta.url)) main()
