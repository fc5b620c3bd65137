/**
 * Explicit, splittable, counter-based randomness (the JAX design). A `Key` is an immutable value;
 * every sampler is a pure function of its key, so the same key always gives the same numbers, on
 * every run and every platform. To draw twice, `split` the key first; never reuse a key for two
 * different purposes.
 *
 * ## Algorithm
 * - The generator is **Threefry-2x32 with 20 rounds** (Salmon et al., "Parallel random numbers:
 *   as easy as 1, 2, 3", SC 2011): a keyed bijection of a 64-bit counter. `threefry2x32` passes the
 *   Random123 known-answer vectors. All arithmetic is on 32-bit unsigned words, so results do not
 *   depend on the platform.
 * - A key is two 32-bit words `[hi, lo]`. `key(seed)` is `[high 32 bits, low 32 bits]` of the seed as
 *   a 64-bit two's-complement integer (`key(42)` is `[0, 42]`, as `jax.random.key(42)`).
 * - The i-th element of any draw (row-major) comes from the block `threefry2x32(key, [0, i])`:
 *   32 random bits are `x0 ^ x1`, 64 random bits are `x0 · 2³² + x1`. This is JAX's layout with
 *   `jax_threefry_partitionable` (the default since JAX 0.5), so `split` and float32 `uniform`
 *   match JAX bit for bit.
 * - `split(key, n)[i]` is the block `threefry2x32(key, [0, i])` itself; `foldIn(key, d)` is the block
 *   at counter `d` (so `foldIn(key, i)` equals `split(key, n)[i]`, as in JAX).
 *
 * ## Bits to floats
 * - float32 `uniform`: the top 23 of 32 bits become the mantissa of a number in [1, 2), minus 1:
 *   `u = (bits >>> 9) · 2⁻²³` in [0, 1), then `min + u · (max − min)` in float32 arithmetic.
 * - float64 `uniform`: the top 52 of 64 bits: `u = (bits >>> 12) · 2⁻⁵²` in [0, 1).
 * - Results are clamped into [min, max): rounding can never return `max`.
 * - `normal` uses the Box–Muller transform on two float64 uniforms from `split(key)`:
 *   `z = √(−2 ln(1 − u₁)) · cos(2π u₂)`, computed in float64 and rounded once to the dtype (|z| ≤ 8.5).
 * - `randint` and `permutation` draw exact uniform integers by rejection: attempt `a` for element
 *   `i` uses the 32 bits of block `[a, i]` and is rejected when it falls in the biased tail.
 *
 * The parts: random/threefry.ts (the block function), random/keys.ts (keys and raw bits),
 * random/samplers.ts (the distributions).
 *
 * @module random
 */

export { foldIn, isKey, type Key, type Keys, key, keyData, randomBits, split, wrapKey } from './keys.js'
export { bernoulli, normal, permutation, randint, type SampleOptions, uniform } from './samplers.js'
export { threefry2x32 } from './threefry.js'
