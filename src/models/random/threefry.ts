/**
 * Threefry-2x32 with 20 rounds (Salmon et al., SC 2011): the keyed bijection of a 64-bit counter
 * every key and sampler of `random` is built on. All arithmetic is on 32-bit unsigned words.
 *
 * @module random/threefry
 */
import { ArgumentError, describe } from '../../tensor/internal.js'

const rotations = [13, 15, 26, 6, 17, 29, 16, 24] as const
const parity = 0x1bd11bda

/** One Threefry-2x32-20 block into `out[0]`, `out[1]` (no allocation: the hot loop). */
export const block = (k0: number, k1: number, c0: number, c1: number, out: Uint32Array): void => {
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ parity) >>> 0] as const
  let x0 = (c0 + ks[0]) >>> 0
  let x1 = (c1 + ks[1]) >>> 0
  for (let group = 0; group < 5; group++) {
    for (let r = 0; r < 4; r++) {
      const rot = rotations[(group % 2) * 4 + r]!
      x0 = (x0 + x1) >>> 0
      x1 = ((x1 << rot) | (x1 >>> (32 - rot))) ^ x0
    }
    x0 = (x0 + ks[(group + 1) % 3]!) >>> 0
    x1 = (x1 + ks[(group + 2) % 3]! + group + 1) >>> 0
  }
  out[0] = x0
  out[1] = x1
}

export const scratch = new Uint32Array(2)

/**
 * The Threefry-2x32 block cipher with 20 rounds: encrypts the counter `[c0, c1]` under the key
 * `[k0, k1]`. Every word is an unsigned 32-bit integer.
 * @example
 * import { threefry2x32 } from './threefry.js'
 * threefry2x32([0, 0], [0, 0]) // [0x6b200159, 0x99ba4efe] (Random123 known answer)
 */
export const threefry2x32 = (
  key: readonly [number, number],
  counter: readonly [number, number],
): [number, number] => {
  for (const [name, words] of [
    ['key', key],
    ['counter', counter],
  ] as const)
    if (!Array.isArray(words) || words.length !== 2 || !words.every(isWord))
      throw new ArgumentError(
        'threefry2x32',
        `${name} must be two unsigned 32-bit integers, got ${show(words)}`,
      )
  block(key[0], key[1], counter[0], counter[1], scratch)
  return [scratch[0]!, scratch[1]!]
}

export const isWord = (w: unknown): w is number =>
  typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < 2 ** 32
export const show = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(describe).join(',')}]` : describe(v)
