/**
 * High-precision references for the numerical-safety tests, independent of nabla and of
 * `Math.exp`/`Math.log`: real numbers as BigInt fixed point with 1700 fraction bits (e^−1000 is
 * about 2^−1443, so even it keeps 250 bits, far more than float64's 53), exp by argument reduction and
 * Taylor series, log by reduction to [1, 2) and the atanh series. Results are rounded to float64
 * (to within an ulp) at the end.
 */

const P = 1700n
const ONE = 1n << P

/** A real number as a BigInt scaled by 2^1700. */
export type Fixed = bigint

/** The exact value of a float64 (every finite double is a dyadic rational). */
export const fromDouble = (x: number): Fixed => {
  if (!Number.isFinite(x)) throw new Error(`reference: ${x} is not finite`)
  if (x === 0) return 0n
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const bits = view.getBigUint64(0)
  const negative = bits >> 63n === 1n
  const exponentBits = (bits >> 52n) & 0x7ffn
  const fraction = bits & ((1n << 52n) - 1n)
  const mantissa = exponentBits === 0n ? fraction : fraction | (1n << 52n)
  const exponent = (exponentBits === 0n ? -1074n : exponentBits - 1075n) + P
  const magnitude = exponent >= 0n ? mantissa << exponent : mantissa >> -exponent
  return negative ? -magnitude : magnitude
}

const bitLength = (v: bigint): number => v.toString(2).length

/** The nearest float64 (within one ulp; subnormals and overflow to ±Infinity included). */
export const toDouble = (v: Fixed): number => {
  if (v === 0n) return 0
  const negative = v < 0n
  const a = negative ? -v : v
  const length = bitLength(a)
  const top = length > 64 ? a >> BigInt(length - 64) : a << BigInt(64 - length)
  let result = Number(top)
  let exponent = length - 64 - Number(P)
  while (exponent > 900) {
    result *= 2 ** 900
    exponent -= 900
  }
  while (exponent < -900) {
    result *= 2 ** -900
    exponent += 900
  }
  result *= 2 ** exponent
  return negative ? -result : result
}

export const mul = (a: Fixed, b: Fixed): Fixed => (a * b) >> P
export const div = (a: Fixed, b: Fixed): Fixed => (a << P) / b
export const add = (a: Fixed, b: Fixed): Fixed => a + b
export const sub = (a: Fixed, b: Fixed): Fixed => a - b
export const one: Fixed = ONE

/** ln 2 = 2·atanh(1/3). */
const LN2: Fixed = (() => {
  const z = div(ONE, 3n * ONE)
  const z2 = mul(z, z)
  let power = z
  let total = 0n
  for (let n = 1n; power !== 0n; n += 2n) {
    total += power / n
    power = mul(power, z2)
  }
  return 2n * total
})()

/** e^x. */
export const exp = (x: Fixed): Fixed => {
  // x = k·ln 2 + r with |r| ≤ ln 2 / 2, k = ⌊(x + ln 2 / 2) / ln 2⌋
  const shifted = x + LN2 / 2n
  const k = shifted / LN2 - (shifted < 0n && shifted % LN2 !== 0n ? 1n : 0n)
  const r = x - k * LN2
  let term = ONE
  let total = ONE
  for (let n = 1n; term !== 0n; n++) {
    term = mul(term, r) / n
    total += term
  }
  return k >= 0n ? total << k : total >> -k
}

/** log y for y > 0. */
export const log = (y: Fixed): Fixed => {
  if (y <= 0n) throw new Error('reference: log of a non-positive number')
  // y = m·2^k with m in [1, 2)
  const k = BigInt(bitLength(y) - 1) - P
  const m = k >= 0n ? y >> k : y << -k
  const z = div(m - ONE, m + ONE)
  const z2 = mul(z, z)
  let power = z
  let total = 0n
  for (let n = 1n; power !== 0n; n += 2n) {
    total += power / n
    power = mul(power, z2)
  }
  return 2n * total + k * LN2
}

const neg = (a: Fixed): Fixed => -a

/** σ(x) = 1 / (1 + e^−x). */
export const sigmoid = (x: number): number => toDouble(div(ONE, ONE + exp(neg(fromDouble(x)))))

/** σ'(x) = σ(x)·(1 − σ(x)) = e^−x / (1 + e^−x)². */
export const sigmoidDerivative = (x: number): number => {
  const e = exp(neg(fromDouble(x)))
  const d = ONE + e
  return toDouble(div(e, mul(d, d)))
}

/** softplus(x) = log(1 + eˣ). */
export const softplus = (x: number): number => toDouble(log(ONE + exp(fromDouble(x))))

/** log σ(x) = −log(1 + e^−x). */
export const logSigmoid = (x: number): number => toDouble(neg(log(ONE + exp(neg(fromDouble(x))))))

/** log Σ e^xᵢ. */
export const logsumexp = (xs: readonly number[]): number =>
  toDouble(log(xs.map((x) => exp(fromDouble(x))).reduce(add, 0n)))

/** softmax(x)ᵢ = e^xᵢ / Σ e^xⱼ. */
export const softmax = (xs: readonly number[]): number[] => {
  const es = xs.map((x) => exp(fromDouble(x)))
  const total = es.reduce(add, 0n)
  return es.map((e) => toDouble(div(e, total)))
}

/** log softmax(x)ᵢ = xᵢ − log Σ e^xⱼ. */
export const logSoftmax = (xs: readonly number[]): number[] => {
  const lse = log(xs.map((x) => exp(fromDouble(x))).reduce(add, 0n))
  return xs.map((x) => toDouble(fromDouble(x) - lse))
}

/** The vjp of softmax with cotangent w: sᵢ·(wᵢ − Σ wⱼ sⱼ). */
export const softmaxVjp = (xs: readonly number[], w: readonly number[]): number[] => {
  const es = xs.map((x) => exp(fromDouble(x)))
  const total = es.reduce(add, 0n)
  const s = es.map((e) => div(e, total))
  const ws = w.map(fromDouble)
  const dot = s.reduce((acc, si, i) => acc + mul(si, ws[i]!), 0n)
  return s.map((si, i) => toDouble(mul(si, ws[i]! - dot)))
}

/** The vjp of log softmax with cotangent w: wᵢ − sᵢ·Σ wⱼ. */
export const logSoftmaxVjp = (xs: readonly number[], w: readonly number[]): number[] => {
  const es = xs.map((x) => exp(fromDouble(x)))
  const total = es.reduce(add, 0n)
  const sumW = w.map(fromDouble).reduce(add, 0n)
  return es.map((e, i) => toDouble(fromDouble(w[i]!) - mul(div(e, total), sumW)))
}
