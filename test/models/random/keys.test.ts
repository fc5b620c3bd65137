/**
 * Keys: bit compatibility with JAX's partitionable layout (through @jax-js/jax, a separate
 * implementation) for split, raw bits and float32 uniform; key words, splitting and folding; and
 * argument errors of the key functions.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toFlat } from '../../../src/io/index.js'
import {
  foldIn,
  isKey,
  type Key,
  key,
  keyData,
  permutation,
  randomBits,
  split,
  uniform,
  wrapKey,
} from '../../../src/models/random/index.js'
import { ArgumentError } from '../../../src/tensor/index.js'
import { threefryReference } from './reference.js'

const word = fc.integer({ min: 0, max: 2 ** 32 - 1 })

describe('JAX compatibility (jax_threefry_partitionable layout)', () => {
  it('split(key(0)) is the documented JAX result', () => {
    expect(split(key(0)).map(keyData)).toEqual([
      [1797259609, 2579123966],
      [928981903, 3453687069],
    ])
  })
  it('split, random bits and float32 uniform match @jax-js/jax bit for bit', async () => {
    const { random } = await import('@jax-js/jax')
    await fc.assert(
      fc.asyncProperty(word, fc.integer({ min: 1, max: 40 }), async (seed, n) => {
        const jaxKeys = Array.from((await random.split(random.key(seed), n).data()) as Uint32Array)
        expect(split(key(seed), n).flatMap(keyData)).toEqual(jaxKeys)
        const jaxBits = (await random.bits(random.key(seed), [n]).data()) as Uint32Array
        expect(Array.from(randomBits(key(seed), n))).toEqual(Array.from(jaxBits))
        const jaxUniform = (await random.uniform(random.key(seed), [n]).data()) as Float32Array
        expect(toFlat(uniform(key(seed), [n]))).toEqual(Array.from(jaxUniform))
      }),
      { seed: 102, numRuns: 25 },
    )
  })
})

describe('keys', () => {
  it('key(seed) holds the 64-bit two’s complement words of the seed', () => {
    expect(keyData(key(42))).toEqual([0, 42])
    expect(keyData(key(2 ** 32 + 5))).toEqual([1, 5])
    expect(keyData(key(-1))).toEqual([0xffffffff, 0xffffffff])
    expect(keyData(key(Number.MAX_SAFE_INTEGER))).toEqual([0x1fffff, 0xffffffff])
  })
  it('keys are frozen values and wrapKey inverts keyData', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        const k = key(seed)
        expect(Object.isFrozen(k)).toBe(true)
        expect(wrapKey(keyData(k))).toEqual(k)
        expect(isKey(k)).toBe(true)
      }),
      { seed: 103, numRuns: 100 },
    )
    expect(isKey({ kind: 'nabla.Key', hi: -1, lo: 0 })).toBe(false)
  })
  it('split gives distinct keys, different from the parent, and foldIn is the block at a counter', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 2, max: 64 }), (seed, n) => {
        const parent = key(seed)
        const children = split(parent, n)
        const ids = new Set([parent, ...children].map((k) => keyData(k).join(':')))
        expect(ids.size).toBe(n + 1)
        expect(foldIn(parent, 1)).toEqual(children[1])
        expect(keyData(foldIn(parent, n + 7))).toEqual(threefryReference(keyData(parent), [0, n + 7]))
      }),
      { seed: 104, numRuns: 100 },
    )
  })
  it('split defaults to two keys and types a literal count as a tuple', () => {
    const [a, b] = split(key(1))
    const [c, d, e] = split(key(1), 3)
    const pick: Key = e
    expect([a, b, c, d].every(isKey) && isKey(pick)).toBe(true)
    expect(split(key(1), 0)).toEqual([])
  })
})

describe('argument errors', () => {
  it('bad seeds, counts and keys are ArgumentErrors naming the op', () => {
    expect(() => key(Number.NaN)).toThrow(ArgumentError)
    expect(() => key(1.5)).toThrow(/key: seed must be an integer/)
    expect(() => key(2 ** 53)).toThrow(ArgumentError)
    expect(() => split(key(0), -1)).toThrow(/split: n must be an integer.*got -1/)
    expect(() => split(key(0), 2.5)).toThrow(ArgumentError)
    expect(() => split({ hi: 0, lo: 0 } as unknown as Key)).toThrow(/split: key must be a PRNG key/)
    expect(() => foldIn(key(0), Number.POSITIVE_INFINITY)).toThrow(ArgumentError)
    expect(() => permutation(key(0), -3)).toThrow(/permutation: n must be/)
    expect(() => wrapKey([1, 2 ** 32])).toThrow(ArgumentError)
    expect(() => randomBits(key(0), 0.5)).toThrow(ArgumentError)
  })
})
